"""Control API: reset, reseed, request log, clock, settings, faults, state access and injection."""

from __future__ import annotations

import json
import time

import pytest
import requests

from emulator.harness import ADMIN_TOKEN, EmulatorError
from emulator.settings import DEFAULTS as DEFAULT_SETTINGS
from emulator.tests.helpers import ACME, ALICE, DAVE, assert_error, create_body, seeded_token, tokens_path


def test_reset_really_resets(api, ctl):
    tok = api.create_token(ACME, "apple", DAVE)
    api.post("/organizations/acme/mdm/users", json={"email": "temp@example.com"})
    ctl.advance(3600)
    ctl.set_settings(bulk_creates_users=False)
    ctl.set_rate_limit(per_token_rps=100, burst=100)
    ctl.set_faults(seed=1, rates={"latency": 0.5}, latency_ms=1)
    assert ctl.last_seq() > 0
    ctl.reset()
    assert ctl.requests()["items"] == []
    assert_error(api.get(tokens_path(ACME, "apple", "/" + tok["id"])), 404, 3001)
    assert not [u for u in ctl.state_users(ACME) if u["email"] == "temp@example.com"]
    assert ctl.clock()["offset_seconds"] == 0
    assert ctl.settings() == DEFAULT_SETTINGS
    assert ctl.faults()["plan"] is None
    assert ctl.rate_limit()["enabled"] is False
    assert len(ctl.state_tokens(ACME, "apple")) == 3


def test_reseed_replaces_state_and_reset_restores(api, ctl):
    seed = {
        "serviceAccounts": [{"name": "solo", "token": "solo-token", "role": "Admin", "organizations": ["solo"]}],
        "organizations": [{"id": "64a0000000000000000000aa", "slug": "solo", "name": "Solo", "tokenQuota": 5,
                           "users": [{"id": "64c0000000000000000000aa", "email": "solo@example.com"}],
                           "tokens": [{"platform": "apple", "email": "solo@example.com"}]}],
    }
    ctl.reseed(seed)
    solo = api.as_token("solo-token")
    assert solo.list_tokens("solo", "apple")["totalDocs"] == 1
    assert_error(api.get(tokens_path(ACME, "apple")), 401, 4004)
    with pytest.raises(EmulatorError):
        ctl.reseed({"organizations": [{"slug": "no-id"}]})
    ctl.reset()
    assert api.list_tokens(ACME, "apple")["totalDocs"] == 2


def test_request_log_records_vendor_calls_without_secrets(api, ctl):
    seq = ctl.last_seq()
    api.get(tokens_path(ACME, "apple"), params={"limit": 5, "show-deleted": "true"})
    api.create_token(ACME, "apple", DAVE)
    api.as_token(None).get("/organizations")
    ctl.clock()  # control calls are never logged
    log = ctl.requests(seq)
    items = log["items"]
    assert [(e["method"], e["status"]) for e in items] == [("GET", 200), ("POST", 200), ("GET", 401)]
    first = items[0]
    assert first["path"] == "/v1" + tokens_path(ACME, "apple")
    assert first["query"] == {"limit": "5", "show-deleted": "true"}
    assert set(first) == {"seq", "method", "path", "query", "status", "time", "duration_ms", "fault"}
    assert first["fault"] is None and first["duration_ms"] >= 0 and first["time"].endswith("Z")
    assert log["last_seq"] == items[-1]["seq"] and [e["seq"] for e in items] == sorted(e["seq"] for e in items)
    assert ctl.writes_since(seq) == 1 and ctl.writes_since(seq)[0]["method"] == "POST"
    assert ctl.writes_since(items[-1]["seq"]) == 0
    summary = ctl.summary(seq)
    assert summary["reads"] == 2 and summary["writes"] == 1 and summary["by_method"] == {"GET": 2, "POST": 1}
    text = json.dumps(ctl.requests(0))
    assert ADMIN_TOKEN not in text and "Bearer" not in text and "authorization" not in text.lower()
    ctl.clear_requests()
    assert ctl.requests(0)["items"] == []
    assert ctl.last_seq() >= items[-1]["seq"]


def test_clock_control(ctl):
    start = ctl.clock()
    assert start["offset_seconds"] == 0
    moved = ctl.advance(86400)
    assert moved["offset_seconds"] == 86400
    assert moved["now"] > start["now"]
    assert ctl.set_clock(-30)["offset_seconds"] == -30
    with pytest.raises(EmulatorError):
        ctl.set_clock("soon")


def test_commit_then_fail_applies_write_then_answers_502(api, ctl):
    ctl.set_faults(seed=3, rates={"commit_then_fail": 1.0})
    assert api.get(tokens_path(ACME, "apple")).status_code == 200  # reads are never hit
    before = len(ctl.state_tokens(ACME, "windows", email="dave@example.com"))
    resp = api.post(tokens_path(ACME, "windows"), json=create_body("windows", DAVE, displayName="ghost"))
    assert resp.status_code == 502 and resp.headers["Content-Type"].startswith("text/html")
    after = ctl.state_tokens(ACME, "windows", email="dave@example.com")
    assert len(after) == before + 1 and after[-1]["displayName"] == "ghost" and after[-1]["state"] == "PENDING"
    resp = api.delete(tokens_path(ACME, "apple", "/" + seeded_token("apple", 1)))
    assert resp.status_code == 502
    # a refused write keeps its real answer and is not counted
    assert_error(api.post(tokens_path(ACME, "windows"), json={"mdmUserId": DAVE}), 400, 5209)
    assert ctl.faults()["counters"]["commit_then_fail"] == 2
    ctl.clear_faults()
    assert api.data("GET", tokens_path(ACME, "apple", "/" + seeded_token("apple", 1)))["state"] == "DELETED"
    entries = ctl.requests(0)["items"]
    assert [e["fault"] for e in entries if e["method"] != "GET"] == ["commit_then_fail", "commit_then_fail", None]


