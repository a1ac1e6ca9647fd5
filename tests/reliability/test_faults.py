"""Faults: enrollment_token_bulk against a faulty API keeps exactly one token per person, and gives up cleanly.

Real ansible-playbook runs against the emulator's fault injector (deterministic seed; the order in
which concurrent page reads arrive still varies, so the assertions hold for any draw sequence).
"""

from __future__ import annotations

import os

import pytest
import requests

from reliability.helpers import PLATFORM_ARGS, PLATFORMS, all_token_ids, build_playbook, connection, emails, module_task, pending_by_email, run_playbook, writes

USERS_PER_PLATFORM = int(os.environ.get("RELIABILITY_FAULT_USERS", "2000"))
# 20% of all requests get a fault: every kind the emulator has, on every method.
FAULTS_20 = {"429": 0.03, "429_no_retry_after": 0.03, "500": 0.02, "502": 0.02, "503": 0.02, "reset": 0.03, "latency": 0.02,
             "commit_then_fail": 0.03}
# Every request fails (commit_then_fail and latency let reads through, so they are not in it).
FAULTS_100 = {"429": 0.2, "429_no_retry_after": 0.15, "500": 0.15, "502": 0.15, "503": 0.15, "reset": 0.2}
# Every write fails, and 20% of them only after they were committed.
WRITE_FAULTS_100 = {"commit_then_fail": 0.2, "503": 0.3, "reset": 0.25, "429": 0.25}
CHUNK = 100
RETRIES = 6


def bulk_task(url, platform, users, retries=RETRIES, **extra):
    args = connection(url, retries=retries, timeout=30)
    args.update(PLATFORM_ARGS[platform], platform=platform, users=users, create_users=True, chunk_size=CHUNK)
    args.update(extra)
    return module_task("enrollment_token_bulk", args)


def assert_results_match_state(ctl, platform, result, people):
    """Every person has exactly one PENDING token in the emulator, and it is the one the module reported."""
    pending = pending_by_email(ctl, platform)
    by_email = dict((r["email"], r) for r in result["results"])
    assert sorted(by_email) == sorted(people), "%s: the results do not cover exactly the people asked for" % platform
    duplicates = dict((e, pending[e]) for e in people if len(pending.get(e, [])) > 1)
    missing = [e for e in people if not pending.get(e)]
    assert not duplicates, "%s: %d people have more than one PENDING token: %s" % (platform, len(duplicates), list(duplicates.items())[:5])
    assert not missing, "%s: %d people have no PENDING token: %s" % (platform, len(missing), missing[:5])
    wrong = [(e, by_email[e]["token"], pending[e]) for e in people if (by_email[e]["token"] or {}).get("id") != pending[e][0]]
    assert not wrong, "%s: %d results name another token than the emulator holds: %s" % (platform, len(wrong), wrong[:3])


@pytest.mark.slow
def test_bulk_under_20_percent_faults_every_platform(tmp_path, url, ctl):
    """2,000 people per platform, 20% faults of every kind: one token each, truthful results, then a write-free re-run."""
    people = dict((p, emails("fault-" + p, USERS_PER_PLATFORM)) for p in PLATFORMS)
    seeded = dict((p, set(all_token_ids(ctl, p))) for p in PLATFORMS)
    ctl.set_faults(seed=20260101, rates=FAULTS_20, latency_ms=150, retry_after=1)
    run = run_playbook(str(tmp_path / "faulty"), build_playbook([bulk_task(url, p, people[p]) for p in PLATFORMS]))
    counters = ctl.faults()["counters"]
    ctl.clear_faults()
    print("20%% faults, %d people x %d platforms: %.1f s, injected %s" % (USERS_PER_PLATFORM, len(PLATFORMS), run.elapsed, counters))
    assert run.rc == 0, run.describe()
    for kind in FAULTS_20:
        assert counters[kind] > 0, "the fault plan never injected %s, so the test proves nothing about it: %s" % (kind, counters)
    for platform, result in zip(PLATFORMS, run.results):
        assert not result.get("failed"), "%s: %s" % (platform, result.get("msg"))
        assert result["summary"]["created"] == USERS_PER_PLATFORM, result["summary"]
        assert_results_match_state(ctl, platform, result, people[platform])
        made = set(all_token_ids(ctl, platform)) - seeded[platform]
        # exactly one token per person was ever made, DELETED ones included: no duplicate was created and revoked
        assert len(made) == USERS_PER_PLATFORM, "%s: %d tokens made for %d people" % (platform, len(made), USERS_PER_PLATFORM)

    seq = ctl.last_seq()
    rerun = run_playbook(str(tmp_path / "rerun"), build_playbook([bulk_task(url, p, people[p]) for p in PLATFORMS]))
    print("re-run without faults: %.1f s" % rerun.elapsed)
    assert rerun.rc == 0, rerun.describe()
    for platform, result in zip(PLATFORMS, rerun.results):
        assert result["changed"] is False, "%s: %s" % (platform, result["summary"])
        assert result["summary"]["unchanged"] == USERS_PER_PLATFORM
    assert writes(ctl, seq) == [], "the re-run wrote to the API"


