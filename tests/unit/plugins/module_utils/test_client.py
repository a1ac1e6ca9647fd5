# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The client's pure parts: its errors and its identity. Its HTTP behaviour is tested in tests/functional/test_client.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.applivery.mdm.plugins.module_utils._client import ApiError, AppliveryClient, user_agent
from ansible_collections.applivery.mdm.plugins.module_utils._version import COLLECTION_VERSION


def test_user_agent_names_the_collection_version():
    assert user_agent().startswith("applivery.mdm/%s " % COLLECTION_VERSION)


@pytest.mark.parametrize("error, committed", [
    (ApiError(status=None, no_answer=True), True),
    (ApiError(status=503), True),
    (ApiError(status=429), True),
    (ApiError(status=400, code=5209), False),
    (ApiError(status=402, code=5050), False),
])
def test_which_failures_may_have_committed_a_write(error, committed):
    assert error.may_have_committed is committed


def test_errors_are_sentences_with_the_vendor_code_and_a_hint():
    error = ApiError(status=402, code=5050, vendor_message="Feature not allowed", method="POST", path="/x", retries=2)
    assert str(error) == ("Applivery API error 5050 (Feature not allowed) on POST /x after 2 retries: "
                          "the organization's billing plan does not include this feature")
    assert error.to_dict() == {"status": 402, "code": 5050, "message": "Feature not allowed"}


def test_a_client_sends_nothing_when_it_is_made():
    client = AppliveryClient("token", "acme", api_url="https://api.example.invalid/")
    assert client.org_path("mdm/users") == "/organizations/acme/mdm/users"
    assert (client.reads, client.writes) == (0, 0)
    client.close()


def test_a_request_from_a_unit_test_fails_at_once():
    """The guard of tests/unit/conftest.py reaches through requests and urllib3: no retry, no timeout, a clear failure."""
    client = AppliveryClient("token", "acme", api_url="http://127.0.0.1:9", retries=3)
    with pytest.raises(AssertionError, match="unit tests are pure: a connection to"):
        client.get("/organizations/acme")
