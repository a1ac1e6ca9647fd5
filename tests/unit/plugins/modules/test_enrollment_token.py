# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""enrollment_token through its main(): input refused before any request, and one person's reconcile on a fake API."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.applivery.mdm.plugins.module_utils._client import ApiError
from ansible_collections.applivery.mdm.plugins.modules import enrollment_token

EMAIL = "ann@example.com"


@pytest.mark.parametrize("args, message", [
    ({"api_url": "ftp://api.example.invalid"}, "api_url 'ftp://api.example.invalid' is not an http(s) URL"),
    ({"organization": "a b"}, "organization 'a b' is neither a 24-hex id nor a slug"),
    ({"api_token": "  "}, "api_token is empty: set it, or the APPLIVERY_API_TOKEN environment variable"),
    ({"timeout": 0}, "timeout must be a positive number of seconds, got 0"),
    ({"retries": 11}, "retries must be between 0 and 10, got 11"),
    ({"retries": "many"}, "argument 'retries' is of type"),
])
def test_invalid_connection_options_are_refused(refused, args, message):
    refused(enrollment_token, dict({"platform": "apple", "user_email": EMAIL}, **args), message)


def test_missing_connection_options_are_named(refused):
    refused(enrollment_token, {"platform": "apple", "user_email": EMAIL}, "missing required arguments: api_token, organization",
            connection=False)


def test_connection_options_fall_back_to_the_environment(run_module, api, monkeypatch):
    monkeypatch.setenv("APPLIVERY_API_TOKEN", "from-env")
    monkeypatch.setenv("APPLIVERY_ORGANIZATION", "acme")
    monkeypatch.setenv("APPLIVERY_RETRIES", "5")
    api.add_token("apple", EMAIL)
    result = run_module(enrollment_token, {"platform": "apple", "user_email": EMAIL}, connection=False)
    assert not result["failed"] and result["action"] == "unchanged"
    assert (api.options["api_token"], api.options["organization"], api.options["retries"]) == ("from-env", "acme", 5)


@pytest.mark.parametrize("args, message", [
    ({"user_email": "not-an-email"}, "user_email: 'not-an-email' is not a valid email address"),
    ({"user_id": "42"}, "user_id: '42' is not a 24-character hexadecimal id"),
    ({"user_email": EMAIL, "user_id": "64a000000000000000000001"}, "parameters are mutually exclusive: user_email|user_id"),
    ({}, "one of the following is required: user_email, user_id"),
    ({"user_email": EMAIL, "platform": "blackberry"}, "value of platform must be one of: android, aosp, apple, windows"),
    ({"user_email": EMAIL, "devices": -1}, "devices must be 0 or more, got -1"),
    ({"user_email": EMAIL, "renew_before": "2h", "duration": "1h"},
     "renew_before 2h (7200 s) is not shorter than the token's life (3600 s, duration 1h)"),
    ({"user_email": EMAIL, "renew_before": "soon"}, "renew_before: 'soon' is not a duration"),
    ({"user_email": EMAIL, "duration": "31d"}, "duration: 31d is 2678400 seconds, outside the allowed 60 s to 2592000 s"),
    ({"user_email": EMAIL, "on_drift": "update"}, "on_drift=update is only possible on windows"),
])
def test_bad_input_is_refused_before_any_request(refused, args, message):
    refused(enrollment_token, dict({"platform": "apple"}, **args), message)


@pytest.mark.parametrize("platform, args, message", [
    ("android", {"segment_id": 1}, "segment_id is not valid for platform android (Android Enterprise): "
                                   "the create page does not document segmentId"),
    ("apple", {"management_mode": "DEVICE_OWNER"}, "management_mode is not valid for platform apple (Apple)"),
    ("windows", {"perpetual": True}, "perpetual is not valid for platform windows (Windows)"),
    ("aosp", {"policy_assignments": [{"policy": "Kiosk", "priority": 2 ** 53}]},
     "policy_assignments[0].priority %d is outside %d to %d on aosp" % (2 ** 53, -(2 ** 53 - 1), 2 ** 53 - 1)),
])
def test_a_setting_the_platform_page_does_not_document_is_refused_before_any_request(refused, platform, args, message):
    refused(enrollment_token, dict({"platform": platform, "user_email": EMAIL}, **args), message)


def test_create_then_rerun_writes_nothing(run_module, api):
    api.add_user(EMAIL)
    args = {"platform": "windows", "user_email": EMAIL.upper(), "tags": ["laptop"], "segment_id": 1}
    created = run_module(enrollment_token, args)
    assert (created["failed"], created["changed"], created["action"]) == (False, True, "created")
    posts = [body for method, path, body in api.writes_logged()]
    assert posts == [{"mdmUserId": api.user(EMAIL)["id"], "sendEmail": False, "tags": ["laptop"], "segmentId": 1}]
    assert created["token"]["user_email"] == EMAIL and created["diff"]["before"] == {}
    again = run_module(enrollment_token, args)
    assert (again["changed"], again["action"], again["token"]["id"]) == (False, "unchanged", created["token"]["id"])
    assert len(api.writes_logged()) == 1


def test_check_mode_plans_and_writes_nothing(run_module, api):
    api.add_user(EMAIL)
    result = run_module(enrollment_token, {"platform": "apple", "user_email": EMAIL, "duration": "2h"}, check_mode=True)
    assert (result["changed"], result["action"]) == (True, "created")
    assert result["diff"]["after"]["expires_at"] == "2026-11-22T14:00:00Z"
    assert api.writes_logged() == []


def test_a_person_who_enrolled_gets_no_token_and_absent_leaves_the_device(run_module, api):
    api.add_token("android", EMAIL, state="DONE", emmDevice="64d000000000000000000001")
    pending = api.add_token("android", EMAIL)
    present = run_module(enrollment_token, {"platform": "android", "user_email": EMAIL, "devices": 1})
    assert (present["changed"], present["action"]) == (False, "enrolled")
    assert [d["device_id"] for d in present["enrolled_devices"]] == ["64d000000000000000000001"]
    absent = run_module(enrollment_token, {"platform": "android", "user_email": EMAIL, "state": "absent"})
    assert (absent["changed"], absent["action"], absent["revoked"]) == (True, "revoked", [pending["id"]])
    assert "still has 1 enrolled device" in absent["msg"]
    assert [method for method, path, body in api.writes_logged()] == ["DELETE"]


def test_an_api_error_fails_with_the_vendor_fields(refused, api):
    def refuse(path, params=None):
        raise ApiError(status=401, code=4004, vendor_message="Invalid Token", method="GET", path=path)
    api.get = refuse
    result = refused(enrollment_token, {"platform": "apple", "user_email": EMAIL}, "Applivery API error 4004 (Invalid Token)")
    assert result["error"] == {"status": 401, "code": 4004, "message": "Invalid Token"}


def test_a_missing_user_without_create_user_is_named(refused, api):
    refused(enrollment_token, {"platform": "apple", "user_email": "stranger@example.com"},
            "user_email 'stranger@example.com' is not an MDM user of organization 'acme'")
    assert api.writes_logged() == []
