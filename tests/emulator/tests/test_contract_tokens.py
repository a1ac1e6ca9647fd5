"""Contract rows C1-C6, C13, C14 (applivery-api.md section 8): enrollment tokens."""

from __future__ import annotations

import pytest

from emulator.tests.helpers import (
    ACME, ACME_ID, ALICE, BOB, CAROL, DAVE, ISO_RE, OID_RE, PLATFORMS, assert_error, bulk_body, create_body, policy_id, seeded_token,
    tokens_path,
)
from emulator.util import parse_iso


ANDROID_KEYS = ("id", "organization", "emmEnterprise", "emmPolicyAssignments", "mdmUser", "emmDevice", "displayName", "tags", "status",
                "sendEmail", "managementMode", "emailText", "config", "summary", "type", "subType", "state", "perpetual", "updatedAt",
                "createdAt", "qrcodeUrl", "enrollmentLink")


def test_c01_android_routes_mirror_apple_and_read_models(api):
    pol = policy_id("android", 1)
    kiosk = policy_id("android", 3)
    tok = api.create_token(ACME, "android", DAVE, displayName="Dave Pixel", tags=["a", "b"], policyId=pol, emailText="hi",
                           emmPolicyAssignments=[{"emmPolicyId": kiosk, "priority": 5}])
    # the seed 001 create response, key for key: no expireAt, no policyId, no qrCode
    assert tuple(tok) == ANDROID_KEYS
    assert tok["organization"] == ACME_ID and tok["emmDevice"] is None
    assert tok["mdmUser"] == {"id": DAVE, "email": "dave@example.com"}
    assert tok["status"] == tok["state"] == "PENDING" and tok["perpetual"] is False
    # the policyId that was sent shows up only as an assignment, priority 0
    assert tok["emmPolicyAssignments"] == [
        {"emmPolicyId": pol, "emmPolicy": {"id": pol, "name": "Corporate Standard"}, "priority": 0},
        {"emmPolicyId": kiosk, "emmPolicy": {"id": kiosk, "name": "Kiosk"}, "priority": 5},
    ]
    assert tok["config"]["expirationTimestamp"] == tok["summary"]["expirationTimestamp"]
    assert parse_iso(tok["config"]["expirationTimestamp"]) - parse_iso(tok["createdAt"]) == 86400 * 1000
    assert tok["config"]["code"] and tok["summary"]["managementMode"] == "DEVICE_OWNER"
    assert tok["qrcodeUrl"].startswith("https://") and tok["enrollmentLink"].startswith("https://")
    # an assignment that names the primary policy keeps its priority and is not repeated
    again = api.create_token(ACME, "android", DAVE, policyId=kiosk, emmPolicyAssignments=[{"emmPolicyId": kiosk, "priority": 7}])
    assert [(a["emmPolicyId"], a["priority"]) for a in again["emmPolicyAssignments"]] == [(kiosk, 7)]
    # list, get and delete answer the same shape
    for read in (api.data("GET", tokens_path(ACME, "android", "/" + tok["id"])),
                 api.list_tokens(ACME, "android", **{"mdm-user": DAVE})["items"][0]):
        assert tuple(read) == ANDROID_KEYS
    # list / get / delete exist and mirror Apple, with mdm-user, emm-policy and show-deleted filters
    assert api.data("GET", tokens_path(ACME, "android", "/" + tok["id"]))["id"] == tok["id"]
    mine = api.list_tokens(ACME, "android", **{"mdm-user": DAVE})
    assert [t["id"] for t in mine["items"]] == [tok["id"], again["id"]]
    by_policy = api.list_tokens(ACME, "android", **{"emm-policy": pol})
    assert tok["id"] in [t["id"] for t in by_policy["items"]]
    assert seeded_token("android", 2) not in [t["id"] for t in by_policy["items"]]
    gone = api.data("DELETE", tokens_path(ACME, "android", "/" + tok["id"]))
    assert gone["state"] == gone["status"] == "DELETED" and tuple(gone) == ANDROID_KEYS


