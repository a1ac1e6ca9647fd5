# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""CreateRounds against a fake API: what is sent, what is resent (never a 2xx, never a request with no answer), and the wait."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.applivery.mdm.plugins.module_utils._bulk.create import COUNTED_FAIL, CreateRounds
from ansible_collections.applivery.mdm.plugins.module_utils._bulk.input import check_input
from ansible_collections.applivery.mdm.plugins.module_utils._bulk.plan import BulkPlan
from ansible_collections.applivery.mdm.plugins.module_utils._client import ApiError
from ansible_collections.applivery.mdm.tests.unit.fake_api import FakeApi, bulk_params

PEOPLE = ["a@example.com", "b@example.com", "c@example.com"]


class Clock:
    """A monotonic clock that moves only when the code under test sleeps."""

    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def create(api, emails, platform="apple", **options):
    """Plan ``emails`` on ``platform`` and run the create rounds; ``(rounds, clock)``."""
    params = bulk_params(platform, emails, **options)
    plan = BulkPlan(api, check_input(params), params).read().plan()
    clock = Clock()
    return CreateRounds(plan, plan.creating(), sleep=clock.sleep, clock=clock).run(), clock


def bulk_posts(api):
    return [body["userEmails"] for method, path, body in api.requests if method == "POST" and path.endswith("/bulk")]


def pending_tokens(api, platform, email):
    user = api.user(email)
    return [t for t in api.tokens[platform] if (t.get("mdmUser") or {}).get("id", t.get("mdmUserId")) == user["id"]
            and (t.get("status") or t.get("state")) == "PENDING"]


def test_tokens_that_appear_after_some_listings_are_waited_for_and_never_resent():
    api = FakeApi(users=PEOPLE)
    api.bulk = api.make_after(7)  # a few people are listed one by one: three listings per look
    rounds, clock = create(api, PEOPLE)
    assert bulk_posts(api) == [PEOPLE]
    assert rounds.missing == {}
    assert all(len(rounds.found[e]) == 1 for e in PEOPLE)
    assert clock.sleeps == [0.5, 1.0], "a bounded wait with backoff, ended by the last counted token"


def test_a_2xx_whose_tokens_never_appear_is_unconfirmed_after_confirm_timeout_not_resent():
    api = FakeApi(users=PEOPLE)
    api.bulk = api.make_after(10 ** 6)
    rounds, clock = create(api, PEOPLE, confirm_timeout=12)
    assert bulk_posts(api) == [PEOPLE], "an answered request is never resent"
    assert sorted(rounds.missing) == PEOPLE
    assert all(m.action == "unconfirmed" and m.final and "confirm_timeout (12 s)" in m.reason for m in rounds.missing.values())
    assert clock.now == 12 and max(clock.sleeps) <= 8.0


def test_the_counted_success_ends_the_wait_and_the_counted_failure_is_not_resent():
    api = FakeApi(users=PEOPLE)

    def bulk(platform, emails, body):
        result = api.make_now(platform, [e for e in emails if e != "b@example.com"], body)
        return {"total": len(emails), "success": result["success"], "fail": 1}
    api.bulk = bulk
    rounds, clock = create(api, PEOPLE)
    assert bulk_posts(api) == [PEOPLE]
    assert list(rounds.missing) == ["b@example.com"]
    assert rounds.missing["b@example.com"].reason == COUNTED_FAIL and rounds.missing["b@example.com"].action == "fail"
    assert clock.now == 0, "every counted success was visible at the first listing: no wait"


def test_a_counted_failure_for_a_missing_user_is_resent_once_its_user_was_created():
    api = FakeApi(users=PEOPLE[:2])
    rounds, dummy = create(api, PEOPLE, create_users=True)
    assert bulk_posts(api) == [PEOPLE, ["c@example.com"]]
    assert [body for method, path, body in api.requests if path.endswith("/mdm/users") and method == "POST"] == [{"email": "c@example.com"}]
    assert rounds.missing == {} and rounds.effects == 1
    assert all(len(pending_tokens(api, "apple", e)) == 1 for e in PEOPLE)


def test_a_5xx_that_committed_nothing_is_resent_and_makes_one_token_each():
    api = FakeApi(users=PEOPLE, retries=1)
    calls = []

    def bulk(platform, emails, body):
        calls.append(emails)
        if len(calls) == 1:
            raise ApiError(status=503, vendor_message="Service Unavailable", method="POST", path="bulk")
        return api.make_now(platform, emails, body)
    api.bulk = bulk
    rounds, dummy = create(api, PEOPLE)
    assert bulk_posts(api) == [PEOPLE, PEOPLE]
    assert rounds.missing == {}
    assert all(len(pending_tokens(api, "apple", e)) == 1 for e in PEOPLE)


def test_a_5xx_that_did_commit_is_found_by_listing_and_not_resent():
    api = FakeApi(users=PEOPLE)

    def bulk(platform, emails, body):
        api.make_now(platform, emails, body)
        raise ApiError(status=502, vendor_message="Bad Gateway", method="POST", path="bulk")
    api.bulk = bulk
    rounds, dummy = create(api, PEOPLE)
    assert bulk_posts(api) == [PEOPLE]
    assert all(len(rounds.found[e]) == 1 and len(pending_tokens(api, "apple", e)) == 1 for e in PEOPLE)


def test_a_request_with_no_answer_is_never_resent():
    api = FakeApi(users=PEOPLE, retries=3)

    def bulk(platform, emails, body):  # pylint: disable=unused-argument
        raise ApiError(vendor_message="no answer within the 1 s timeout", method="POST", path="bulk", no_answer=True)
    api.bulk = bulk
    rounds, dummy = create(api, PEOPLE)
    assert bulk_posts(api) == [PEOPLE]
    assert sorted(rounds.missing) == PEOPLE
    assert all(m.action == "fail" and m.final and "not resent" in m.reason for m in rounds.missing.values())


def test_a_refusal_that_committed_nothing_fails_without_a_resend():
    api = FakeApi(users=PEOPLE, retries=3)

    def bulk(platform, emails, body):  # pylint: disable=unused-argument
        raise ApiError(status=402, code=5050, vendor_message="Feature not allowed", method="POST", path="bulk")
    api.bulk = bulk
    rounds, dummy = create(api, PEOPLE, platform="windows")
    assert bulk_posts(api) == [PEOPLE]
    assert all(m.action == "fail" and "5050" in m.reason for m in rounds.missing.values())


def test_new_tokens_are_found_by_set_difference_when_the_server_ignores_filters():
    api = FakeApi(users=PEOPLE + ["other@example.com"], ignore_filters=True)
    old = api.add_token("apple", "a@example.com", state="EXPIRED")
    api.add_token("apple", "other@example.com")
    rounds, dummy = create(api, ["a@example.com", "b@example.com"])
    assert bulk_posts(api) == [["a@example.com", "b@example.com"]]
    assert rounds.missing == {}
    assert [t["id"] for t in rounds.found["a@example.com"]] != [old["id"]]
    assert all(len(rounds.found[e]) == 1 and rounds.found[e][0]["user_email"] == e for e in ("a@example.com", "b@example.com"))


def test_a_person_who_needs_two_tokens_is_in_two_waves():
    api = FakeApi(users=PEOPLE)
    rounds, dummy = create(api, [{"email": "a@example.com", "devices": 2}, "b@example.com"], chunk_size=1)
    assert bulk_posts(api) == [["a@example.com"], ["b@example.com"], ["a@example.com"]]
    assert len(rounds.found["a@example.com"]) == 2 and len(rounds.found["b@example.com"]) == 1
