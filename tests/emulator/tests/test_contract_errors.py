"""Contract rows C7-C12 (applivery-api.md section 8): validation, auth, not found, plan limits, rate limit, e-mails."""

from __future__ import annotations

import time

import pytest

from emulator.harness import DEVELOPER_TOKEN, OTHER_ORG_TOKEN, VIEWER_TOKEN
from emulator.tests.helpers import (
    ACME, ACME_ID, DAVE, ERIN, PLATFORMS, TINY, UNKNOWN_ID, assert_error, bulk_body, create_body, policy_id, seeded_token, tokens_path,
)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_c07_validation_errors(api, ctl, platform):
    path = tokens_path(ACME, platform)
    cases = [
        (create_body(platform, DAVE, bogus=1), "bogus"),
        (create_body(platform, DAVE, displayName=42), "displayName"),
        (create_body(platform, DAVE, tags="not-a-list"), "tags"),
        (create_body(platform, DAVE, duration=-1 if platform == "aosp" else 10), "duration"),
        (create_body(platform, DAVE, duration="3600"), "duration"),
        (create_body(platform, DAVE, language="tlh"), "language"),
        (create_body(platform, "not-an-id"), "mdmUserId"),
        (dict(create_body(platform, DAVE), managementMode="BOSS"), "managementMode"),
    ]
    if platform != "aosp":
        cases.append((create_body(platform, DAVE, sendEmail="yes"), "sendEmail"))
    for body, field in cases:
        err = assert_error(api.post(path, json=body), 400, 5209)
        assert err["message"].startswith(f"Invalid input: {field}"), err
    required = ["mdmUserId"] + (["sendEmail"] if platform != "aosp" else []) + (["managementMode"] if platform in ("android", "aosp") else [])
    for field in required:
        body = create_body(platform, DAVE)
        body.pop(field, None)
        assert assert_error(api.post(path, json=body), 400, 5209)["message"] == f"Invalid input: {field} is required"
        if field != "mdmUserId":
            bulk = bulk_body(platform, ["dave@example.com"])
            bulk.pop(field)
            assert assert_error(api.post(path + "/bulk", json=bulk), 400, 5209)["message"] == f"Invalid input: {field} is required"
    assert_error(api.request("POST", path), 400, 5209)  # no body at all
    assert len(ctl.state_tokens(ACME, platform, email="dave@example.com")) == 0


def test_c07_nested_and_invalid_json(api, emu):
    err = assert_error(api.post(tokens_path(ACME, "android"), json=create_body(
        "android", DAVE, emmPolicyAssignments=[{"emmPolicyId": policy_id("android", 1)}])), 400, 5209)
    assert err["message"] == "Invalid input: emmPolicyAssignments[0].priority is required"
    err = assert_error(api.post(tokens_path(ACME, "windows"), json=create_body(
        "windows", DAVE, winPolicyAssignments=[{"winPolicyId": policy_id("windows", 1), "priority": 10001}])), 400, 5209)
    assert "winPolicyAssignments[0].priority" in err["message"]
    raw = api.session.post(f"{emu.url}/v1{tokens_path(ACME, 'apple')}", data=b"{not json", timeout=10,
                           headers={"Authorization": f"Bearer {api.token}", "Content-Type": "application/json"})
    api.validator.validate("POST", f"/v1{tokens_path(ACME, 'apple')}", None, raw)
    assert_error(raw, 400, 5209)


def test_c08_auth(api, ctl):
    path = tokens_path(ACME, "apple")
    assert_error(api.as_token(None).get(path), 401, 4002, "No auth token")
    assert_error(api.as_token("definitely-not-a-token").get(path), 401, 4004, "Invalid Token")
    viewer = api.as_token(VIEWER_TOKEN)
    assert viewer.get(path).status_code == 200
    seq = ctl.last_seq()
    assert_error(viewer.post(path, json=create_body("apple", DAVE)), 403, 4010, "Permission denied")
    assert_error(viewer.delete(tokens_path(ACME, "apple", "/" + seeded_token("apple", 1))), 403, 4010, "Permission denied")
    assert_error(viewer.post("/organizations/acme/mdm/users", json={"email": "v@example.com"}), 403, 4010)
    assert_error(viewer.put(tokens_path(ACME, "windows", "/" + seeded_token("windows", 1)), json={"tags": []}), 403, 4010)
    assert_error(viewer.post(path + "/bulk", json=bulk_body("apple", ["a@example.com"])), 403, 4010)
    assert ctl.state_tokens(ACME, "apple", email="dave@example.com") == []
    assert ctl.summary(seq)["writes"] == 5
    developer = api.as_token(DEVELOPER_TOKEN)
    assert developer.post(path, json=create_body("apple", DAVE)).status_code == 200