def test_c01_apple_windows_aosp_read_models(api):
    apple = api.create_token(ACME, "apple", DAVE, policyId=policy_id("apple", 3),
                             admPolicyAssignments=[{"admPolicyId": policy_id("apple", 3), "priority": 1}])
    assert apple["organization"] == ACME_ID and "admEnterprise" in apple and apple["mdmUser"]["id"] == DAVE
    assert apple["admPolicy"] == {"id": policy_id("apple", 3), "name": "Kiosk"}
    assert apple["admPolicyAssignments"][0]["admPolicy"]["name"] == "Kiosk"
    assert "enrollCode" in apple and "profiles" in apple and apple["type"] and apple["subType"]
    win = api.create_token(ACME, "windows", DAVE, winPolicyId=policy_id("windows", 1), emailText="hi", segmentId=3)
    for key in ("organizationId", "winEnterpriseId", "mdmUser", "state", "expireAt", "summary", "winPolicyId", "winPolicyAssignments",
                "enrollmentLink", "enrollCode", "sendEmail", "emailText", "segmentId"):
        assert key in win, key
    assert win["segmentId"] == "3"  # the vendor examples show segmentId as a string
    provider = "64f000000000000000000001"
    aosp = api.create_token(ACME, "aosp", DAVE, aosPolicyAssignments=[{"aosPolicyId": policy_id("aosp", 3), "priority": 2}],
                            dpcBuildTag="stable", pushNotificationProvider=provider, segmentId=0)
    assert aosp["pushNotificationProvider"] == provider and aosp["segmentId"] == 0
    assert aosp["mdmUserId"] == DAVE and "mdmUser" not in aosp
    assert "expireAt" not in aosp and ISO_RE.match(aosp["summary"]["expirationTimestamp"])
    assert aosp["type"] == "aosp" and aosp["subType"] == "enrollment"
    assert aosp["status"] == aosp["state"] == "PENDING"
    assert aosp["organizationId"] == ACME_ID and OID_RE.match(aosp["aosEnterpriseId"])
    assert aosp["aosPolicyAssignments"] == [{"aosPolicyId": policy_id("aosp", 3), "aosPolicy": {
        "id": policy_id("aosp", 3), "name": "Kiosk", "version": "3"}, "priority": 2}]
    assert set(aosp["config"]) == {"oneTimeToken", "enrollmentHost", "qrCode"} and isinstance(aosp["config"]["qrCode"], dict)
    for key in ("perpetual", "managementMode", "dpcBuildTag", "pushNotificationProvider", "segmentId"):
        assert key in aosp, key


@pytest.mark.parametrize("platform", PLATFORMS)
def test_c02_soft_delete_everywhere(api, platform):
    tok = api.create_token(ACME, platform, DAVE)
    deleted = api.data("DELETE", tokens_path(ACME, platform, "/" + tok["id"]))
    assert deleted["id"] == tok["id"] and deleted["state"] == "DELETED"
    assert api.data("GET", tokens_path(ACME, platform, "/" + tok["id"]))["state"] == "DELETED"
    default_ids = [t["id"] for t in api.list_tokens(ACME, platform, limit=100)["items"]]
    assert tok["id"] not in default_ids
    if platform == "aosp":
        shown = api.list_tokens(ACME, platform, status="DELETED")
    else:
        shown = api.list_tokens(ACME, platform, **{"show-deleted": "true", "limit": 100})
    assert tok["id"] in [t["id"] for t in shown["items"]]


