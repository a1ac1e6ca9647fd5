# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reminders in the planner: a person pending longer than remind_after gets a fresh token; the old one is revoked."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.applivery.mdm.plugins.module_utils._planner import ACTION_ORDER, ACTIONS, plan_present

NOW = datetime.datetime(2026, 11, 22, 12, 0, 0)
DAY = 86400


def token(tid, state="PENDING", created="2026-11-18T12:00:00Z", expires="2026-12-18T12:00:00Z", **more):
    base = {"id": tid, "state": state, "created_at": created, "expires_at": expires, "tags": [], "policy_id": None,
            "policy_assignments": [], "perpetual": False}
    base.update(more)
    return base


def test_pending_longer_than_the_window_is_reminded_and_the_old_token_revoked():
    old = token("a")  # 4 days old
    decision = plan_present([old], {}, now=NOW, remind_after=3 * DAY)
    assert (decision.action, decision.create, decision.revoke, decision.changed) == ("remind", 1, [old], True)
    assert ACTIONS["remind"].done == "reminded" and "remind" in ACTION_ORDER


def test_inside_the_window_or_without_one_nothing_happens():
    young = token("a", created="2026-11-21T12:00:00Z")
    assert plan_present([young], {}, now=NOW, remind_after=3 * DAY).action == "unchanged"
    assert plan_present([token("a")], {}, now=NOW).action == "unchanged"


def test_enrolled_people_are_never_reminded():
    tokens = [token("a", state="DONE", device_id="d1"), token("b")]
    assert plan_present(tokens, {}, now=NOW, remind_after=DAY).action == "enrolled"


def test_an_expired_token_is_renewed_not_reminded():
    expired = token("a", expires="2026-11-21T12:00:00Z")
    assert plan_present([expired], {}, now=NOW, remind_after=DAY).action == "renew"


def test_with_two_devices_only_the_stale_token_is_replaced():
    fresh, stale = token("f", created="2026-11-22T10:00:00Z"), token("s")
    decision = plan_present([fresh, stale], {}, now=NOW, remind_after=3 * DAY, devices=2)
    assert (decision.action, decision.create, decision.revoke, decision.token) == ("remind", 1, [stale], fresh)
