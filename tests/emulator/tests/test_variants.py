"""Section 8.1 variants (V1-V10) played through ``/_emulator/settings`` and the enroll endpoint."""

from __future__ import annotations

import threading
import time

import pytest

from emulator.harness import EmulatorError
from emulator.tests.helpers import (
    ACME, ALICE, DAVE, OID_RE, PLATFORMS, assert_error, bulk_body, create_body, policy_id, seeded_token, tokens_path,
)

DEVICE_FIELD = {"android": "emmDevice", "apple": "admDevice", "windows": "winDeviceId", "aosp": "aosDeviceId"}


def _inject(ctl, platform, n, email="bulk@example.com"):
    return ctl.inject_tokens(ACME, platform, [{"email": email} for dummy in range(n)])


# ---------------------------------------------------------------------- V9 page cap
@pytest.mark.parametrize("cap", [10, 50, 1000])
def test_v9_page_cap(api, ctl, cap):
    _inject(ctl, "apple", 1100)
    assert ctl.set_settings(page_cap=cap)["page_cap"] == cap
    total = 1102
    data = api.list_tokens(ACME, "apple", limit=5000)
    assert data["limit"] == cap and len(data["items"]) == cap
    assert data["totalDocs"] == total and data["totalPages"] == -(-total // cap)
    assert data["hasNextPage"] is True and data["nextPage"] == 2 and data["hasPrevPage"] is False and data["prevPage"] is None
    small = api.list_tokens(ACME, "apple", limit=5)
    assert small["limit"] == 5 and len(small["items"]) == 5
    default = api.list_tokens(ACME, "apple")
    assert default["limit"] == min(20, cap)
    # walking every page at the cap sees every token once
    seen = []
    page = 1
    while True:
        data = api.list_tokens(ACME, "apple", limit=cap + 1, page=page)
        seen.extend(t["id"] for t in data["items"])
        if not data["hasNextPage"]:
            break
        page = data["nextPage"]
    assert len(seen) == len(set(seen)) == total
    # users and policy lists follow the same cap
    assert api.data("GET", "/organizations/acme/mdm/users", params={"limit": 5000})["limit"] == cap


def test_v9_preset_and_reset(ctl):
    assert ctl.settings()["page_cap"] == 100
    assert ctl.set_variant("V9")["page_cap"] == 10
    ctl.reset()
    assert ctl.settings()["page_cap"] == 100
    for bad in (0, -1, "10", 1.5, True):
        with pytest.raises(EmulatorError):
            ctl.set_settings(page_cap=bad)


# ---------------------------------------------------------------------- V10 enroll
@pytest.mark.parametrize("platform", PLATFORMS)
def test_v10_enroll_done(api, ctl, platform):
    tid = seeded_token(platform, 1)
    before = api.data("GET", tokens_path(ACME, platform, "/" + tid))
    assert before["state"] == "PENDING"
    if platform == "android":
        assert before["emmDevice"] is None
    else:
        assert DEVICE_FIELD[platform] not in before
    tok = ctl.enroll_token(ACME, platform, tid)
    assert tok["id"] == tid and tok["state"] == "DONE" and OID_RE.match(tok[DEVICE_FIELD[platform]])
    assert tok["updatedAt"] > before["updatedAt"]
    if platform in ("android", "aosp"):
        assert tok["status"] == "DONE"
    got = api.data("GET", tokens_path(ACME, platform, "/" + tid))
    assert got["state"] == "DONE" and got[DEVICE_FIELD[platform]] == tok[DEVICE_FIELD[platform]]
    # a used token never expires and is never listed as PENDING again
    ctl.advance(40 * 86400)
    got = api.data("GET", tokens_path(ACME, platform, "/" + tid))
    assert got["state"] == "DONE"
    ctl.advance(-80 * 86400)
    listed = {t["id"]: t["state"] for t in api.list_tokens(ACME, platform, limit=100)["items"]}
    assert listed[tid] == "DONE"
    if platform == "aosp":
        assert tid not in [t["id"] for t in api.list_tokens(ACME, "aosp", status="PENDING")["items"]]


def test_v10_enroll_processing_then_done_with_device(api, ctl):
    tid = seeded_token("aosp", 1)
    device = "64e000000000000000000042"
    tok = ctl.enroll_token(ACME, "aosp", tid, state="PROCESSING", device_id=device)
    assert tok["state"] == tok["status"] == "PROCESSING" and tok["aosDeviceId"] == device
    assert [t["id"] for t in api.list_tokens(ACME, "aosp", status="PROCESSING")["items"]] == [tid]
    ctl.advance(40 * 86400)
    assert api.data("GET", tokens_path(ACME, "aosp", "/" + tid))["state"] == "PROCESSING"
    done = ctl.enroll_token(ACME, "aosp", tid, device_id=device)
    assert done["status"] == "DONE"


def test_v10_enroll_counts_and_refusals(api, ctl):
    tid = seeded_token("android", 1)
    ctl.enroll_token(ACME, "android", tid)
    user = api.data("GET", f"/organizations/acme/mdm/users/{ALICE}")
    assert user["android"]["enrollmentTokens"]["DONE"] == 1 and user["android"]["enrollmentTokens"]["PENDING"] == 0
    # a DONE token may not be deleted-then-enrolled, expired tokens cannot be used
    deleted = seeded_token("apple", 3)
    with pytest.raises(EmulatorError, match="DELETED"):
        ctl.enroll_token(ACME, "apple", deleted)
    with pytest.raises(EmulatorError, match="EXPIRED"):
        ctl.enroll_token(ACME, "windows", seeded_token("windows", 3))
    with pytest.raises(EmulatorError):
        ctl.enroll_token(ACME, "apple", seeded_token("apple", 1), state="DELETED")
    with pytest.raises(EmulatorError):
        ctl.enroll_token(ACME, "apple", "0123456789abcdef01234567")
    with pytest.raises(EmulatorError):
        ctl.enroll_token(ACME, "apple", seeded_token("apple", 1), device_id="nope")
    # an enrolled token can still be deleted
    tok = api.create_token(ACME, "windows", DAVE)
    ctl.enroll_token(ACME, "windows", tok["id"])
    gone = api.data("DELETE", tokens_path(ACME, "windows", "/" + tok["id"]))
    assert gone["state"] == "DELETED"


# ---------------------------------------------------------------------- settings and presets
def test_settings_defaults_presets_and_reset(ctl):
    settings = ctl.settings()
    assert settings == {
        "bulk_creates_users": True, "page_cap": 100, "ignore_filters": False, "list_order": "created_desc",
        "bulk_delay_seconds": 0, "lists_include_deleted": False, "expiry_shape": "default", "user_shape": "default",
        "echo": "default", "strict_body_keys": False,
    }
    variants = ctl.variants()
    assert sorted(variants, key=lambda v: int(v[1:])) == [f"V{i}" for i in range(1, 11)]
    assert variants["V5"]["settings"] == {"expiry_shape": "summary_only"} and variants["V10"]["settings"] == {}
    for name, preset in variants.items():
        ctl.reset()
        applied = ctl.set_variant(name)
        assert applied == dict(settings, **preset["settings"]), name
        assert preset["plays"]
    # a preset and explicit keys in one PUT: the keys win
    ctl.reset()
    assert ctl.set_settings(variant="V9", page_cap=50)["page_cap"] == 50
    ctl.set_settings(ignore_filters=True, list_order="shuffled", bulk_delay_seconds=1.5, lists_include_deleted=True,
                     expiry_shape="none", user_shape="id_only", echo="none", strict_body_keys=True)
    ctl.reset()
    assert ctl.settings() == settings
    for bad in ({"variant": "V11"}, {"list_order": "random"}, {"expiry_shape": 1}, {"echo": None}, {"bulk_delay_seconds": -1},
                {"bulk_delay_seconds": "1"}, {"strict_body_keys": "yes"}, {"ignore_filter": True}):
        with pytest.raises(EmulatorError):
            ctl.set_settings(**bad)
    assert ctl.settings() == settings


# ---------------------------------------------------------------------- V1 filters ignored
@pytest.mark.parametrize("platform", ["android", "apple", "windows"])
def test_v1_ignore_filters(api, ctl, platform):
    mine = api.create_token(ACME, platform, DAVE)
    filters = {"mdm-user": DAVE}
    assert [t["id"] for t in api.list_tokens(ACME, platform, **filters)["items"]] == [mine["id"]]
    ctl.set_variant("V1")
    everyone = api.list_tokens(ACME, platform, limit=100, **filters)
    ids = [t["id"] for t in everyone["items"]]
    assert mine["id"] in ids and seeded_token(platform, 1) in ids and everyone["totalDocs"] == len(ids) > 1
    policy_filter = {"android": "emm-policy", "apple": "adm-policy", "windows": "win-policy"}[platform]
    by_policy = api.list_tokens(ACME, platform, limit=100, **{policy_filter: "0123456789abcdef01234567"})
    assert by_policy["totalDocs"] == everyone["totalDocs"]
    # the filters are still validated
    assert api.get(tokens_path(ACME, platform), params={"mdm-user": "nope"}).status_code == 400


# ---------------------------------------------------------------------- V2 order
def test_v2_list_order(api, ctl):
    created = _inject(ctl, "windows", 60)
    listed = api.list_tokens(ACME, "windows", limit=100)["items"]
    by_creation = [t["id"] for t in listed]
    assert by_creation[-60:] == created and [t["createdAt"] for t in listed] == sorted(t["createdAt"] for t in listed)
    assert [t["id"] for t in api.list_tokens(ACME, "windows", limit=100, sort="createdAt:desc")["items"]] == by_creation[::-1]
    ctl.set_settings(list_order="ignore_sort")
    assert [t["id"] for t in api.list_tokens(ACME, "windows", limit=100, sort="createdAt:desc")["items"]] == by_creation
    ctl.set_variant("V2")
    first = [t["id"] for t in api.list_tokens(ACME, "windows", limit=100)["items"]]
    assert sorted(first) == sorted(by_creation) and first != by_creation and first != by_creation[::-1]
    assert [t["id"] for t in api.list_tokens(ACME, "windows", limit=100, sort="createdAt:desc")["items"]] == first
    # stable across the pages of one listing, also with the small page cap
    ctl.set_settings(page_cap=10)
    paged = []
    for page in range(1, 8):
        paged.extend(t["id"] for t in api.list_tokens(ACME, "windows", limit=10, page=page)["items"])
    assert paged == first
    # filters keep working in the shuffled order
    assert [t["id"] for t in api.list_tokens(ACME, "windows", **{"mdm-user": ALICE})["items"]] == [seeded_token("windows", 1)]
    users = api.data("GET", "/organizations/acme/mdm/users", params={"limit": 100})["items"]
    assert len(users) == 5


# ---------------------------------------------------------------------- V3 bulk job runs later
def test_v3_bulk_delay(api, ctl):
    ctl.set_settings(bulk_delay_seconds=1)
    body = {"sendEmail": False, "userEmails": ["dave@example.com", "new-v3@example.com"]}
    started = time.monotonic()
    answer = api.data("POST", tokens_path(ACME, "apple", "/bulk"), json=body)
    assert answer == {"total": 2, "success": 2, "fail": 0}
    assert time.monotonic() - started < 1
    assert ctl.state_tokens(ACME, "apple", email="dave@example.com") == []
    assert not [u for u in ctl.state_users(ACME) if u["email"] == "new-v3@example.com"]
    assert ctl.jobs() == 1
    deadline = time.monotonic() + 10
    while ctl.jobs() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert ctl.jobs() == 0 and time.monotonic() - started >= 1
    assert len(ctl.state_tokens(ACME, "apple", email="dave@example.com")) == 1
    assert len(ctl.state_tokens(ACME, "apple", email="new-v3@example.com")) == 1


def test_v3_preset_run_jobs_reset_and_threads(api, ctl):
    ctl.set_variant("V3")
    ctl.set_settings(bulk_creates_users=False)
    body = {"sendEmail": False, "userEmails": ["dave@example.com", "nobody@example.com"]}
    assert api.data("POST", tokens_path(ACME, "windows", "/bulk"), json=body) == {"total": 2, "success": 1, "fail": 1}
    # concurrent bulk requests each schedule their own job
    results = []

    def post():
        results.append(api.post(tokens_path(ACME, "windows", "/bulk"), json={"sendEmail": False, "userEmails": ["dave@example.com"]},
                                validate=False).status_code)
    threads = [threading.Thread(target=post) for dummy in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200] * 8 and ctl.jobs() == 9
    assert ctl.run_jobs() == 9 and ctl.jobs() == 0
    assert len(ctl.state_tokens(ACME, "windows", email="dave@example.com")) == 9
    assert ctl.state_tokens(ACME, "windows", email="nobody@example.com") == []
    # reset drops the jobs still pending
    ctl.set_settings(bulk_delay_seconds=0.5)
    api.data("POST", tokens_path(ACME, "windows", "/bulk"), json=body)
    ctl.reset()
    time.sleep(0.8)
    assert ctl.state_tokens(ACME, "windows", email="dave@example.com") == []


# ---------------------------------------------------------------------- V4 deleted in default lists
@pytest.mark.parametrize("platform", PLATFORMS)
def test_v4_lists_include_deleted(api, ctl, platform):
    tok = api.create_token(ACME, platform, DAVE)
    api.data("DELETE", tokens_path(ACME, platform, "/" + tok["id"]))
    assert tok["id"] not in [t["id"] for t in api.list_tokens(ACME, platform, limit=100)["items"]]
    ctl.set_variant("V4")
    states = {t["id"]: t["state"] for t in api.list_tokens(ACME, platform, limit=100)["items"]}
    assert states[tok["id"]] == "DELETED"
    if platform == "aosp":
        assert {t["status"] for t in api.list_tokens(ACME, platform, status="PENDING")["items"]} == {"PENDING"}
    else:
        assert states[seeded_token(platform, 3)] in ("DONE", "DELETED", "EXPIRED")


# ---------------------------------------------------------------------- V5 expiry shapes
EXPIRY_KEYS = {"expireAt", "summary.expirationTimestamp", "config.expirationTimestamp", "enroll.serverExpirationDate"}


def _expiry_fields(tok):
    found = {}
    for key in EXPIRY_KEYS:
        holder = tok
        parts = key.split(".")
        for part in parts[:-1]:
            holder = holder.get(part) or {}
        if parts[-1] in holder:
            found[key] = holder[parts[-1]]
    return found


@pytest.mark.parametrize("platform", PLATFORMS)
def test_v5_expiry_shape(api, ctl, platform):
    tok = api.create_token(ACME, platform, DAVE, duration=3600)
    default = _expiry_fields(tok)
    expected_default = {
        "android": {"config.expirationTimestamp", "summary.expirationTimestamp"},
        "apple": {"expireAt", "summary.expirationTimestamp", "enroll.serverExpirationDate"},
        "windows": {"expireAt", "summary.expirationTimestamp"},
        "aosp": {"summary.expirationTimestamp"},
    }[platform]
    assert set(default) == expected_default and len(set(default.values())) == 1
    when = next(iter(default.values()))
    path = tokens_path(ACME, platform, "/" + tok["id"])
    for shape, keys in (("summary_only", {"summary.expirationTimestamp"}), ("config_only", {"config.expirationTimestamp"}), ("none", set())):
        ctl.set_settings(expiry_shape=shape)
        for read in (api.get(path, validate=False).json()["data"],
                     api.get(tokens_path(ACME, platform), params={"limit": 100}, validate=False).json()["data"]["items"][-1]):
            assert _expiry_fields(read) == dict.fromkeys(keys, when), (shape, read)
    ctl.set_variant("V5")
    assert _expiry_fields(api.data("GET", path)) == {"summary.expirationTimestamp": when}
    # the control API always answers the default shape
    assert _expiry_fields(ctl.state_tokens(ACME, platform, email="dave@example.com")[0]) == default


def test_v5_perpetual_has_no_expiry_in_any_shape(api, ctl):
    tok = api.create_token(ACME, "aosp", DAVE, perpetual=True)
    for shape in ("default", "summary_only", "config_only", "none"):
        ctl.set_settings(expiry_shape=shape)
        assert _expiry_fields(api.data("GET", tokens_path(ACME, "aosp", "/" + tok["id"]))) == {}


# ---------------------------------------------------------------------- V6 user id only
@pytest.mark.parametrize("platform", PLATFORMS)
def test_v6_user_id_only(api, ctl, platform):
    ctl.set_variant("V6")
    tok = api.create_token(ACME, platform, DAVE)
    assert tok["mdmUserId"] == DAVE and "mdmUser" not in tok and "dave@example.com" not in str(tok)
    for item in api.list_tokens(ACME, platform, limit=100)["items"]:
        assert "mdmUser" not in item and OID_RE.match(item["mdmUserId"])
    assert "@" not in str(api.data("DELETE", tokens_path(ACME, platform, "/" + tok["id"])))
    assert ctl.state_tokens(ACME, "apple")[0]["mdmUser"]["email"]  # control API: default shape


# ---------------------------------------------------------------------- V7 echo
def test_v7_echo_other_type(api, ctl):
    ctl.set_variant("V7")
    win = api.post(tokens_path(ACME, "windows"), validate=False, json={
        "mdmUserId": DAVE, "sendEmail": False, "segmentId": 1,
        "winPolicyAssignments": [{"winPolicyId": policy_id("windows", 1), "priority": 0}]}).json()["data"]
    assert win["segmentId"] == "1" and win["winPolicyAssignments"][0]["priority"] == "0"
    aosp = api.post(tokens_path(ACME, "aosp"), validate=False, json={
        "mdmUserId": DAVE, "managementMode": "DEVICE_OWNER", "segmentId": 2,
        "aosPolicyAssignments": [{"aosPolicyId": policy_id("aosp", 1), "priority": 3}]}).json()["data"]
    assert aosp["segmentId"] == "2" and aosp["aosPolicyAssignments"][0]["priority"] == "3"
    android = api.post(tokens_path(ACME, "android"), validate=False, json=create_body("android", DAVE, policyId=policy_id("android", 1))).json()
    assert android["data"]["emmPolicyAssignments"][0]["priority"] == "0"


def test_v7_echo_assignments_only(api, ctl):
    ctl.set_settings(echo="assignments_only")
    apple = api.create_token(ACME, "apple", DAVE, policyId=policy_id("apple", 1))
    assert apple["admPolicy"] is None
    assert [(a["admPolicyId"], a["priority"]) for a in apple["admPolicyAssignments"]] == [(policy_id("apple", 1), 0)]
    win = api.create_token(ACME, "windows", DAVE, winPolicyId=policy_id("windows", 2),
                           winPolicyAssignments=[{"winPolicyId": policy_id("windows", 3), "priority": 4}])
    assert "winPolicyId" not in win
    assert [(a["winPolicyId"], a["priority"]) for a in win["winPolicyAssignments"]] == [(policy_id("windows", 2), 0), (policy_id("windows", 3), 4)]
    # the stored token is unchanged: the emm/win-policy filter still finds it by its primary policy
    listed = api.list_tokens(ACME, "windows", **{"win-policy": policy_id("windows", 2)})["items"]
    assert [t["id"] for t in listed] == [win["id"]]


def test_v7_echo_none(api, ctl):
    ctl.set_settings(echo="none")
    win = api.create_token(ACME, "windows", DAVE, winPolicyId=policy_id("windows", 2), segmentId=1, displayName="Kept", language="en",
                           winPolicyAssignments=[{"winPolicyId": policy_id("windows", 3), "priority": 4}])
    assert "segmentId" not in win and "winPolicyId" not in win and win["winPolicyAssignments"] == [] and "language" not in win
    assert win["displayName"] == "Kept"
    android = api.create_token(ACME, "android", DAVE, policyId=policy_id("android", 1), managementMode="PROFILE_OWNER")
    assert "managementMode" not in android and "managementMode" not in android["summary"] and android["emmPolicyAssignments"] == []
    apple = api.create_token(ACME, "apple", DAVE, policyId=policy_id("apple", 1))
    assert "admPolicy" not in apple and apple["admPolicyAssignments"] == []
    ctl.set_settings(echo="default")
    again = api.data("GET", tokens_path(ACME, "windows", "/" + win["id"]))
    assert again["segmentId"] == "1" and again["winPolicyId"] == policy_id("windows", 2)


# ---------------------------------------------------------------------- V8 undocumented body keys
def test_v8_strict_body_keys(api, ctl):
    lenient = [
        ("android", "", create_body("android", DAVE, segmentId=1)),
        ("android", "/bulk", bulk_body("android", ["dave@example.com"], segmentId=1)),
        ("windows", "/bulk", bulk_body("windows", ["dave@example.com"], segmentId=1)),
    ]
    for platform, suffix, body in lenient:
        assert api.post(tokens_path(ACME, platform, suffix), json=body).status_code == 200
    ctl.set_variant("V8")
    for platform, suffix, body in lenient:
        assert_error(api.post(tokens_path(ACME, platform, suffix), json=body), 400, 5209, "Invalid input: segmentId is not allowed")
    # what the pages list still works
    for platform, suffix, body in (
        ("windows", "", create_body("windows", DAVE, segmentId=1)),
        ("apple", "", create_body("apple", DAVE, segmentId=1)),
        ("apple", "/bulk", bulk_body("apple", ["dave@example.com"], segmentId=1)),
        ("aosp", "", create_body("aosp", DAVE, segmentId=1)),
        ("aosp", "/bulk", bulk_body("aosp", ["dave@example.com"], segmentId=1)),
        ("android", "", create_body("android", DAVE, policyId=policy_id("android", 1), language="es", emailText="x", duration=600)),
        ("windows", "/bulk", bulk_body("windows", ["dave@example.com"], winPolicyId=policy_id("windows", 1))),
    ):
        assert api.post(tokens_path(ACME, platform, suffix), json=body).status_code == 200, (platform, suffix)
    tok = seeded_token("windows", 1)
    assert api.put(tokens_path(ACME, "windows", "/" + tok), json={"segmentId": "1", "tags": ["x"]}).status_code == 200
    assert_error(api.put(tokens_path(ACME, "windows", "/" + tok), json={"sendEmail": True}), 400, 5209,
                 "Invalid input: sendEmail is not allowed")


def test_v8_documented_keys_table():
    from emulator.validation import DOCUMENTED_KEYS, TOKEN_BODY  # pylint: disable=import-outside-toplevel
    for (platform, endpoint), keys in DOCUMENTED_KEYS.items():
        if endpoint == "update":
            continue
        extra = "mdmUserId" if endpoint == "create" else "userEmails"
        assert keys - {extra} <= set(TOKEN_BODY[platform]), (platform, endpoint)
    assert "segmentId" not in DOCUMENTED_KEYS[("android", "create")] | DOCUMENTED_KEYS[("android", "bulk")]
    assert "segmentId" not in DOCUMENTED_KEYS[("windows", "bulk")] and "segmentId" in DOCUMENTED_KEYS[("windows", "create")]
