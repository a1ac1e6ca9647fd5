"""Concurrency: two ansible-playbook runs started at the same moment on overlapping people (see docs/concurrency.md).

Two mechanisms can leave everyone with exactly one pending token:

* the later run lists after the earlier run's bulk request committed, sees its tokens and plans "unchanged";
* both runs list before either commits, so both create a token for the people they share. Then each run's
  confirmation listing sees more than one new token for such a person, and with ``revoke_duplicates`` every
  run keeps the oldest one and revokes the others: both runs agree on the same token.

The first test leaves the timing to chance (Ansible's start-up usually serializes the API phases). The second
forces the race with a slow bulk endpoint and proves the second mechanism; the third proves that without
``revoke_duplicates`` the race really does leave duplicates, so the healing is not an accident of timing.
"""

from __future__ import annotations

from reliability.helpers import build_playbook, connection, emails, finish_playbook, module_task, pending_by_email, run_playbook, start_playbook

PLATFORM = "apple"
RUN_A = emails("race", 400, 0)
RUN_B = emails("race", 400, 200)
SHARED = sorted(set(RUN_A) & set(RUN_B))
EVERYONE = sorted(set(RUN_A) | set(RUN_B))


def race(tmp_path, url, revoke_duplicates):
    """Start both runs at the same moment; ``(result_a, result_b)`` once both have finished."""
    handles = []
    for name, users in (("a", RUN_A), ("b", RUN_B)):
        args = connection(url)
        args.update(platform=PLATFORM, users=users, create_users=True, revoke_duplicates=revoke_duplicates, chunk_size=100)
        handles.append(start_playbook(str(tmp_path / name), build_playbook([module_task("enrollment_token_bulk", args)])))
    runs = [finish_playbook(h, timeout=600) for h in handles]
    for run in runs:
        assert run.rc == 0 and not run.result.get("failed"), run.describe()
    return runs[0].result, runs[1].result


def assert_one_pending_each(ctl, result_a, result_b):
    pending = pending_by_email(ctl, PLATFORM)
    counts = dict((e, len(pending.get(e, []))) for e in EVERYONE)
    assert [e for e, n in counts.items() if n != 1] == [], "people without exactly one PENDING token: %s" % (
        [(e, n) for e, n in counts.items() if n != 1][:10])
    for result in (result_a, result_b):
        for entry in result["results"]:
            assert entry["token"]["id"] == pending[entry["email"]][0], "a run reported a token that is not the live one: %s" % entry


def test_simultaneous_runs_end_with_one_token_each(tmp_path, url, ctl):
    """Whatever the timing, with revoke_duplicates both runs end with one pending token per person and report it."""
    result_a, result_b = race(tmp_path, url, revoke_duplicates=True)
    assert_one_pending_each(ctl, result_a, result_b)
    both_created = set(result_a["plan"].get("create", [])) & set(result_b["plan"].get("create", []))
    print("natural start: %d of %d shared people were planned as create by both runs" % (len(both_created), len(SHARED)))


def test_forced_race_is_healed_by_revoke_duplicates(tmp_path, url, ctl):
    """Both runs list before either commits (bulk POSTs take 8 s); the confirmation step heals the race."""
    ctl.set_faults(seed=1, rates={"latency": 1.0}, latency_ms=8000, methods=["POST"])
    result_a, result_b = race(tmp_path, url, revoke_duplicates=True)
    ctl.clear_faults()
    # the race really happened: neither run saw the other's tokens when it planned
    assert set(SHARED) <= set(result_a["plan"]["create"]) and set(SHARED) <= set(result_b["plan"]["create"]), (
        "the runs did not overlap; the test proves nothing (plans: %s / %s)" % (result_a["summary"], result_b["summary"]))
    assert_one_pending_each(ctl, result_a, result_b)
    deleted = [t for t in ctl.state_tokens("acme", PLATFORM) if t["state"] == "DELETED" and t["id"] not in ("64d200000000000000000003",)]
    assert len(deleted) == len(SHARED), "one duplicate per shared person was created and revoked, got %d" % len(deleted)
    shared_a = dict((r["email"], r["token"]["id"]) for r in result_a["results"] if r["email"] in SHARED)
    shared_b = dict((r["email"], r["token"]["id"]) for r in result_b["results"] if r["email"] in SHARED)
    assert shared_a == shared_b, "both runs must report the same surviving token for the shared people"


def test_forced_race_without_revoke_duplicates_leaves_duplicates(tmp_path, url, ctl):
    """The same race without revoke_duplicates: the shared people keep two pending tokens (documented, and healed by a re-run)."""
    ctl.set_faults(seed=1, rates={"latency": 1.0}, latency_ms=8000, methods=["POST"])
    result_a, result_b = race(tmp_path, url, revoke_duplicates=False)
    ctl.clear_faults()
    assert set(SHARED) <= set(result_a["plan"]["create"]) and set(SHARED) <= set(result_b["plan"]["create"]), "the runs did not overlap"
    pending = pending_by_email(ctl, PLATFORM)
    doubled = sorted(e for e in EVERYONE if len(pending.get(e, [])) == 2)
    assert doubled == SHARED, "exactly the shared people hold two pending tokens"
    assert all(len(pending.get(e, [])) == 1 for e in EVERYONE if e not in SHARED)
    # a later run with revoke_duplicates heals it
    args = connection(url)
    args.update(platform=PLATFORM, users=EVERYONE, create_users=True, revoke_duplicates=True)
    heal = run_playbook(str(tmp_path / "heal"), build_playbook([module_task("enrollment_token_bulk", args)]))
    assert heal.rc == 0 and heal.result["changed"] is True, heal.describe()
    pending = pending_by_email(ctl, PLATFORM)
    assert all(len(pending.get(e, [])) == 1 for e in EVERYONE)