def test_every_request_failing_ends_in_a_clear_bounded_failure(tmp_path, url, ctl):
    """100% faults: a clear failure after exactly `retries` retries of the first read, within the backoff budget, no write."""
    people = emails("doomed", 50)
    before = dict((p, all_token_ids(ctl, p)) for p in PLATFORMS)
    ctl.set_faults(seed=100, rates=FAULTS_100, retry_after=1)
    seq = ctl.last_seq()
    run = run_playbook(str(tmp_path / "doomed"), build_playbook([bulk_task(url, "apple", people, retries=3)]))
    log = ctl.requests(seq)["items"]
    ctl.clear_faults()
    result = run.result
    print("100%% faults: %.1f s, %d requests, msg: %s" % (run.elapsed, len(log), result.get("msg")))
    assert result["failed"] is True, run.describe()
    assert "after 3 retries" in result["msg"], result["msg"]
    assert "Applivery API" in result["msg"] and "GET /organizations/acme/mdm/apple" in result["msg"], result["msg"]
    # bounded retries: the first read, tried once and retried RETRIES times, then nothing else
    assert len(log) == 3 + 1, [(e["method"], e["path"], e["fault"]) for e in log]
    assert all(e["fault"] for e in log)
    # bounded time: ansible start-up plus the urllib3 backoff (0 + 1 + 2 s, or Retry-After 1 s) with a wide margin
    assert run.elapsed < 60, run.describe()
    assert writes(ctl, seq) == []
    assert dict((p, all_token_ids(ctl, p)) for p in PLATFORMS) == before


def test_every_write_failing_leaves_no_unreported_token(tmp_path, url, ctl):
    """100% write faults, 20% of them after the commit: each person is reported with the token the emulator holds, or as failed."""
    people = emails("half-done", 300)
    ctl.set_faults(seed=7, rates=WRITE_FAULTS_100, methods=["POST"], retry_after=1)
    seq = ctl.last_seq()
    run = run_playbook(str(tmp_path / "writes"), build_playbook([bulk_task(url, "android", people, retries=3, chunk_size=50)]))
    counters = ctl.faults()["counters"]
    posts = [e for e in ctl.requests(seq)["items"] if e["method"] == "POST"]
    ctl.clear_faults()
    result = run.result
    print("100%% write faults: %.1f s, %d POSTs, injected %s, summary %s" % (run.elapsed, len(posts), counters, result.get("summary")))
    assert result["failed"] is True, run.describe()
    assert counters["commit_then_fail"] > 0
    # bounded: at most retries + 1 = 4 rounds (first send + 3 resends) of 6 chunks of 50
    assert len(posts) <= 4 * 6, len(posts)
    assert run.elapsed < 120, run.describe()
    pending = pending_by_email(ctl, "android")
    by_email = dict((r["email"], r) for r in result["results"])
    assert sorted(by_email) == sorted(people)
    for email in people:
        entry = by_email[email]
        if entry["action"] == "failed":
            assert entry["error"], entry
            assert not pending.get(email), "%s is reported failed but holds token(s) %s" % (email, pending.get(email))
        else:
            assert entry["action"] == "created", entry
            assert pending.get(email) == [entry["token"]["id"]], (email, entry, pending.get(email))
    created = sum(1 for e in by_email.values() if e["action"] == "created")
    failed = sum(1 for e in by_email.values() if e["action"] == "failed")
    print("created %d, failed %d" % (created, failed))
    assert created > 0 and failed > 0, "the plan should leave both outcomes: %s" % result["summary"]
    assert "people failed" in result["msg"]


def test_single_module_under_20_percent_faults(tmp_path, url, ctl):
    """enrollment_token, looped over people on every platform under the same 20% plan: one token each, as reported.

    Half the people exist already, half are created by the module (create_user), so the user-creation POST
    meets the faults too.
    """
    people = dict((p, emails("single-" + p, 6)) for p in PLATFORMS)
    existing = dict((p, people[p][:3]) for p in PLATFORMS)
    for platform in PLATFORMS:  # make half of them MDM users first, without faults
        for email in existing[platform]:
            response = requests.post("%s/v1/organizations/acme/mdm/users" % url, json={"email": email}, timeout=30,
                                     headers={"Authorization": "Bearer applivery-emu-admin-token"})
            assert response.status_code < 300, response.text
    tasks = []
    for platform in PLATFORMS:
        args = connection(url, retries=RETRIES, timeout=30)
        args.update(PLATFORM_ARGS[platform], platform=platform, user_email="{{ item }}", create_user=True)
        tasks.append(module_task("enrollment_token", args, loop=people[platform]))
    ctl.set_faults(seed=424242, rates=FAULTS_20, latency_ms=150, retry_after=1)
    run = run_playbook(str(tmp_path / "single"), build_playbook(tasks))
    counters = ctl.faults()["counters"]
    ctl.clear_faults()
    print("single module, 20%% faults, %d people: %.1f s, injected %s" % (sum(len(v) for v in people.values()), run.elapsed, counters))
    assert run.rc == 0, run.describe()
    for platform, result in zip(PLATFORMS, run.results):
        failed = [(r["item"], r.get("msg")) for r in result["results"] if r.get("failed")]
        assert not failed, "%s: %s" % (platform, failed)
        pending = pending_by_email(ctl, platform)
        for item in result["results"]:
            assert pending.get(item["item"]) == [item["token"]["id"]], (platform, item["item"], pending.get(item["item"]), item["token"]["id"])
    assert sum(counters.values()) > 0
