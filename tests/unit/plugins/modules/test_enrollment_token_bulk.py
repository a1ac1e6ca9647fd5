# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""enrollment_token_bulk through its main(): every bad item named before any request, and a run on a fake API."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.applivery.mdm.plugins.modules import enrollment_token_bulk


@pytest.mark.parametrize("args, message", [
    ({"users": [{"email": "a@example.com", "mail": "x"}]},
     "users[0]: unknown key(s) mail; an item may have email, display_name, tags, policy, management_mode, duration"),
    ({"users": ["a@example.com", "bad"]}, "users[1]: 'bad' is not a valid email address"),
    ({"users": [42]}, "users[0]: 42 is neither an email nor a dict with an email"),
    ({"users": ["a@example.com"], "chunk_size": 0}, "chunk_size must be between 1 and 1000, got 0"),
    ({"users": ["a@example.com"], "chunk_size": 1001}, "chunk_size must be between 1 and 1000, got 1001"),
    ({"users": ["a@example.com"], "devices": -1}, "devices must be 0 or more, got -1"),
    ({"users": [{"email": "a@example.com", "devices": -2}]}, "users[0].devices must be 0 or more, got -2"),
    ({"users": [{"email": "a@example.com", "devices": "two"}]}, "users[0]: argument 'devices' is of type"),
    ({"users": ["a@example.com"], "confirm_timeout": -1}, "confirm_timeout must be 0 or more seconds, got -1"),
    ({"users": ["a@example.com"], "marker_tag": "m" * 129}, "marker_tag is 129 characters long; the limit is 128"),
    ({"users": ["a@example.com"], "renew_before": "2d", "duration": "1d"},
     "renew_before 2d (172800 s) is not shorter than the token's life (86400 s, duration 1d)"),
    ({"users": [{"email": "a@example.com", "duration": "1h"}], "renew_before": "2h"},
     "users[0]: renew_before 2h (7200 s) is not shorter than the token's life (3600 s, duration 1h)"),
])
def test_bad_input_is_refused_before_any_request(refused, args, message):
    refused(enrollment_token_bulk, dict({"platform": "android"}, **args), message)


@pytest.mark.parametrize("platform, args, message", [
    ("windows", {"segment_id": 3}, "segment_id is not valid for platform windows (Windows): the bulk page does not document "
                                   "segmentId; it can be set with the create endpoint (module enrollment_token)"),
    ("android", {"segment_id": 3}, "segment_id is not valid for platform android (Android Enterprise): the bulk page"),
    ("apple", {"users": [{"email": "a@example.com", "management_mode": "COPE"}]},
     "users[0].management_mode is not valid for platform apple (Apple): the bulk page does not document managementMode"),
])
def test_a_setting_the_bulk_page_does_not_document_is_refused_before_any_request(refused, platform, args, message):
    refused(enrollment_token_bulk, dict({"platform": platform, "users": ["a@example.com"]}, **args), message)


def test_aosp_takes_the_seed_004_duration_range(run_module, api):
    api.add_user("a@example.com")
    result = run_module(enrollment_token_bulk, {"platform": "aosp", "users": ["a@example.com"], "duration": 0, "perpetual": True})
    assert not result["failed"] and result["summary"]["created"] == 1
    assert [body["duration"] for method, path, body in api.writes_logged()] == [0]


def test_every_problem_is_named_at_once(run_module):
    result = run_module(enrollment_token_bulk, {"platform": "apple", "users": ["bad", {"email": "b@example.com", "x": 1}],
                                                "chunk_size": 0})
    assert result["msg"].count("; ") >= 2 and "users[0]" in result["msg"] and "users[1]" in result["msg"]


def test_an_empty_list_sends_nothing_and_changes_nothing(run_module):
    result = run_module(enrollment_token_bulk, {"platform": "windows", "users": [], "exclusive": True})
    assert (result["failed"], result["changed"], result["results"]) == (False, False, [])
    assert result["msg"] == "windows: users is empty, nothing to do"


def test_a_run_creates_for_new_people_only_and_a_rerun_writes_nothing(run_module, api):
    for email in ("new1@example.com", "new2@example.com"):
        api.add_user(email)
    api.add_token("apple", "kept@example.com", tags=["managed-by:applivery.mdm"])
    api.add_token("apple", "done@example.com", state="DONE", admDevice="64d000000000000000000002")
    users = ["New1@example.com", "new2@example.com", "kept@example.com", {"email": "done@example.com"}, "new1@example.com"]
    first = run_module(enrollment_token_bulk, {"platform": "apple", "users": users})
    assert (first["failed"], first["changed"]) == (False, True)
    assert dict((r["email"], r["action"]) for r in first["results"]) == {
        "new1@example.com": "created", "new2@example.com": "created", "kept@example.com": "unchanged", "done@example.com": "enrolled"}
    assert first["duplicates"] == ["new1@example.com"] and first["summary"]["duplicates_in_input"] == 1
    assert [body["userEmails"] for method, path, body in api.writes_logged()] == [["new1@example.com", "new2@example.com"]]
    assert first["diff"]["prepared"].startswith("+ apple create (2):") and "kept@example.com" not in first["diff"]["prepared"]
    again = run_module(enrollment_token_bulk, {"platform": "apple", "users": users})
    assert (again["changed"], again["summary"]["unchanged"], again["summary"]["enrolled"]) == (False, 3, 1)
    assert len(api.writes_logged()) == 1


def test_check_mode_is_the_plan_with_no_write(run_module, api):
    api.add_user("a@example.com")
    result = run_module(enrollment_token_bulk, {"platform": "windows", "users": ["a@example.com"]}, check_mode=True)
    assert (result["changed"], result["plan"]) == (True, {"create": ["a@example.com"]})
    assert "(check mode: nothing was written)" in result["msg"]
    assert api.writes_logged() == []


def test_a_person_without_a_user_fails_the_run_unless_fail_on_error_is_false(run_module, api):
    args = {"platform": "android", "users": ["nobody@example.com"]}
    failed = run_module(enrollment_token_bulk, args)
    assert failed["failed"] and failed["msg"].startswith("1 of 1 people failed (nobody@example.com)")
    kept_going = run_module(enrollment_token_bulk, dict(args, fail_on_error=False))
    assert not kept_going["failed"] and kept_going["summary"]["failed"] == 1
    assert api.writes_logged() == []