def test_c09_not_found(api):
    for org in ("no-such-org", "ffffffffffffffffffffffff"):
        assert_error(api.get(tokens_path(org, "apple")), 404, 3001, "Entity not found")
        assert_error(api.get(f"/organizations/{org}"), 404, 3001)
    assert api.data("GET", f"/organizations/{ACME_ID}")["slug"] == ACME
    assert api.list_tokens(ACME_ID, "apple")["totalDocs"] == api.list_tokens(ACME, "apple")["totalDocs"]
    for platform in PLATFORMS:
        assert_error(api.get(tokens_path(ACME, platform, "/" + UNKNOWN_ID)), 404, 3001)
        assert_error(api.delete(tokens_path(ACME, platform, "/" + UNKNOWN_ID)), 404, 3001)
        assert_error(api.post(tokens_path(ACME, platform), json=create_body(platform, UNKNOWN_ID)), 404, 3001)
        # a token of another platform is not found either
        other = "apple" if platform != "apple" else "android"
        assert_error(api.get(tokens_path(ACME, platform, "/" + seeded_token(other, 1))), 404, 3001)
    assert_error(api.post(tokens_path(ACME, "apple"), json=create_body("apple", DAVE, policyId=UNKNOWN_ID)), 404, 3001)
    assert_error(api.post(tokens_path(ACME, "apple"), json=create_body("apple", DAVE, policyId=policy_id("android", 1))), 404, 3001)
    assert_error(api.post(tokens_path(ACME, "aosp"), json=create_body(
        "aosp", DAVE, aosPolicyAssignments=[{"aosPolicyId": UNKNOWN_ID, "priority": 1}])), 404, 3001)
    assert_error(api.put(tokens_path(ACME, "windows", "/" + seeded_token("windows", 1)), json={"winPolicyId": UNKNOWN_ID}), 404, 3001)
    assert_error(api.get("/organizations/acme/mdm/users/" + UNKNOWN_ID), 404, 3001)
    assert_error(api.put("/organizations/acme/mdm/users/" + UNKNOWN_ID, json={"name": "x"}), 404, 3001)
    assert_error(api.delete("/organizations/acme/mdm/users/" + UNKNOWN_ID), 404, 3001)
    other = api.as_token(OTHER_ORG_TOKEN)
    assert_error(other.get(tokens_path(ACME, "apple")), 404, 3001)
    assert_error(other.get("/organizations/acme"), 404, 3001)
    assert [o["slug"] for o in other.data("GET", "/organizations")["items"]] == ["other-org"]
    assert other.data("GET", "/organizations/other-org/mdm/users")["totalDocs"] == 1


def test_c10_plan_features_and_quota(api, ctl):
    assert_error(api.post(tokens_path(TINY, "windows", "/bulk"), json=bulk_body("windows", ["erin@example.com"])), 400, 5050,
                 "Feature not allowed for you billing plan")
    win = api.create_token(TINY, "windows", ERIN)
    assert_error(api.put(tokens_path(TINY, "windows", "/" + win["id"]), json={"displayName": "x"}), 400, 5050)
    assert api.data("POST", tokens_path(ACME, "windows", "/bulk"), json=bulk_body("windows", ["dave@example.com"]))["success"] == 1
    # tiny-shop: 10 PENDING tokens over all platforms; the seed has 1, we created 1 above
    for platform in ("apple", "android", "aosp", "apple", "android", "aosp", "windows"):
        api.create_token(TINY, platform, ERIN)
    assert api.post(tokens_path(TINY, "apple"), json=create_body("apple", ERIN)).status_code == 200  # the 10th
    assert_error(api.post(tokens_path(TINY, "apple"), json=create_body("apple", ERIN)), 400, 5017, "Limit Exceeded")
    # deleting one frees a slot; a bulk of three then commits one and fails with 5017 (partial commit)
    api.delete(tokens_path(TINY, "windows", "/" + win["id"]))
    resp = api.post(tokens_path(TINY, "apple", "/bulk"), json=bulk_body("apple", ["erin@example.com"] * 3))
    assert_error(resp, 400, 5017)
    pending = [t for p in PLATFORMS for t in ctl.state_tokens(TINY, p) if t["state"] == "PENDING"]
    assert len(pending) == 10
    # expired tokens do not count
    ctl.advance(86400 + 1)
    assert api.post(tokens_path(TINY, "apple"), json=create_body("apple", ERIN)).status_code == 200