def test_c03_expiry_duration_and_clock(api, ctl):
    default = api.create_token(ACME, "apple", DAVE)
    assert parse_iso(default["expireAt"]) - parse_iso(default["createdAt"]) == 86400 * 1000
    short = api.create_token(ACME, "windows", DAVE, duration=3600)
    assert parse_iso(short["expireAt"]) - parse_iso(short["createdAt"]) == 3600 * 1000
    for bad in (59, 2592001):
        assert_error(api.post(tokens_path(ACME, "windows"), json=create_body("windows", DAVE, duration=bad)), 400, 5209)
    perpetual = api.create_token(ACME, "aosp", DAVE, perpetual=True)
    assert "expirationTimestamp" not in perpetual["summary"]
    ctl.advance(3601)
    assert api.data("GET", tokens_path(ACME, "windows", "/" + short["id"]))["state"] == "EXPIRED"
    assert api.data("GET", tokens_path(ACME, "apple", "/" + default["id"]))["state"] == "PENDING"
    ctl.advance(40 * 86400)
    assert api.data("GET", tokens_path(ACME, "apple", "/" + default["id"]))["state"] == "EXPIRED"
    assert api.data("GET", tokens_path(ACME, "aosp", "/" + perpetual["id"]))["status"] == "PENDING"
    # the seeded carol Windows token was created two days ago with a one-day duration
    assert api.data("GET", tokens_path(ACME, "windows", "/" + seeded_token("windows", 3)))["state"] == "EXPIRED"
    # moving the clock back makes the token valid again (lazy expiry index is rebuilt)
    ctl.set_clock(0)
    assert api.data("GET", tokens_path(ACME, "windows", "/" + short["id"]))["state"] == "PENDING"
    # AOSP bulk needs a duration, perpetual or not (seed 004): 0 ... 2^53-1
    body = bulk_body("aosp", ["dave@example.com"])
    del body["duration"]
    assert "duration" in assert_error(api.post(tokens_path(ACME, "aosp", "/bulk"), json=body), 400, 5209)["message"]
    body["perpetual"] = True
    assert "duration" in assert_error(api.post(tokens_path(ACME, "aosp", "/bulk"), json=body), 400, 5209)["message"]
    for good in (0, 9007199254740991):
        body["duration"] = good
        assert api.data("POST", tokens_path(ACME, "aosp", "/bulk"), json=body)["success"] == 1
    for bad in (-1, 9007199254740992, 1.5, "60"):
        body["duration"] = bad
        assert_error(api.post(tokens_path(ACME, "aosp", "/bulk"), json=body), 400, 5209)
    # an AOSP token may live 0 seconds (expired at once) or up to the end of year 9999
    zero = api.create_token(ACME, "aosp", DAVE, duration=0)
    assert zero["state"] == "EXPIRED"
    huge = api.create_token(ACME, "aosp", DAVE, duration=9007199254740991)
    assert huge["summary"]["expirationTimestamp"] == "9999-12-31T23:59:59.999Z" and huge["state"] == "PENDING"


def test_c03_expired_tokens_listed_and_counted(api, ctl):
    tok = api.create_token(ACME, "android", DAVE, duration=60)
    ctl.advance(61)
    states = {t["id"]: t["state"] for t in api.list_tokens(ACME, "android", limit=100)["items"]}
    assert states[tok["id"]] == "EXPIRED"
    aosp = api.create_token(ACME, "aosp", DAVE, duration=60)
    ctl.advance(61)
    expired = api.list_tokens(ACME, "aosp", status="EXPIRED")
    assert aosp["id"] in [t["id"] for t in expired["items"]]


