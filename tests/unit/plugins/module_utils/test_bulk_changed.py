# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A real bulk run reports ``changed`` from what happened, not from its plan."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.applivery.mdm.plugins.module_utils._bulk.run import BulkRun
from ansible_collections.applivery.mdm.plugins.module_utils._client import ApiError
from ansible_collections.applivery.mdm.plugins.module_utils._planner import Decision
from ansible_collections.applivery.mdm.plugins.module_utils._platforms import PLATFORMS

PARAMS = {"marker_tag": "managed-by:applivery.mdm", "chunk_size": 500, "create_users": False, "revoke_duplicates": True,
          "state": "present", "exclusive": False, "on_drift": "keep", "renew_before": 0}


class FakeClient:
    """Just enough of AppliveryClient: every bulk POST is refused, listings are empty, DELETEs succeed."""

    retries = 0

    def __init__(self, refuse_deletes=False):
        self.posts = []
        self.deleted = []
        self.refuse_deletes = refuse_deletes

    def org_path(self, path):
        return path

    def post(self, path, body):
        self.posts.append((path, body))
        raise ApiError(status=402, code=5050, vendor_message="your billing plan does not include Windows bulk", method="POST", path=path)

    def paginate(self, path, params=None):  # pylint: disable=unused-argument
        return iter([])

    def delete(self, path):
        if self.refuse_deletes:
            raise ApiError(status=500, vendor_message="boom", method="DELETE", path=path)
        self.deleted.append(path)
        return {}


def _run(client, plan_items):
    run = BulkRun(client, PLATFORMS["windows"], dict(PARAMS), dict((email, {}) for email in plan_items))
    run.plan_items = plan_items
    return run


def test_every_write_failed_means_not_changed():
    client = FakeClient()
    run = _run(client, {"w1@example.com": ("create", Decision("created", create=True), None),
                        "w2@example.com": ("create", Decision("created", create=True), None)})
    assert run.plan_changes
    run.apply()
    assert len(client.posts) == 1
    assert [o["action"] for o in run.outcomes.values()] == ["failed", "failed"]
    assert "5050" in run.outcomes["w1@example.com"]["error"]
    assert not run.applied_changes


def test_a_revoked_duplicate_next_to_an_unchanged_token_is_a_change():
    client = FakeClient()
    keep = {"id": "a" * 24}
    duplicate = {"id": "b" * 24}
    run = _run(client, {"u@example.com": ("unchanged", Decision("unchanged", token=keep, revoke=[duplicate]), None)})
    run.apply()
    assert run.outcomes["u@example.com"]["action"] == "unchanged"
    assert client.deleted == ["mdm/windows/enterprise/enrollment-tokens/" + "b" * 24]
    assert run.applied_changes


def test_a_failed_revocation_is_not_a_change():
    client = FakeClient(refuse_deletes=True)
    run = _run(client, {"u@example.com": ("revoke", Decision("revoked", revoke=[{"id": "c" * 24}]), None)})
    assert run.plan_changes
    run.apply()
    assert run.outcomes["u@example.com"]["action"] == "failed"
    assert not run.applied_changes


def test_nothing_planned_is_not_a_change():
    run = _run(FakeClient(), {"u@example.com": ("unchanged", Decision("unchanged", token={"id": "d" * 24}), None)})
    run.apply()
    assert not run.plan_changes and not run.applied_changes
