# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A real bulk run reports ``changed`` and each person's outcome from what happened, not from its plan."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.applivery.mdm.plugins.module_utils._bulk.input import check_input
from ansible_collections.applivery.mdm.plugins.module_utils._bulk.plan import BulkPlan
from ansible_collections.applivery.mdm.plugins.module_utils._bulk.report import results
from ansible_collections.applivery.mdm.plugins.module_utils._bulk.run import Applier
from ansible_collections.applivery.mdm.plugins.module_utils._client import ApiError
from ansible_collections.applivery.mdm.tests.unit.fake_api import FakeApi, bulk_params


def apply(api, platform, users, **options):
    params = bulk_params(platform, users, **options)
    plan = BulkPlan(api, check_input(params), params).read().plan()
    return plan, Applier(plan).apply()


def refuse_bulk(platform, emails, body):
    raise ApiError(status=402, code=5050, vendor_message="Feature not allowed for you billing plan", method="POST", path="bulk")


def test_every_write_failed_means_not_changed():
    api = FakeApi(users=["w1@example.com", "w2@example.com"])
    api.bulk = refuse_bulk
    plan, applier = apply(api, "windows", ["w1@example.com", "w2@example.com"])
    assert plan.changes
    assert len(api.writes_logged()) == 1
    assert [o.action for o in applier.outcomes.values()] == ["fail", "fail"]
    assert "5050" in applier.outcomes["w1@example.com"].error
    assert not applier.changed
    entries, counts = results(plan, applier.outcomes)
    assert counts["failed"] == 2 and [e["action"] for e in entries] == ["failed", "failed"]


def test_a_revoked_duplicate_next_to_an_unchanged_token_is_a_change():
    api = FakeApi()
    older = api.add_token("windows", "u@example.com")
    newer = api.add_token("windows", "u@example.com")
    plan, applier = apply(api, "windows", ["u@example.com"], revoke_duplicates=True)
    assert applier.outcomes["u@example.com"].action == "unchanged"
    assert applier.outcomes["u@example.com"].token["id"] == newer["id"]
    assert [r[:2] for r in api.writes_logged()] == [("DELETE", api.org_path("mdm/windows/enterprise/enrollment-tokens/" + older["id"]))]
    assert applier.changed


def test_a_failed_revocation_is_not_a_change():
    api = FakeApi()
    api.add_token("apple", "u@example.com")

    def refuse(path):
        raise ApiError(status=500, vendor_message="boom", method="DELETE", path=path)
    api.delete = refuse
    plan, applier = apply(api, "apple", ["u@example.com"], state="absent")
    assert plan.changes
    assert applier.outcomes["u@example.com"].action == "fail"
    assert not applier.changed


def test_nothing_planned_is_not_a_change():
    api = FakeApi()
    api.add_token("aosp", "u@example.com")
    plan, applier = apply(api, "aosp", ["u@example.com"])
    assert not plan.changes and not applier.changed and api.writes_logged() == []


def test_people_who_enrolled_get_nothing_and_absent_leaves_their_devices():
    api = FakeApi(users=["new@example.com"])
    api.add_token("android", "done@example.com", state="DONE", emmDevice="64d000000000000000000001")
    api.add_token("android", "busy@example.com", state="PROCESSING")
    plan, applier = apply(api, "android", ["done@example.com", "busy@example.com", "new@example.com"])
    entries, counts = results(plan, applier.outcomes)
    assert [(e["email"], e["action"]) for e in entries] == [
        ("busy@example.com", "enrolled"), ("done@example.com", "enrolled"), ("new@example.com", "created")]
    assert entries[1]["enrolled_devices"][0]["device_id"] == "64d000000000000000000001"
    assert [body["userEmails"] for method, path, body in api.writes_logged()] == [["new@example.com"]]
    assert counts["enrolled"] == 2 and counts["created"] == 1
    absent_plan, absent = apply(api, "android", ["done@example.com", "new@example.com"], state="absent")
    assert dict((e, o.action) for e, o in absent.outcomes.items()) == {"done@example.com": "absent", "new@example.com": "revoke"}
    assert len(absent_plan.items["done@example.com"].decision.enrolled) == 1