def test_c11_rate_limit_and_retry_after(api, ctl):
    ctl.set_rate_limit(per_token_rps=0.5, burst=2)
    path = tokens_path(ACME, "apple")
    assert api.get(path).status_code == 200
    assert api.get(path).status_code == 200
    resp = api.get(path)
    assert_error(resp, 429, 4029, "Too many requests")
    assert int(resp.headers["Retry-After"]) >= 1
    # buckets are per bearer token
    assert api.as_token(DEVELOPER_TOKEN).get(path).status_code == 200
    assert ctl.rate_limit()["enabled"] is True
    ctl.clear_rate_limit()
    ctl.set_faults(seed=7, rates={"429_no_retry_after": 1.0})
    resp = api.get(path)
    assert_error(resp, 429, 4029, "Too many requests")
    assert "Retry-After" not in resp.headers
    ctl.set_faults(seed=7, rates={"429": 1.0}, retry_after=3)
    resp = api.get(path)
    assert_error(resp, 429, 4029)
    assert resp.headers["Retry-After"] == "3"


def test_c11_rate_limit_refills(api, ctl):
    ctl.set_rate_limit(per_token_rps=20, burst=1)
    path = "/organizations/acme"
    assert api.get(path).status_code == 200
    assert api.get(path).status_code == 429
    time.sleep(0.12)
    assert api.get(path).status_code == 200


def test_c12_emails(api, ctl):
    created = api.data("POST", "/organizations/acme/mdm/users", json={"email": "Mixed.Case@Example.COM", "name": "Mixed"})
    assert created["email"] == "mixed.case@example.com"
    exact = api.data("GET", "/organizations/acme/mdm/users", params={"email": "MIXED.case@example.com"})
    assert [u["id"] for u in exact["items"]] == [created["id"]]
    assert api.data("GET", "/organizations/acme/mdm/users", params={"email": "mixed.case@example"})["totalDocs"] == 0
    assert api.data("GET", "/organizations/acme/mdm/users", params={"email": "example.com"})["totalDocs"] == 0
    assert api.data("GET", "/organizations/acme/mdm/users", params={"search": "MIXED"})["totalDocs"] == 1
    assert api.data("GET", "/organizations/acme/mdm/users", params={"search": "example.com"})["totalDocs"] == 5
    assert_error(api.post("/organizations/acme/mdm/users", json={"email": "mixed.case@EXAMPLE.com"}), 400, 5048, "Mdm user already exists")
    assert_error(api.post("/organizations/acme/mdm/users", json={"email": "nope"}), 400, 5209)
    # bulk stores lower-case e-mails too
    api.post(tokens_path(ACME, "apple", "/bulk"), json=bulk_body("apple", ["UPPER@EXAMPLE.COM"]))
    assert [u for u in ctl.state_users(ACME) if u["email"] == "upper@example.com"]
    # delete: refused while PENDING tokens exist, fine once they are gone
    alice = "/organizations/acme/mdm/users/64c000000000000000000001"
    assert_error(api.delete(alice), 400, 5055)
    assert api.data("DELETE", f"/organizations/acme/mdm/users/{DAVE}") == {"delete": True}
    assert_error(api.get(f"/organizations/acme/mdm/users/{DAVE}"), 404, 3001)
    updated = api.data("PUT", f"/organizations/acme/mdm/users/{created['id']}", json={"name": "Renamed", "tags": ["t1"]})
    assert updated["name"] == "Renamed" and updated["email"] == "mixed.case@example.com"
    assert_error(api.put(f"/organizations/acme/mdm/users/{created['id']}", json={"email": "x@example.com"}), 400, 5209)
    assert "t1" in api.data("GET", "/organizations/acme/mdm/users/tags")
