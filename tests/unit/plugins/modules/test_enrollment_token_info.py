# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""enrollment_token_info through its main(): filters and queries checked before any request, then read from a fake API."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.applivery.mdm.plugins.modules import enrollment_token_info


@pytest.mark.parametrize("args, message", [
    ({"query": "[?state=='PENDING'"}, "query is not a valid JMESPath expression"),
    ({"user_email": ["a@example.com", "nope"]}, "user_email: 'nope' is not a valid email address"),
    ({"policy": "Standard"}, "policy: 'Standard' is not a 24-character hexadecimal id"),
    ({"state": ["LOST"]}, "value of state must be one or more of"),
])
def test_bad_filters_are_refused_before_any_request(refused, args, message):
    refused(enrollment_token_info, dict({"platform": "android"}, **args), message)


def test_tokens_of_people_with_a_query(run_module, api):
    ann = api.add_token("android", "ann@example.com")
    api.add_token("android", "ann@example.com", state="DONE")
    api.add_token("android", "bob@example.com")
    result = run_module(enrollment_token_info, {"platform": "android", "user_email": ["Ann@Example.com", "zed@example.com"],
                                                "query": "[?state=='PENDING'].{id: id, qr: qrcode_url}"})
    assert not result["failed"] and not result["changed"]
    assert result["tokens"] == [{"id": ann["id"], "qr": ann["qrcodeUrl"]}] and result["count"] == 1
    assert result["by_email"]["ann@example.com"]["enroll_code"] == ann["config"]["code"]
    assert result["missing_users"] == ["zed@example.com"]
    assert api.writes_logged() == []


def test_other_peoples_tokens_from_a_server_that_ignores_filters_are_not_returned(run_module, api):
    api.ignore_filters = True
    api.add_token("apple", "ann@example.com")
    api.add_token("apple", "bob@example.com")
    result = run_module(enrollment_token_info, {"platform": "apple", "user_email": ["ann@example.com"]})
    assert [t["user_email"] for t in result["tokens"]] == ["ann@example.com"]


def test_a_query_that_is_not_a_list_is_refused(refused, api):
    api.add_token("windows", "ann@example.com")
    refused(enrollment_token_info, {"platform": "windows", "query": "length(@)"}, "query must produce a list, but 'length(@)' produced a int")