def test_c04_pagination_envelope_and_limits(api, ctl):
    ctl.inject_tokens(ACME, "apple", [{"email": f"page{i}@example.com"} for i in range(248)])
    first = api.list_tokens(ACME, "apple")
    total = first["totalDocs"]
    assert total == 250  # 248 + alice + bob (carol's is DELETED)
    assert first["limit"] == 20 and first["page"] == 1 and first["totalPages"] == 13
    assert first["hasPrevPage"] is False and first["prevPage"] is None
    assert first["hasNextPage"] is True and first["nextPage"] == 2 and first["pagingCounter"] == 1
    assert len(first["items"]) == 20
    capped = api.list_tokens(ACME, "apple", limit=1000)
    assert capped["limit"] == 100 and len(capped["items"]) == 100 and capped["totalPages"] == 3
    last = api.list_tokens(ACME, "apple", limit=100, page=3)
    assert len(last["items"]) == 50 and last["hasNextPage"] is False and last["nextPage"] is None and last["prevPage"] == 2
    beyond = api.list_tokens(ACME, "apple", limit=100, page=9)
    assert beyond["items"] == [] and beyond["page"] == 9
    assert_error(api.get(tokens_path(ACME, "apple"), params={"page": 0}), 400, 5209)
    assert_error(api.get(tokens_path(ACME, "apple"), params={"limit": "ten"}), 400, 5209)
    # walking every page gives every token once, in createdAt order
    seen = []
    page = 1
    while True:
        data = api.list_tokens(ACME, "apple", limit=100, page=page)
        seen.extend(data["items"])
        if not data["hasNextPage"]:
            break
        page = data["nextPage"]
    assert len({t["id"] for t in seen}) == total
    created = [t["createdAt"] for t in seen]
    assert created == sorted(created)
    desc = api.list_tokens(ACME, "apple", limit=100, sort="createdAt:desc")["items"]
    assert [t["id"] for t in desc] == [t["id"] for t in reversed(seen)][:100]


def test_c04_stable_tie_break(api, ctl):
    same_time = "2030-01-01T00:00:00.000Z"
    ids = ctl.inject_tokens(ACME, "windows", [{"email": "dave@example.com", "createdAt": same_time, "duration": 3600}] * 30)
    items = api.list_tokens(ACME, "windows", limit=100, **{"mdm-user": DAVE})["items"]
    assert [t["id"] for t in items] == ids
    again = api.list_tokens(ACME, "windows", limit=100, **{"mdm-user": DAVE})["items"]
    assert [t["id"] for t in again] == ids


def test_c05_aosp_list_filters(api):
    resp = api.get(tokens_path(ACME, "aosp"), params={"mdm-user": ALICE})
    assert "mdm-user" in assert_error(resp, 400, 5209)["message"]
    tok = api.create_token(ACME, "aosp", DAVE)
    api.delete(tokens_path(ACME, "aosp", "/" + tok["id"]))
    both = api.list_tokens(ACME, "aosp", status="PENDING,DELETED")
    assert {t["status"] for t in both["items"]} == {"PENDING", "DELETED"}
    repeated = api.list_tokens(ACME, "aosp", status=["PENDING", "DELETED"])
    assert repeated["totalDocs"] == both["totalDocs"] == 3
    assert {t["status"] for t in api.list_tokens(ACME, "aosp", status="PENDING")["items"]} == {"PENDING"}
    assert_error(api.get(tokens_path(ACME, "aosp"), params={"status": "BOGUS"}), 400, 5209)
    # clients filter mdmUserId themselves
    assert {t["mdmUserId"] for t in api.list_tokens(ACME, "aosp")["items"]} == {ALICE, BOB}


def test_c06_bulk_duplicates_unknown_users_and_counts(api, ctl):
    body = bulk_body("apple", ["dave@example.com", "Dave@Example.com", "newbie@example.com"], tags=["bulk"])
    result = api.data("POST", tokens_path(ACME, "apple", "/bulk"), json=body)
    assert result == {"total": 3, "success": 3, "fail": 0}
    daves = [t for t in ctl.state_tokens(ACME, "apple", email="dave@example.com") if t["state"] == "PENDING"]
    assert len(daves) == 2  # duplicate e-mails yield duplicate tokens
    assert [u for u in ctl.state_users(ACME) if u["email"] == "newbie@example.com"]
    ctl.set_settings(bulk_creates_users=False)
    result = api.data("POST", tokens_path(ACME, "windows", "/bulk"), json=bulk_body("windows", ["stranger@example.com", "bob@example.com"]))
    assert result == {"total": 2, "success": 1, "fail": 1}
    assert not [u for u in ctl.state_users(ACME) if u["email"] == "stranger@example.com"]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_c06_bulk_limits_and_malformed_email(api, ctl, platform):
    before = len(ctl.state_tokens(ACME, platform))
    too_many = bulk_body(platform, [f"u{i}@example.com" for i in range(1001)])
    assert_error(api.post(tokens_path(ACME, platform, "/bulk"), json=too_many), 400, 5017, "Limit Exceeded")
    bad = bulk_body(platform, ["ok1@example.com", "not-an-email", "ok2@example.com"])
    assert "userEmails[1]" in assert_error(api.post(tokens_path(ACME, platform, "/bulk"), json=bad), 400, 5209)["message"]
    assert_error(api.post(tokens_path(ACME, platform, "/bulk"), json=bulk_body(platform, [])), 400, 5209)
    assert len(ctl.state_tokens(ACME, platform)) == before
    ok = api.post(tokens_path(ACME, platform, "/bulk"), json=bulk_body(platform, [f"u{i}@example.com" for i in range(1000)]))
    assert ok.status_code == 200 and set(ok.json()["data"]) == {"total", "success", "fail"}
    assert ok.json()["data"]["success"] == 1000


