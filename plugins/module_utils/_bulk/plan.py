# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stages 2 to 4 of a bulk run: read the platform once, check ownership on our side, plan one action per person.

Check mode stops after this stage: the plan is the diff and the results.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import namedtuple

from ansible_collections.applivery.mdm.plugins.module_utils import _resources as resources
from ansible_collections.applivery.mdm.plugins.module_utils._bulk.input import item_params
from ansible_collections.applivery.mdm.plugins.module_utils._planner import (
    REVOCABLE_STATES,
    Decision,
    plan_absent,
    plan_present,
)
from ansible_collections.applivery.mdm.plugins.module_utils._settings import desired_fields, policy_refs, renew_before_seconds
from ansible_collections.applivery.mdm.plugins.module_utils._tokens import effective_state
from ansible_collections.applivery.mdm.plugins.module_utils._validation import parse_duration

# One person's plan: an action name of _planner.ACTIONS, its Decision (None for a failure found while planning), and why.
PlanItem = namedtuple("PlanItem", "action decision reason")

NO_USER = "no MDM user has this email; create the user first, or set create_users: true"


class BulkPlan:
    """What a bulk run found and decided for ``entries`` (email -> own settings) on one platform."""

    def __init__(self, client, bulk_input, params):
        self.client = client
        self.platform = bulk_input.platform
        self.entries = bulk_input.entries
        self.params = params
        self.marker = params["marker_tag"]
        self.policy_ids = {}
        self.directory = resources.Directory(client)
        self.tokens = {}      # email -> the person's canonical tokens, owner checked on our side
        self.known_ids = set()
        self.items = {}       # email -> PlanItem

    def desired(self, email):
        return desired_fields(self.person_params(email), self.platform, self.policy_ids)

    def person_params(self, email):
        params = item_params(self.params, self.entries.get(email, {}))
        if email in self.items and self.items[email].action == "remind":
            params["send_email"] = True  # a reminder is the invitation email, sent again with a fresh token
        return params

    # ------------------------------------------------------------------ read
    def read(self):
        refs = policy_refs(self.params) + [own["policy"] for own in self.entries.values() if "policy" in own]
        self.policy_ids = resources.resolve_policies(self.client, self.platform, refs)
        listed, self.tokens = resources.tokens_by_email(self.client, self.platform, self.directory)
        self.known_ids = set(t["id"] for t in listed)
        if self.params["state"] == "present" and not self.params["create_users"]:
            self.directory.look_up([e for e in self.entries if e not in self.tokens])
        return self

    # ------------------------------------------------------------------ plan
    def plan(self):
        present = self.params["state"] == "present"
        renew_before = renew_before_seconds(self.params)
        remind_after = parse_duration(self.params.get("remind_after") or 0, "remind_after")[0] or 0
        now = self.client.server_now()
        # nearly everyone has no settings of their own: one desired-fields dict serves them all (it is only read)
        shared = desired_fields(self.params, self.platform, self.policy_ids) if present else None
        for email, own in self.entries.items():
            tokens = self.tokens.get(email, [])
            if not present:
                self.items[email] = _item(plan_absent(tokens, now=now))
            elif not tokens and email not in self.directory.users and not self.params["create_users"]:
                self.items[email] = PlanItem("fail", None, NO_USER)
            else:
                person = self.person_params(email) if own else self.params
                self.items[email] = _item(plan_present(
                    tokens, self.desired(email) if own else shared, renew_before=renew_before, on_drift=self.params["on_drift"],
                    revoke_duplicates=self.params["revoke_duplicates"], ignore_tags=[self.marker], now=now,
                    devices=person.get("devices", 1), reinvite=person.get("reinvite", False), remind_after=remind_after))
        if present and self.params["exclusive"]:
            self._plan_leavers(now)
        return self

    def _plan_leavers(self, now):
        """exclusive: the pending tokens that carry the marker, of people not in the list, are revoked."""
        for email, tokens in self.tokens.items():
            if email in self.entries:
                continue
            marked = [t for t in tokens if self.marker in (t["tags"] or []) and effective_state(t, now) in REVOCABLE_STATES]
            if marked:
                self.items[email] = _item(Decision("revoke", revoke=marked))

    def by_action(self):
        """``{action: [emails]}`` of the plan, emails sorted."""
        grouped = {}
        for email in sorted(self.items):
            grouped.setdefault(self.items[email].action, []).append(email)
        return grouped

    @property
    def changes(self):
        """True when the plan writes anything: the ``changed`` of check mode."""
        return any(item.decision is not None and item.decision.changed for item in self.items.values())

    def update_drift_problems(self):
        """on_drift=update on a platform that cannot change tokens in place: a problem only when someone has drift."""
        if self.params.get("on_drift") != "update" or self.platform.can_update:
            return []
        drifting = sorted((email, item.decision.drift) for email, item in self.items.items()
                          if item.decision is not None and item.decision.drift)
        if not drifting:
            return []
        people = ", ".join("%s (%s)" % (email, ", ".join(fields)) for email, fields in drifting[:20])
        who = "person has" if len(drifting) == 1 else "people have"
        more = ", ..." if len(drifting) > 20 else ""
        name = self.platform.name
        return ["on_drift=update cannot change %s tokens in place, and %d %s drift: %s%s; set on_drift to recreate "
                "(new tokens) or keep for %s" % (name, len(drifting), who, people, more, name)]

    def creating(self):
        """``{email: Decision}`` of the people who get new tokens."""
        return dict((e, item.decision) for e, item in self.items.items() if item.decision is not None and item.decision.create)


def _item(decision):
    return PlanItem(decision.action, decision, None)
