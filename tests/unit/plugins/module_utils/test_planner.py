# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The planner's decisions for one person, as pure functions of their tokens."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.applivery.mdm.plugins.module_utils._planner import drift_fields, plan_absent, plan_present, summary

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
    assert (decision.action, decision.create, decision.revoke, decision.changed) == ("created", True, [], True)


def test_matching_token_is_unchanged_with_no_write():
    decision = plan_present([token("a", tags=["x"])], {"tags": ["x"]}, now=NOW)
    assert decision.action == "unchanged" and not decision.changed and decision.token["id"] == "a"


def test_expired_token_is_renewed_without_revoking_it():
    decision = plan_present([token("a", expires="2026-11-22T11:00:00Z")], {}, now=NOW)
    assert decision.action == "renewed" and decision.create and decision.revoke == []


def test_state_expired_is_renewed_even_without_a_date():
    assert plan_present([token("a", state="EXPIRED", expires=None)], {}, now=NOW).action == "renewed"


def test_renew_before_window_replaces_and_revokes_the_expiring_token():
    expiring = token("a", expires="2026-11-22T18:00:00Z")
    assert plan_present([expiring], {}, renew_before=3600, now=NOW).action == "unchanged"
    decision = plan_present([expiring], {}, renew_before=12 * 3600, now=NOW)
    assert decision.action == "renewed" and decision.create and [t["id"] for t in decision.revoke] == ["a"]


def test_perpetual_tokens_never_need_renewal():
    decision = plan_present([token("a", perpetual=True, expires="2026-11-22T11:00:00Z")], {}, renew_before=86400, now=NOW)
    assert decision.action == "unchanged"


def test_done_and_deleted_tokens_do_not_count():
    decision = plan_present([token("a", state="DONE"), token("b", state="DELETED")], {}, now=NOW)
    assert decision.action == "created"


def test_drift_keep_update_recreate():
    live = token("a", policy_id=P1, tags=["x"])
    desired = {"policy_id": P2, "tags": ["x"]}
    keep = plan_present([live], desired, on_drift="keep", now=NOW)
    assert (keep.action, keep.drift, keep.changed) == ("drift", ["policy_id"], False)
    update = plan_present([live], desired, on_drift="update", now=NOW)
    assert (update.action, update.update, update.token["id"], update.changed) == ("updated", ["policy_id"], "a", True)
    recreate = plan_present([live], desired, on_drift="recreate", now=NOW)
    assert recreate.action == "recreated" and recreate.create and [t["id"] for t in recreate.revoke] == ["a"]


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


def test_absent_revokes_pending_and_processing_only():
    tokens = [token("p"), token("q", state="PROCESSING"), token("d", state="DONE"), token("x", state="DELETED"),
              token("e", expires="2026-11-22T11:00:00Z")]
    decision = plan_absent(tokens, now=NOW)
    assert decision.action == "revoked" and sorted(t["id"] for t in decision.revoke) == ["p", "q"]
    assert plan_absent([token("d", state="DONE")], now=NOW).action == "absent"


def test_summary_never_holds_enrollment_secrets():
    shown = summary(token("a"))
    assert "enrollment_link" not in shown and shown["id"] == "a"
    assert summary(None) == {}
