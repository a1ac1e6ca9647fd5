# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Token settings: per-platform validation (from the platform table) and request bodies."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.applivery.mdm.plugins.module_utils import _settings as settings
from ansible_collections.applivery.mdm.plugins.module_utils._platforms import PLATFORMS

P1 = "64b000000000000000000001"
P2 = "64b000000000000000000002"


def params(**overrides):
    base = dict((name, None) for name in settings.TOKEN_SETTINGS_SPEC)
    base.update(send_email=False, renew_before=0, on_drift="keep", revoke_duplicates=False)
    base.update(overrides)
    return base


@pytest.mark.parametrize("platform, option, value", [
    ("apple", "management_mode", "DEVICE_OWNER"),
    ("windows", "perpetual", True),
    ("android", "profiles", [P1]),
    ("windows", "dpc_build_tag", "x"),
    ("aosp", "vpp_location", P1),
])
def test_options_invalid_for_the_platform(platform, option, value):
    problems = settings.check_settings(params(**{option: value}), PLATFORMS[platform])
    assert any(p.startswith("%s is not valid for platform %s" % (option, platform)) for p in problems), problems


def test_limits_are_per_platform():
    assert settings.check_settings(params(display_name="x" * 200), PLATFORMS["aosp"]) == []
    assert "the limit on apple is 128" in settings.check_settings(params(display_name="x" * 200), PLATFORMS["apple"])[0]
    problems = settings.check_settings(params(management_mode="COPE"), PLATFORMS["aosp"])
    assert problems == ["management_mode COPE is not valid for platform aosp; choose one of DEVICE_OWNER, MANAGEMENT_MODE_UNSPECIFIED"]


def test_update_is_only_for_windows():
    assert settings.check_reconcile(params(on_drift="update"), PLATFORMS["windows"]) == []
    assert "only possible on windows" in settings.check_reconcile(params(on_drift="update"), PLATFORMS["apple"])[0]
    assert "renew_before" in settings.check_reconcile(params(renew_before="soon"), PLATFORMS["apple"])[0]


def test_a_renew_window_as_long_as_the_token_life_is_refused():
    # the API's default life is one day: renew_before 1d would replace the new token on every run
    problem = settings.check_reconcile(params(renew_before="1d"), PLATFORMS["apple"])
    assert len(problem) == 1 and problem[0].startswith("renew_before 1d (86400 s) is not shorter than the token's life (86400 s")
    assert "default duration" in problem[0]
    assert "duration 12h" in settings.check_reconcile(params(renew_before="1d", duration="12h"), PLATFORMS["android"])[0]
    assert settings.check_reconcile(params(renew_before="1d", duration="7d"), PLATFORMS["apple"]) == []
    assert settings.check_reconcile(params(renew_before="23h"), PLATFORMS["apple"]) == []
    # a perpetual token never expires, so no window can be too long; a bad duration is check_settings' to name
    assert settings.check_reconcile(params(renew_before="30d", perpetual=True), PLATFORMS["aosp"]) == []
    assert settings.check_reconcile(params(renew_before="1d", duration="soon"), PLATFORMS["apple"]) == []


def test_create_body_for_android_defaults_mode_and_sends_no_email():
    body = settings.create_body(params(policy="Std", tags=["a"], duration="7d"), PLATFORMS["android"], {"Std": P1}, extra_tags=["marker"])
    assert body == {"managementMode": "DEVICE_OWNER", "sendEmail": False, "tags": ["a", "marker"], "duration": 604800, "policyId": P1}


def test_create_body_for_aosp_turns_policy_into_an_assignment_and_still_says_no_email():
    body = settings.create_body(params(policy="Kiosk", perpetual=True), PLATFORMS["aosp"], {"Kiosk": P2})
    assert body == {"perpetual": True, "managementMode": "DEVICE_OWNER", "sendEmail": False,
                    "aosPolicyAssignments": [{"aosPolicyId": P2, "priority": 0}]}


def test_desired_fields_hold_only_what_was_set():
    desired = settings.desired_fields(params(tags=["b", "a", "a"]), PLATFORMS["apple"], {})
    assert desired == {"tags": ["a", "b"]}


def test_windows_update_body_changes_only_updatable_fields():
    desired = {"policy_id": P1, "display_name": "x", "management_mode": "DEVICE_OWNER"}
    body = settings.update_body(desired, ["policy_id", "display_name", "management_mode"], PLATFORMS["windows"])
    assert body == {"winPolicyId": P1, "displayName": "x"}