def test_c13_windows_put(api, ctl):
    tok = api.create_token(ACME, "windows", DAVE, displayName="old", tags=["x"])
    path = tokens_path(ACME, "windows", "/" + tok["id"])
    change = {"displayName": "new", "tags": ["y", "z"], "winPolicyId": policy_id("windows", 2),
              "winPolicyAssignments": [{"winPolicyId": policy_id("windows", 3), "priority": 7}], "segmentId": "1"}
    updated = api.data("PUT", path, json=change)
    assert updated["displayName"] == "new" and updated["tags"] == ["y", "z"]
    assert updated["winPolicyId"] == policy_id("windows", 2)
    assert updated["winPolicyAssignments"] == [{"winPolicyId": policy_id("windows", 3), "winPolicy": {
        "id": policy_id("windows", 3), "name": "Kiosk"}, "priority": 7}]
    assert updated["segmentId"] == "1" and updated["expireAt"] == tok["expireAt"]
    assert api.data("PUT", path, json={"segmentId": 2})["segmentId"] == "2"  # an integer is echoed as a string too
    listed = api.list_tokens(ACME, "windows", **{"win-policy": policy_id("windows", 3)})
    assert [t["id"] for t in listed["items"]] == [tok["id"]]
    for forbidden in ({"duration": 600}, {"sendEmail": True}, {"mdmUserId": ALICE}, {"language": "en"}):
        assert_error(api.put(path, json=forbidden), 400, 5209)
    api.delete(path)
    assert_error(api.put(path, json={"displayName": "again"}), 400, 5120, "Error updating entity")
    expiring = api.create_token(ACME, "windows", DAVE, duration=60)
    ctl.advance(120)
    assert_error(api.put(tokens_path(ACME, "windows", "/" + expiring["id"]), json={"tags": []}), 400, 5120)
    assert_error(api.put(tokens_path(ACME, "apple", "/" + seeded_token("apple", 1)), json={"tags": []}), 404, 3001)


def _walk(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}[{i}]")
    else:
        yield path, node


def test_c14_times_and_ids(api):
    payloads = [api.create_token(ACME, p, CAROL) for p in PLATFORMS]
    payloads += [api.list_tokens(ACME, p, **({"show-deleted": "true"} if p != "aosp" else {})) for p in PLATFORMS]
    payloads.append(api.data("GET", "/organizations/acme/mdm/users"))
    payloads.append(api.data("GET", "/organizations/acme/mdm/policies"))
    payloads.append(api.data("GET", "/organizations"))
    times = ids = 0
    for payload in payloads:
        for path, value in _walk(payload):
            key = path.rsplit(".", 1)[-1]
            if key.endswith("At") or key in ("expirationTimestamp", "serverExpirationDate"):
                assert isinstance(value, str) and ISO_RE.match(value), (path, value)
                times += 1
            elif (key == "id" or key.endswith("Id") or key in ("organization", "emmEnterprise", "admEnterprise")) and value is not None:
                if key in ("segmentId", "oneTimeToken"):
                    continue
                assert isinstance(value, str) and OID_RE.match(value), (path, value)
                ids += 1
    assert times > 50 and ids > 50
