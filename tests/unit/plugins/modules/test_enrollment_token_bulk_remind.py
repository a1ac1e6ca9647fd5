# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""enrollment_token_bulk remind_after through main(): who is reminded, with the email, the old token revoked after."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.applivery.mdm.plugins.modules import enrollment_token_bulk
from ansible_collections.applivery.mdm.tests.unit.fake_api import NOW


def test_remind_after_is_checked_before_any_request(refused):
    refused(enrollment_token_bulk, {"platform": "apple", "users": ["a@example.com"], "remind_after": "soon"}, "remind_after: 'soon'")


def test_people_pending_longer_than_the_window_are_reminded_exactly(run_module, api):
    late = api.add_token("apple", "late@example.com", created=NOW - datetime.timedelta(days=4), expires=NOW + datetime.timedelta(days=20))
    api.add_token("apple", "fresh@example.com", created=NOW - datetime.timedelta(days=1), expires=NOW + datetime.timedelta(days=20))
    api.add_token("apple", "done@example.com", state="DONE", created=NOW - datetime.timedelta(days=9), admDevice="64d" + "0" * 21)
    args = {"platform": "apple", "users": ["late@example.com", "fresh@example.com", "done@example.com"], "remind_after": "3d",
            "send_email": False}
    planned = run_module(enrollment_token_bulk, args, check_mode=True)
    assert planned["plan"]["remind"] == ["late@example.com"] and "create" not in planned["plan"] and api.writes_logged() == []
    result = run_module(enrollment_token_bulk, args)
    assert dict((r["email"], r["action"]) for r in result["results"]) == {
        "late@example.com": "reminded", "fresh@example.com": "unchanged", "done@example.com": "enrolled"}
    assert result["summary"]["reminded"] == 1
    writes = api.writes_logged()
    assert [w[0] for w in writes] == ["POST", "DELETE"]  # the new token first, the old one revoked once it exists
    assert writes[0][2]["userEmails"] == ["late@example.com"] and writes[0][2]["sendEmail"] is True
    assert writes[1][1].endswith(late["id"])
    again = run_module(enrollment_token_bulk, args)  # the same day: the new token restarts the window
    assert again["changed"] is False and len(api.writes_logged()) == 2
