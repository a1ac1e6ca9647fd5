# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The resource layer trusts no server filter: owners and policies are checked on our side."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.applivery.mdm.plugins.module_utils import _resources as resources
from ansible_collections.applivery.mdm.plugins.module_utils._client import ApiError
from ansible_collections.applivery.mdm.plugins.module_utils._platforms import PLATFORMS
from ansible_collections.applivery.mdm.plugins.module_utils._validation import InputError
from ansible_collections.applivery.mdm.tests.unit.fake_api import FakeApi

POLICY = "64b000000000000000000001"


def organization(ignore_filters):
    api = FakeApi(ignore_filters=ignore_filters)
    for email in ("ann@example.com", "bob@example.com", "cid@example.com"):
        api.add_token("apple", email)
    api.add_token("apple", "ann@example.com", admPolicyAssignments=[{"admPolicyId": POLICY, "priority": 1}])
    return api


@pytest.mark.parametrize("ignore_filters", [False, True])
def test_list_tokens_returns_only_the_people_asked_for_each_token_once(ignore_filters):
    api = organization(ignore_filters)
    ann, bob = api.user("ann@example.com"), api.user("bob@example.com")
    tokens = resources.list_tokens(api, PLATFORMS["apple"], user_ids=[ann["id"], bob["id"]])
    assert sorted(t["user_email"] for t in tokens) == ["ann@example.com", "ann@example.com", "bob@example.com"]
    assert len(set(t["id"] for t in tokens)) == 3
    with_policy = resources.list_tokens(api, PLATFORMS["apple"], user_ids=[ann["id"]], policy_id=POLICY)
    assert [t["policy_assignments"] for t in with_policy] == [[{"policy_id": POLICY, "priority": 1}]]
    assert resources.list_tokens(api, PLATFORMS["apple"], user_ids=[]) == []


def test_aosp_has_no_user_filter_so_one_listing_is_filtered_here():
    api = FakeApi()
    for email in ("ann@example.com", "bob@example.com"):
        api.add_token("aosp", email)
    tokens = resources.list_tokens(api, PLATFORMS["aosp"], user_ids=[api.user("bob@example.com")["id"]])
    assert [t["user_id"] for t in tokens] == [api.user("bob@example.com")["id"]]
    assert [params for method, path, params in api.requests] == [{"status": "PENDING,PROCESSING,DONE,EXPIRED"}]


def test_owned_by_checks_the_user_id_and_the_email_when_the_token_carries_one():
    user = {"id": "u1", "email": "Ann@Example.com"}
    tokens = [{"id": "own", "user_id": "u1", "user_email": "ann@example.com"},
              {"id": "no-email", "user_id": "u1", "user_email": None},
              {"id": "other-id", "user_id": "u2", "user_email": "ann@example.com"},
              {"id": "other-email", "user_id": "u1", "user_email": "bob@example.com"}]
    assert [t["id"] for t in resources.owned_by(tokens, user)] == ["own", "no-email"]


@pytest.mark.parametrize("ignore_filters", [False, True])
def test_tokens_of_emails_reads_few_people_one_by_one_and_many_in_one_listing(ignore_filters):
    api = organization(ignore_filters)
    few, missing = resources.tokens_of_emails(api, PLATFORMS["apple"], ["Bob@example.com", "zed@example.com"])
    assert [t["user_email"] for t in few] == ["bob@example.com"] and missing == ["zed@example.com"]
    many = ["person%02d@example.com" % n for n in range(resources.FEW_EMAILS)] + ["cid@example.com"]
    tokens, missing = resources.tokens_of_emails(api, PLATFORMS["apple"], many)
    assert [t["user_email"] for t in tokens] == ["cid@example.com"] and len(missing) == resources.FEW_EMAILS


def test_resolve_policies_by_id_or_exact_name_and_names_every_problem():
    api = FakeApi(policies={"apple": [{"id": POLICY, "name": "Std"}, {"id": "64b000000000000000000002", "name": "Dup"},
                                      {"id": "64b000000000000000000003", "name": "Dup"}]})
    assert resources.resolve_policies(api, PLATFORMS["apple"], ["Std", POLICY, None]) == {"Std": POLICY, POLICY: POLICY}
    with pytest.raises(InputError) as info:
        resources.resolve_policies(api, PLATFORMS["apple"], ["Dup", "st"])
    assert "policy 'Dup' matches 2 apple policies" in str(info.value)
    assert "policy 'st' matches no apple policy by id or exact name; did you mean 'Std'?" in str(info.value)
    assert resources.resolve_policies(api, PLATFORMS["apple"], []) == {} and len(api.requests) == 2


class Flaky(FakeApi):
    """The first POSTs fail as configured; ``commit`` says whether a failed POST made its object anyway."""

    def __init__(self, errors, commit=False, **kwargs):
        super(Flaky, self).__init__(**kwargs)
        self.errors = list(errors)
        self.commit = commit

    def post(self, path, body):
        if not self.errors:
            return super(Flaky, self).post(path, body)
        error = self.errors.pop(0)
        if self.commit:
            super(Flaky, self).post(path, body)
        else:
            self.requests.append(("POST", path, body))
        raise error


def posts(api):
    return [r for r in api.requests if r[0] == "POST"]


def test_create_token_resends_after_a_5xx_that_made_nothing():
    api = Flaky([ApiError(status=503)], retries=2, users=["ann@example.com"])
    user = api.user("ann@example.com")
    token = resources.create_token(api, PLATFORMS["apple"], {"sendEmail": False}, user, set())
    assert token["user_id"] == user["id"] and len(posts(api)) == 2 and len(api.tokens["apple"]) == 1


def test_create_token_adopts_what_a_lost_answer_made_and_never_resends_it():
    api = Flaky([ApiError(vendor_message="no answer", no_answer=True)], commit=True, retries=3, users=["ann@example.com"])
    token = resources.create_token(api, PLATFORMS["apple"], {"sendEmail": False}, api.user("ann@example.com"), set())
    assert token["id"] == api.tokens["apple"][0]["id"] and len(posts(api)) == 1
    lost = Flaky([ApiError(vendor_message="no answer", no_answer=True)], retries=3, users=["ann@example.com"])
    with pytest.raises(ApiError, match="no answer"):
        resources.create_token(lost, PLATFORMS["apple"], {"sendEmail": False}, lost.user("ann@example.com"), set())
    assert len(posts(lost)) == 1, "a request with no answer may still commit: it is not resent"


def test_create_user_adopts_an_existing_user_and_a_refusal_is_not_retried():
    api = Flaky([ApiError(status=400, code=5048, vendor_message="exists")], commit=True, retries=3)
    assert resources.create_user(api, " Ann@Example.com ")["email"] == "ann@example.com" and len(posts(api)) == 1
    refused = Flaky([ApiError(status=400, code=5209, vendor_message="bad")], retries=3)
    with pytest.raises(ApiError, match="5209"):
        resources.create_user(refused, "ann@example.com")
    assert len(posts(refused)) == 1