@pytest.mark.parametrize("status", ["500", "502", "503"])
def test_proxy_style_5xx_are_not_json(api, ctl, status):
    ctl.set_faults(seed=1, rates={status: 1.0})
    resp = api.get(tokens_path(ACME, "apple"))
    assert resp.status_code == int(status)
    assert resp.headers["Content-Type"].startswith("text/html")
    with pytest.raises(ValueError):
        resp.json()
    assert ctl.faults()["counters"][status] == 1


def test_reset_fault_aborts_the_connection(emu, ctl, api):
    ctl.set_faults(seed=5, rates={"reset": 1.0})
    session = requests.Session()
    with pytest.raises(requests.exceptions.ConnectionError) as info:
        session.get(f"{emu.url}/v1/organizations/acme", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=10)
    assert "reset" in str(info.value).lower() or "aborted" in str(info.value).lower()
    ctl.clear_faults()
    assert api.get("/organizations/acme").status_code == 200
    assert [e["status"] for e in ctl.requests(0)["items"]][:1] == [0]


def test_latency_fault(api, ctl):
    ctl.set_faults(seed=9, rates={"latency": 1.0}, latency_ms=300)
    started = time.monotonic()
    assert api.get("/organizations/acme").status_code == 200
    assert time.monotonic() - started >= 0.3
    assert ctl.faults()["counters"]["latency"] == 1


def _statuses(api, ctl, plan, count=40):
    ctl.reset()
    ctl.set_faults(plan)
    return [api.get("/organizations/acme").status_code for _n in range(count)]


def test_fault_draws_are_deterministic_and_filtered(api, ctl):
    plan = {"seed": 42, "rates": {"429": 0.2, "503": 0.2}}
    first = _statuses(api, ctl, plan)
    assert first == _statuses(api, ctl, plan)
    assert {200, 429, 503} <= set(first)
    snap = ctl.faults()
    assert snap["draws"] == 40 and snap["counters"]["429"] == first.count(429) and snap["counters"]["503"] == first.count(503)
    # filters: only POSTs to .../users are eligible
    ctl.set_faults(seed=1, rates={"503": 1.0}, methods=["POST"], path_regex="/mdm/users$")
    assert api.get("/organizations/acme/mdm/users").status_code == 200
    assert api.post(tokens_path(ACME, "apple"), json=create_body("apple", DAVE)).status_code == 200
    assert api.post("/organizations/acme/mdm/users", json={"email": "f@example.com"}).status_code == 503
    with pytest.raises(EmulatorError):
        ctl.set_faults(seed=1, rates={"500": 0.7, "502": 0.7})
    with pytest.raises(EmulatorError):
        ctl.set_faults(seed=1, rates={"teapot": 0.1})


def test_state_endpoints_and_injection(api, ctl):
    started = time.monotonic()
    ids = ctl.inject_tokens(ACME, "android", [{"email": f"bulk{i % 50}@example.com", "tags": ["perf"]} for i in range(5000)])
    assert len(ids) == 5000 and time.monotonic() - started < 10
    assert api.list_tokens(ACME, "android")["totalDocs"] == 5003  # + alice, bob (PENDING), carol (DONE)
    special = ctl.inject_tokens(ACME, "android", [
        {"email": "alice@example.com", "state": "DELETED"},
        {"email": "alice@example.com", "state": "DONE", "displayName": "used"},
        {"email": "alice@example.com", "createdOffsetSeconds": -7200, "duration": 3600},
    ])
    states = {t["id"]: t["state"] for t in ctl.state_tokens(ACME, "android", email="ALICE@example.com")}
    assert [states[i] for i in special] == ["DELETED", "DONE", "EXPIRED"]
    assert states[seeded_token("android", 1)] == "PENDING"
    mine = api.list_tokens(ACME, "android", **{"mdm-user": ALICE, "show-deleted": "true"})
    assert mine["totalDocs"] == 4
    users = ctl.state_users(ACME)
    assert len([u for u in users if u["email"].startswith("bulk")]) == 50
    alice = next(u for u in users if u["id"] == ALICE)
    assert alice["android"]["enrollmentTokens"] == {"DONE": 1, "PENDING": 1, "EXPIRED": 1, "DELETED": 1}
    with pytest.raises(EmulatorError):
        ctl.inject_tokens(ACME, "android", [{"email": "nobody@example.com"}], create_users=False)
    with pytest.raises(EmulatorError):
        ctl.inject_tokens(ACME, "bogus", [])


def test_settings_validation(ctl):
    with pytest.raises(EmulatorError):
        ctl.set_settings(bulk_creates_users="no")
    with pytest.raises(EmulatorError):
        ctl.set_settings(unknown=True)
    assert ctl.set_settings(bulk_creates_users=False) == dict(DEFAULT_SETTINGS, bulk_creates_users=False)
