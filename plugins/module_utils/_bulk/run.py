# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A bulk run from start to end: input, read and plan, apply, results.

The stages live in input.py (no network), plan.py (read once, plan per person), create.py (rounds
of bulk creation: send, wait, confirm) and report.py (results, counts, diff). This file only
strings them together and applies the writes that are not creations (PUT and DELETE).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.applivery.mdm.plugins.module_utils import _resources as resources
from ansible_collections.applivery.mdm.plugins.module_utils._bulk import report
from ansible_collections.applivery.mdm.plugins.module_utils._bulk.create import CreateRounds
from ansible_collections.applivery.mdm.plugins.module_utils._bulk.input import check_input, read_input
from ansible_collections.applivery.mdm.plugins.module_utils._bulk.plan import BulkPlan
from ansible_collections.applivery.mdm.plugins.module_utils._bulk.report import Outcome
from ansible_collections.applivery.mdm.plugins.module_utils._client import ApiError
from ansible_collections.applivery.mdm.plugins.module_utils._planner import ACTIONS
from ansible_collections.applivery.mdm.plugins.module_utils._settings import policy_refs, update_body
from ansible_collections.applivery.mdm.plugins.module_utils._validation import InputError

# An empty users list is what a broken inventory or an empty source gives: never a reason to revoke a whole platform.
EMPTY_EXCLUSIVE_WARNING = (
    "users is empty, so nothing was revoked on %s: exclusive never revokes every marked token because of an empty list. "
    "To revoke everyone's tokens, run with state=absent and their emails in users.")


class Applier:
    """Stage 6: the writes of a plan. ``effects`` counts the writes that took effect, for a truthful ``changed``."""

    def __init__(self, plan):
        self.plan = plan
        self.client = plan.client
        self.platform = plan.platform
        self.outcomes = {}
        self.effects = 0

    def apply(self):
        for email, item in self.plan.items.items():
            if item.action == "fail":
                self.outcomes[email] = Outcome("fail", None, item.reason)
            elif not item.decision.create:
                self.outcomes[email] = self._in_place(email, item.decision)
        creating = self.plan.creating()
        if creating:
            rounds = CreateRounds(self.plan, creating).run()
            self.effects += rounds.effects
            for email, decision in creating.items():
                self.outcomes[email] = self._created(email, decision, rounds)
        return self

    @property
    def changed(self):
        """What happened, not what was planned: a run whose every write failed changed nothing."""
        return self.effects > 0 or any(ACTIONS[o.action].changes for o in self.outcomes.values())

    def _in_place(self, email, decision):
        token = decision.token
        try:
            if decision.update:
                desired = self.plan.desired(email)
                if "tags" in decision.update:
                    desired["tags"] = sorted(set(desired["tags"]) | set([self.plan.marker]))
                token = resources.update_token(self.client, self.platform, token["id"], update_body(desired, decision.update, self.platform))
                self.effects += 1
            self._revoke(decision.revoke)
        except ApiError as error:
            return Outcome("fail", token, str(error))
        return Outcome(decision.action, token, None)

    def _revoke(self, tokens):
        for token in tokens:
            resources.revoke_token(self.client, self.platform, token["id"])
            self.effects += 1

    def _created(self, email, decision, rounds):
        """The outcome of a person's creation; old tokens are revoked only now that the new ones exist."""
        found = rounds.found[email]
        self.effects += len(found)
        extra = []
        if len(found) > decision.create and self.plan.params["revoke_duplicates"]:
            # a concurrent run made tokens for this person too: every run keeps the oldest, so all agree
            found, extra = found[:decision.create], found[decision.create:]
        if email in rounds.missing and len(found) < decision.create:
            missing = rounds.missing[email]
            return Outcome(missing.action, found[-1] if found else decision.token, missing.reason)
        token = decision.token if decision.token and decision.action == "create" else None
        try:
            self._revoke(decision.revoke + extra)
        except ApiError as error:
            return Outcome("fail", found[-1], str(error))
        return Outcome(decision.action, token or found[-1], None)


def nothing_to_do(module, bulk_input):
    """The result for an empty ``users``: no request, no change."""
    name = bulk_input.platform.name
    if module.params["exclusive"] and module.params["state"] == "present":
        module.warn(EMPTY_EXCLUSIVE_WARNING % name)
    if module.params["report_path"] and not module.check_mode:
        report.write_report(module.params["report_path"], [])
    counts = dict((key, 0) for key in report.COUNT_KEYS)
    counts["duplicates_in_input"] = 0
    return {"changed": False, "summary": counts, "results": [], "plan": {}, "duplicates": [], "api_calls": {"get": 0, "write": 0},
            "diff": {"prepared": report.diff_text({}, name)}, "msg": "%s: users is empty, nothing to do" % name}


def validate(module):
    """validate_only: every problem a run would stop on before its first write, returned, never written.

    The checks that need no network, then the policy names (one read of the platform's policies), and, only for
    on_drift=update on a platform that cannot update in place, the plan (one listing), whose drift is the problem.
    """
    params = module.params
    bulk_input, problems = read_input(params)
    result = {"changed": False, "problems": problems, "msg": ""}
    try:
        # With problems, the policy names are still read (the options' and those of the people whose email is
        # right), so that every problem is listed at once.
        if params["state"] == "present" and (bulk_input.entries or problems):
            if not problems and params["on_drift"] == "update" and not bulk_input.platform.can_update:
                plan = BulkPlan(module.client, bulk_input, params)
                result["problems"].extend(plan.read().plan().update_drift_problems())
            else:
                refs = policy_refs(params) + [own["policy"] for own in bulk_input.entries.values() if "policy" in own]
                resources.resolve_policies(module.client, bulk_input.platform, refs)
    except InputError as error:
        result["problems"].extend(error.problems)
    except ApiError as error:
        result["problems"].append("%s: %s" % (params["platform"], error))
    result["api_calls"] = {"get": module.client.reads, "write": module.client.writes}
    count = len(result["problems"])
    result["msg"] = "%s: %s" % (params["platform"], "%d problem(s)" % count if count else "no problem found")
    return result


def reconcile(module):
    """The enrollment_token_bulk module's whole run; InputError and ApiError are the module base's to report."""
    if module.params.get("validate_only"):
        return validate(module)
    bulk_input = check_input(module.params)
    if not bulk_input.entries:
        return nothing_to_do(module, bulk_input)
    plan = BulkPlan(module.client, bulk_input, module.params).read().plan()
    drift_problems = plan.update_drift_problems()
    if drift_problems:
        raise InputError(drift_problems)
    by_action = plan.by_action()
    applier = Applier(plan) if module.check_mode else Applier(plan).apply()
    entries, counts = report.results(plan, applier.outcomes)
    counts["duplicates_in_input"] = len(bulk_input.duplicates)
    if module.params["report_path"] and not module.check_mode:
        report.write_report(module.params["report_path"], entries)
    if module.params["result_detail"] == "changes":
        entries, by_action = report.only_changes(entries, by_action)
    result = {
        "changed": plan.changes if module.check_mode else applier.changed,
        "summary": counts,
        "results": entries,
        "plan": by_action,
        "duplicates": bulk_input.duplicates,
        "api_calls": {"get": module.client.reads, "write": module.client.writes},
        "diff": {"prepared": report.diff_text(by_action, bulk_input.platform.name, report.drift_details(plan))},
        "msg": report.message(bulk_input.platform.name, counts, module.check_mode),
    }
    if counts["failed"] and module.params["fail_on_error"]:
        result["msg"] = report.failure_message(entries, counts, result["msg"])
        module.fail_json(**result)
    return result
