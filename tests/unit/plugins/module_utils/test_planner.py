# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The planner's decisions for one person, as pure functions of their tokens."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest

from ansible_collections.applivery.mdm.plugins.module_utils._planner import ACTIONS, drift_fields, plan_absent, plan_present, summary

NOW = datetime.datetime(2026, 11, 22, 12, 0, 0)
P1 = "64b000000000000000000001"
P2 = "64b000000000000000000002"


def token(tid, state="PENDING", expires="2026-11-23T12:00:00Z", created="2026-11-22T10:00:00Z", **fields):
    base = {"id": tid, "state": state, "expires_at": expires, "created_at": created, "tags": [], "policy_id": None,
            "policy_assignments": [], "display_name": None, "perpetual": False, "enrollment_link": "secret-link"}
    base.update(fields)
    return base


def test_no_token_is_created():
    decision = plan_present([], {}, now=NOW)
    assert (decision.action, decision.create, decision.revoke, decision.changed) == ("create", 1, [], True)


def test_matching_token_is_unchanged_with_no_write():
    decision = plan_present([token("a", tags=["x"])], {"tags": ["x"]}, now=NOW)
    assert decision.action == "unchanged" and not decision.changed and decision.token["id"] == "a"


def test_expired_token_is_renewed_without_revoking_it():
    decision = plan_present([token("a", expires="2026-11-22T11:00:00Z")], {}, now=NOW)
    assert decision.action == "renew" and decision.create == 1 and decision.revoke == []


def test_state_expired_is_renewed_even_without_a_date():
    assert plan_present([token("a", state="EXPIRED", expires=None)], {}, now=NOW).action == "renew"


def test_renew_before_window_replaces_and_revokes_the_expiring_token():
    expiring = token("a", expires="2026-11-22T18:00:00Z")
    assert plan_present([expiring], {}, renew_before=3600, now=NOW).action == "unchanged"
    decision = plan_present([expiring], {}, renew_before=12 * 3600, now=NOW)
    assert decision.action == "renew" and decision.create == 1 and [t["id"] for t in decision.revoke] == ["a"]


def test_perpetual_tokens_never_need_renewal():
    decision = plan_present([token("a", perpetual=True, expires="2026-11-22T11:00:00Z")], {}, renew_before=86400, now=NOW)
    assert decision.action == "unchanged"


def test_deleted_tokens_do_not_count():
    decision = plan_present([token("b", state="DELETED")], {}, now=NOW)
    assert decision.action == "create" and decision.create == 1


@pytest.mark.parametrize("state", ["DONE", "PROCESSING"])
def test_a_person_who_enrolled_is_done_no_new_token_no_email(state):
    """Issue 11 rewrote this rule: a DONE (device enrolled) or PROCESSING (enrolling) token counts as the person's device."""
    used = token("a", state=state, expires="2026-11-22T11:00:00Z", device_id="dev-1")
    decision = plan_present([used, token("x", state="DELETED")], {"tags": ["x"]}, renew_before=86400, on_drift="recreate", now=NOW)
    assert (decision.action, decision.create, decision.revoke, decision.changed) == ("enrolled", 0, [], False)
    assert [t["id"] for t in decision.enrolled] == ["a"] and decision.token["id"] == "a"


def test_devices_count_pending_tokens_beyond_the_enrolled_ones():
    done = token("d", state="DONE", created="2026-11-22T08:00:00Z")
    pending = token("p", created="2026-11-22T09:00:00Z")
    assert plan_present([done], {}, devices=2, now=NOW).create == 1
    two = plan_present([done, pending], {}, devices=2, now=NOW)
    assert (two.action, two.create, two.token["id"], two.changed) == ("unchanged", 0, "p", False)
    three = plan_present([done, pending], {}, devices=3, now=NOW)
    assert (three.action, three.create, three.token["id"]) == ("create", 1, "p")
    assert plan_present([], {}, devices=3, now=NOW).create == 3


def test_devices_zero_is_enrolled_and_keeps_or_revokes_pending_tokens_as_asked():
    pending = token("p")
    assert plan_present([pending], {}, devices=0, now=NOW).action == "enrolled"
    assert not plan_present([pending], {}, devices=0, now=NOW).changed
    healed = plan_present([pending], {}, devices=0, revoke_duplicates=True, now=NOW)
    assert healed.action == "enrolled" and [t["id"] for t in healed.revoke] == ["p"] and healed.changed


def test_reinvite_gives_an_enrolled_person_one_new_token():
    done = token("d", state="DONE")
    decision = plan_present([done], {}, reinvite=True, now=NOW)
    assert (decision.action, decision.create, decision.revoke) == ("create", 1, [])
    assert [t["id"] for t in decision.enrolled] == ["d"]
    again = plan_present([done, token("p")], {}, reinvite=True, now=NOW)
    assert (again.action, again.changed) == ("unchanged", False), "a re-run after the re-invitation writes nothing"


def test_drift_keep_update_recreate():
    live = token("a", policy_id=P1, tags=["x"])
    desired = {"policy_id": P2, "tags": ["x"]}
    keep = plan_present([live], desired, on_drift="keep", now=NOW)
    assert (keep.action, keep.drift, keep.changed) == ("drift", ["policy_id"], False)
    update = plan_present([live], desired, on_drift="update", now=NOW)
    assert (update.action, update.update, update.token["id"], update.changed) == ("update", ["policy_id"], "a", True)
    recreate = plan_present([live], desired, on_drift="recreate", now=NOW)
    assert recreate.action == "recreate" and recreate.create == 1 and [t["id"] for t in recreate.revoke] == ["a"]


