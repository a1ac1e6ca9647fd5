# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""enrollment_status_info through its main(): input refused before any request, one listing per platform, no write."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.applivery.mdm.plugins.module_utils._bulk.input import DEFAULT_MARKER
from ansible_collections.applivery.mdm.plugins.modules import enrollment_status_info


def test_bad_input_is_refused_before_any_request(refused):
    refused(enrollment_status_info, {"users": ["nope"], "platforms": ["apple"], "fail_if": ["late"]}, "fail_if[0]: 'late'")


def test_states_per_person_with_one_listing_per_platform_and_no_write(run_module, api):
    api.add_token("apple", "ann@example.com", state="DONE", emmDevice=None, admDevice="d" * 24)
    api.add_token("apple", "bob@example.com", sendEmail=True)
    api.add_token("aosp", "bob@example.com", state="DELETED")
    api.add_token("aosp", "gone@example.com", tags=[DEFAULT_MARKER])
    result = run_module(enrollment_status_info, {"users": ["ann@example.com", "bob@example.com", "cy@example.com"],
                                                 "platforms": ["apple", "aosp"], "fail_if": ["orphaned"]})
    assert not result["failed"] and not result["changed"]
    states = dict(((r["platform"], r["email"]), r["state"]) for r in result["rows"])
    assert states == {("aosp", "ann@example.com"): "not_invited", ("aosp", "bob@example.com"): "revoked",
                      ("aosp", "cy@example.com"): "not_invited", ("aosp", "gone@example.com"): "orphaned",
                      ("apple", "ann@example.com"): "enrolled", ("apple", "bob@example.com"): "pending",
                      ("apple", "cy@example.com"): "not_invited"}
    assert result["rows"][4]["device_id"] == "d" * 24
    assert result["counts"]["all"]["not_invited"] == 3 and result["funnel"]["apple"] == {"listed": 3, "invited": 2, "enrolled": 1}
    assert result["fail_reason"] == "fail_if 'orphaned': 1 person matches: gone@example.com (aosp)"
    assert api.writes_logged() == [] and result["api_calls"]["write"] == 0
    assert api.token_listings == 2
    assert not any("enrollment" in key or "code" in key for row in result["rows"] for key in row)
