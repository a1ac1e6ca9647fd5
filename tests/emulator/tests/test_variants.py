"""Section 8.1 variants (V1-V10) played through ``/_emulator/settings`` and the enroll endpoint."""

from __future__ import annotations

import pytest

from emulator.harness import EmulatorError
from emulator.tests.helpers import ACME, ALICE, DAVE, OID_RE, PLATFORMS, seeded_token, tokens_path

DEVICE_FIELD = {"android": "emmDevice", "apple": "admDevice", "windows": "winDeviceId", "aosp": "aosDeviceId"}


def _inject(ctl, platform, n, email="bulk@example.com"):
    return ctl.inject_tokens(ACME, platform, [{"email": email} for _ in range(n)])


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
