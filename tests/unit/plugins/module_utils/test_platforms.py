# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The platform table carries every per-platform difference the modules rely on."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.applivery.mdm.plugins.module_utils._platforms import PLATFORMS, get_platform


def test_four_platforms_with_their_vendor_names():
    assert sorted(PLATFORMS) == ["android", "aosp", "apple", "windows"]
    assert PLATFORMS["windows"].policy_key == "winPolicyId"
    assert PLATFORMS["apple"].assignments_key == "admPolicyAssignments"
    assert PLATFORMS["aosp"].state_fields[0] == "status"
    assert PLATFORMS["android"].assignment_nested_key == "emmPolicy" and PLATFORMS["android"].device_key == "emmDevice"
    assert PLATFORMS["android"].tokens_path == "mdm/android/enterprise/enrollment-tokens"
    assert PLATFORMS["aosp"].token_path("abc") == "mdm/aosp/enterprise/enrollment-tokens/abc"


def test_only_windows_updates_in_place_and_only_aosp_bulk_needs_a_duration():
    assert [p for p in PLATFORMS.values() if p.can_update] == [PLATFORMS["windows"]]
    assert [p.name for p in PLATFORMS.values() if p.bulk_needs_duration] == ["aosp"]
    assert [p.name for p in PLATFORMS.values() if p.supports("perpetual")] == ["aosp"]


def test_body_keys_per_endpoint_follow_the_vendor_pages():
    assert not PLATFORMS["android"].supports("segment_id") and not PLATFORMS["android"].supports("segment_id", "bulk")
    assert PLATFORMS["windows"].supports("segment_id") and not PLATFORMS["windows"].supports("segment_id", "bulk")
    assert PLATFORMS["windows"].supports("segment_id", "update")
    assert PLATFORMS["windows"].endpoints_with("segment_id") == ["create", "update"]
    assert PLATFORMS["aosp"].option_key("policy") == "aosPolicyAssignments", "no primary policy: the policy is an assignment"
    assert PLATFORMS["apple"].option_key("vpp_location") == "admVppLocationId"


def test_aosp_ranges_follow_seed_004():
    assert PLATFORMS["aosp"].duration_range == (0, 2 ** 53 - 1)
    assert PLATFORMS["aosp"].priority_range == (-(2 ** 53 - 1), 2 ** 53 - 1)


def test_platform_specific_options():
    assert PLATFORMS["android"].supports("management_mode")
    assert not PLATFORMS["apple"].supports("management_mode")
    assert PLATFORMS["apple"].supports("profiles")
    assert not PLATFORMS["windows"].supports("perpetual")
    assert PLATFORMS["aosp"].supports("dpc_build_tag")
    assert all(p.supports("policy_assignments") for p in PLATFORMS.values())


def test_list_params_use_documented_filters_only():
    params = PLATFORMS["apple"].list_params(user_id="u1", policy_id="p1", include_deleted=True)
    assert params == {"mdm-user": "u1", "adm-policy": "p1", "show-deleted": "true"}
    assert PLATFORMS["aosp"].list_params(user_id="u1", policy_id="p1") == {"status": "PENDING,PROCESSING,DONE,EXPIRED"}


def test_unknown_platform_names_the_choices():
    with pytest.raises(ValueError, match="platform 'blackberry' is not one of: android, aosp, apple, windows"):
        get_platform("blackberry")