def test_tags_compare_as_sets_and_ignore_the_marker():
    live = token("a", tags=["b", "a", "managed-by-ansible"])
    assert drift_fields({"tags": ["a", "b"]}, live, ignore_tags=["managed-by-ansible"]) == []
    assert drift_fields({"tags": ["a"]}, live, ignore_tags=["managed-by-ansible"]) == ["tags"]


def test_assignments_compare_in_priority_order():
    live = token("a", policy_assignments=[{"policy_id": P2, "priority": 2}, {"policy_id": P1, "priority": 1}])
    assert drift_fields({"policy_assignments": [{"policy_id": P1, "priority": 1}, {"policy_id": P2, "priority": 2}]}, live) == []


def test_newest_matching_token_is_kept_and_duplicates_revoked_only_on_request():
    old_match = token("old", created="2026-11-22T08:00:00Z", tags=["x"])
    new_match = token("new", created="2026-11-22T09:00:00Z", tags=["x"])
    newest_other = token("other", created="2026-11-22T10:00:00Z", tags=["y"])
    tokens = [old_match, new_match, newest_other]
    plain = plan_present(tokens, {"tags": ["x"]}, now=NOW)
    assert plain.action == "unchanged" and plain.token["id"] == "new" and plain.revoke == []
    healed = plan_present(tokens, {"tags": ["x"]}, revoke_duplicates=True, now=NOW)
    assert healed.token["id"] == "new" and sorted(t["id"] for t in healed.revoke) == ["old", "other"] and healed.changed


def test_absent_revokes_pending_only_and_reports_enrolled_devices():
    tokens = [token("p"), token("q", state="PROCESSING"), token("d", state="DONE"), token("x", state="DELETED"),
              token("e", expires="2026-11-22T11:00:00Z")]
    decision = plan_absent(tokens, now=NOW)
    assert decision.action == "revoke" and [t["id"] for t in decision.revoke] == ["p"]
    assert sorted(t["id"] for t in decision.enrolled) == ["d", "q"]
    done = plan_absent([token("d", state="DONE")], now=NOW)
    assert (done.action, done.changed, len(done.enrolled)) == ("absent", False, 1)


def test_summary_never_holds_enrollment_secrets():
    shown = summary(token("a"))
    assert "enrollment_link" not in shown and shown["id"] == "a"
    assert summary(None) == {}


def test_unechoed_settings_are_unknown_not_drift():
    silent = token("a", tags=None, policy_id=None, policy_assignments=None, display_name=None, segment_id=None)
    desired = {"tags": ["x"], "policy_id": P1, "policy_assignments": [{"policy_id": P2, "priority": 1}], "display_name": "n", "segment_id": 1}
    assert drift_fields(desired, silent) == []
    assert plan_present([silent], desired, on_drift="recreate", now=NOW).action == "unchanged"


def test_a_policy_counts_as_present_as_primary_or_in_the_assignments():
    for platform in ("apple", "windows", "android"):
        assigned = token("a", platform=platform, policy_id=None, policy_assignments=[{"policy_id": P1, "priority": 0}])
        assert drift_fields({"policy_id": P1}, assigned) == []
        assert drift_fields({"policy_id": P1}, token("b", platform=platform, policy_id=P1)) == []
        assert drift_fields({"policy_id": P1}, token("c", platform=platform, policy_id=P2)) == ["policy_id"]


def test_a_primary_policy_the_read_model_does_not_show_is_unknown_unless_the_assignments_show_it():
    """Apple and Windows have a primary policy key of their own: with it null, a policy missing from the assignments is unknown.
    Android's read model (seed 001) has no primary policy key: the policy shows among the assignments, so when they list
    policies and not the wanted one, the token has another policy."""
    other = [{"policy_id": P1, "priority": 0}]
    assert drift_fields({"policy_id": P2}, token("a", platform="apple", policy_id=None, policy_assignments=other)) == []
    assert drift_fields({"policy_id": P2}, token("a", platform="android", policy_id=None, policy_assignments=other)) == ["policy_id"]
    assert drift_fields({"policy_id": P2}, token("a", platform="android", policy_id=None, policy_assignments=[])) == [], \
        "an empty list may be a read model that echoes no policy at all"


def test_every_plan_action_is_in_the_one_vocabulary():
    decisions = [plan_present([], {}, now=NOW), plan_present([token("a", state="DONE")], {}, now=NOW),
                 plan_present([token("a", policy_id=P1)], {"policy_id": P2}, now=NOW), plan_absent([token("p")], now=NOW),
                 plan_absent([], now=NOW)]
    assert [d.action for d in decisions] == ["create", "enrolled", "drift", "revoke", "absent"]
    assert all(d.action in ACTIONS and ACTIONS[d.action].name == d.action for d in decisions)
    assert [ACTIONS[name].done for name in ("create", "renew", "recreate", "update", "revoke")] == [
        "created", "renewed", "recreated", "updated", "revoked"]
