# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The status read's pure functions: one person's state, orphans, counts, the fail_if gate and the input. No network."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest

from ansible_collections.applivery.mdm.plugins.module_utils._bulk.input import DEFAULT_MARKER
from ansible_collections.applivery.mdm.plugins.module_utils._status import (
    expected_people, gate, parse_fail_if, person_status, platform_rows, summarize)

NOW = datetime.datetime(2026, 11, 22, 12, 0, 0)


def token(number, state="PENDING", created="2026-11-20T12:00:00Z", expires="2026-11-23T12:00:00Z", email="ann@example.com", **more):
    base = {"id": "t%02d" % number, "platform": "apple", "state": state, "user_id": "u1", "user_email": email, "tags": [],
            "device_id": None, "expires_at": expires, "created_at": created, "updated_at": created, "perpetual": None,
            "send_email": True}
    base.update(more)
    return base


def test_not_invited_without_tokens():
    row = person_status("ann@example.com", "apple", [], NOW)
    assert row["state"] == "not_invited" and row["token_id"] is None and row["enrolled_devices"] == 0


def test_pending_has_expiry_days_and_email_flag():
    row = person_status("ann@example.com", "apple", [token(1, created="2026-11-12T12:00:00Z", state="DELETED"),
                                                     token(2, created="2026-11-19T00:00:00Z", send_email=False)], NOW)
    assert row["state"] == "pending" and row["token_id"] == "t02" and row["expires_at"] == "2026-11-23T12:00:00Z"
    assert row["email_sent"] is False
    assert row["pending_days"] == 10.0  # since the first unused invitation
    assert row["invited_at"] == "2026-11-12T12:00:00Z"


def test_enrolled_wins_with_device_and_when():
    done = token(2, state="DONE", device_id="d1", updated_at="2026-11-21T08:00:00Z")
    row = person_status("ann@example.com", "apple", [token(1), done], NOW)
    assert (row["state"], row["device_id"], row["enrolled_at"], row["token_state"]) == ("enrolled", "d1", "2026-11-21T08:00:00Z", "DONE")
    assert row["pending_days"] is None


def test_processing_counts_as_enrolled():
    assert person_status("ann@example.com", "apple", [token(1, state="PROCESSING", device_id="d2")], NOW)["state"] == "enrolled"


def test_two_devices_one_enrolled_and_one_waiting_is_pending():
    tokens = [token(1, state="DONE", device_id="d1"), token(2)]
    row = person_status("ann@example.com", "apple", tokens, NOW, devices=2)
    assert row["state"] == "pending" and row["enrolled_devices"] == 1 and row["device_id"] == "d1"
    assert person_status("ann@example.com", "apple", tokens[:1], NOW, devices=2)["state"] == "enrolled"


def test_a_pending_token_past_expiry_is_expired_and_the_newest_token_decides():
    assert person_status("ann@example.com", "apple", [token(1, expires="2026-11-22T11:00:00Z")], NOW)["state"] == "expired"
    older_expired = token(1, state="EXPIRED", created="2026-11-01T00:00:00Z")
    newer_revoked = token(2, state="DELETED", created="2026-11-10T00:00:00Z")
    row = person_status("ann@example.com", "apple", [older_expired, newer_revoked], NOW)
    assert row["state"] == "revoked" and row["token_id"] == "t02"
    assert person_status("ann@example.com", "apple", [newer_revoked, dict(older_expired, created_at="2026-11-11T00:00:00Z")],
                         NOW)["state"] == "expired"


def test_orphans_are_live_marker_tokens_of_people_not_listed():
    grouped = {
        "ann@example.com": [token(1, tags=[DEFAULT_MARKER])],
        "gone@example.com": [token(2, email="gone@example.com", tags=[DEFAULT_MARKER], state="DONE", device_id="d9")],
        "old@example.com": [token(3, email="old@example.com", tags=[DEFAULT_MARKER], state="EXPIRED")],
        "manual@example.com": [token(4, email="manual@example.com", tags=["other"])],
    }
    rows = platform_rows("apple", grouped, {"ann@example.com": 1, "zed@example.com": 1}, NOW)
    assert [(r["email"], r["state"]) for r in rows] == [("ann@example.com", "pending"), ("gone@example.com", "orphaned"),
                                                        ("zed@example.com", "not_invited")]
    assert rows[1]["device_id"] == "d9" and rows[1]["token_state"] == "DONE"
    assert [r["state"] for r in platform_rows("apple", grouped, {}, NOW, orphans=False)] == []


def test_counts_and_funnel():
    rows = [{"platform": "apple", "state": s} for s in ("enrolled", "enrolled", "pending", "not_invited", "orphaned")]
    rows.append({"platform": "windows", "state": "expired"})
    counts, funnel = summarize(rows, ["apple", "windows"])
    assert counts["apple"]["enrolled"] == 2 and counts["apple"]["total"] == 5 and counts["windows"]["revoked"] == 0
    assert counts["all"]["total"] == 6 and counts["all"]["expired"] == 1
    assert funnel == {"apple": {"listed": 4, "invited": 3, "enrolled": 2}, "windows": {"listed": 1, "invited": 1, "enrolled": 0}}


def test_fail_if_parses_and_explains_in_one_line():
    conditions, problems = parse_fail_if(["pending > 7d", "orphaned"])
    assert problems == [] and conditions == [("pending > 7d", "pending", 7.0), ("orphaned", "orphaned", None)]
    rows = [{"email": "ann@example.com", "platform": "apple", "state": "pending", "pending_days": 9.5},
            {"email": "bob@example.com", "platform": "apple", "state": "pending", "pending_days": 2.0}]
    reason = gate(rows, conditions)
    assert reason == "fail_if 'pending > 7d': 1 person matches: ann@example.com (apple, 9.5 days)" and "\n" not in reason
    assert gate(rows[1:], conditions) is None
    many = [{"email": "p%d@example.com" % i, "platform": "aosp", "state": "orphaned", "pending_days": None} for i in range(7)]
    assert gate(many, conditions).endswith("p4@example.com (aosp) and 2 more")


@pytest.mark.parametrize("condition, message", [
    ("late", "'late' is not a condition"),
    ("orphaned > 3d", "only pending takes a duration"),
    ("pending > soon", "'soon' is not a duration"),
])
def test_bad_fail_if_is_named(condition, message):
    assert message in " ".join(parse_fail_if([condition])[1])


def test_people_from_users_and_the_onboarding_people_dict():
    expected, problems = expected_people(["Ann@Example.com ", {"email": "bob@example.com", "platform": "windows", "devices": 2}],
                                         None, ["apple"])
    assert problems == [] and expected == {"apple": {"ann@example.com": 1}, "windows": {"bob@example.com": 2}}
    expected, problems = expected_people(None, {"aosp": [{"email": "c@example.com", "tags": ["x"]}]}, None)
    assert problems == [] and expected == {"aosp": {"c@example.com": 1}}


def test_bad_people_are_named_before_any_request():
    dummy, problems = expected_people(["nope", {"email": "a@example.com", "platform": "beos"}, {"email": "b@example.com", "colour": 1}],
                                      {"plan9": []}, ["apple"])
    text = " | ".join(problems)
    assert "users[0]" in text and "users[1]: platform 'beos'" in text and "users[2]: unknown key(s) colour" in text
    assert "people: 'plan9' is not a platform" in text
    assert expected_people(["a@example.com"], None, None)[1] == [
        "platforms: name the platforms to read, for the people in users who name no platform"]
