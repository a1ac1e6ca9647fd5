# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stage 6 of a bulk run: rounds of bulk creation (send, wait, confirm), truthfully.

The bulk endpoint answers only ``{total, success, fail}``, creates a token for every email it
is sent, and may create them after it answers. So:

* a request answered 2xx is never resent for the emails it covered: its tokens are waited for,
  bounded by ``confirm_timeout``, until the listing shows as many new tokens as it counted
  ``success``; an email still without one then is ``unconfirmed`` (a re-run finds its token);
* new tokens are found by set difference against the ids listed before any write, per person,
  whatever order and page size the server uses;
* once every counted success is visible, an email with no token was counted in ``fail``: it is
  resent only after its missing MDM user was created (``create_users``), else it fails;
* a request that failed with 5xx, 429 or no connection is resent for the emails that still lack
  a token; one that went out and got no answer is never resent (it may still commit).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import time
from collections import namedtuple

from ansible_collections.applivery.mdm.plugins.module_utils import _resources as resources
from ansible_collections.applivery.mdm.plugins.module_utils._client import ApiError
from ansible_collections.applivery.mdm.plugins.module_utils._settings import create_body

CREATE_ROUNDS = 3  # fewest rounds: the first send and two resends of what is still missing (more with retries > 2)
FIRST_WAIT = 0.5   # seconds before the second confirmation listing; doubles up to MAX_WAIT
MAX_WAIT = 8.0

# Why an email has no token yet: the sentence, whether it may be resent, and the action it ends with if it stays so.
Missing = namedtuple("Missing", "reason final action")
COUNTED_FAIL = "the bulk request counted this email as failed and no token appeared for it"
UNCONFIRMED = ("the API accepted the bulk request, but the token did not appear within confirm_timeout (%s s); it was not resent: "
               "re-run later to see it")


class CreateRounds:
    """Creates ``decisions[email].create`` new tokens per person, for one BulkPlan."""

    def __init__(self, plan, decisions, sleep=time.sleep, clock=time.monotonic):
        self.plan = plan
        self.client = plan.client
        self.platform = plan.platform
        self.params = plan.params
        self.need = dict((email, decision.create) for email, decision in decisions.items())
        self.answered = dict((email, 0) for email in decisions)  # tokens asked for by requests the API answered 2xx
        self.found = dict((email, []) for email in decisions)    # new tokens seen, oldest first
        self.missing = {}                                        # email -> Missing, after the last round
        self.expected = 0                                        # tokens the 2xx answers counted as made
        self.effects = 0                                         # users created
        self._sleep = sleep
        self._clock = clock

    def run(self):
        for dummy in range(max(CREATE_ROUNDS, self.client.retries + 1)):
            sendable = [e for e in self.need if self._short(e) and (e not in self.missing or not self.missing[e].final)]
            if not sendable:
                break
            self.missing = dict((e, m) for e, m in self.missing.items() if m.final)
            self.expected = self._accounted()  # what earlier rounds made is visible already
            self._send(sendable)
            self._wait()
            self._settle()
        for email in self.need:
            if self._short(email) and email not in self.missing:
                self.missing[email] = Missing("no token appeared for this email", True, "fail")
        return self

    def _short(self, email):
        return len(self.found[email]) < self.need[email]

    # ------------------------------------------------------------------ send
    def _send(self, emails):
        """One request per chunk of identical bodies; a person who needs n tokens is in n waves of requests."""
        chunk_size = self.params["chunk_size"]
        for wave in range(max(self.need[e] - len(self.found[e]) for e in emails)):
            groups = {}
            for email in emails:
                if self.need[email] - len(self.found[email]) > wave and email not in self.missing:
                    body = create_body(self.plan.person_params(email), self.platform, self.plan.policy_ids,
                                       extra_tags=[self.plan.marker], endpoint="bulk")
                    groups.setdefault(json.dumps(body, sort_keys=True), []).append(email)
            for key in sorted(groups):
                todo = groups[key]
                for start in range(0, len(todo), chunk_size):
                    self._send_chunk(json.loads(key), todo[start:start + chunk_size])

    def _send_chunk(self, body, chunk):
        try:
            counts = resources.post_bulk(self.client, self.platform, body, chunk)
        except ApiError as error:
            final = not error.may_have_committed
            reason = str(error)
            if error.no_answer:  # the API may still commit it after the listing: a resend could duplicate every token
                final = True
                reason += "; the API may still create these tokens, so they were not resent: re-run later to see them"
            for email in chunk:
                self.missing[email] = Missing(reason, final, "fail")
            return
        for email in chunk:
            self.answered[email] += 1
        success = counts["success"]
        self.expected += len(chunk) if success is None else min(success, len(chunk))

    # ------------------------------------------------------------------ wait
    def _wait(self):
        """List until every token the 2xx answers counted is visible, or confirm_timeout passes."""
        deadline = self._clock() + self.params["confirm_timeout"]
        pause = FIRST_WAIT
        while True:
            self._confirm()
            if self._accounted() >= self.expected or self._clock() >= deadline:
                return
            self._sleep(min(pause, max(deadline - self._clock(), 0)))
            pause = min(pause * 2, MAX_WAIT)

    def _accounted(self):
        return sum(min(len(self.found[e]), self.answered[e]) for e in self.need)

    def _confirm(self):
        """Add the new PENDING tokens (ids not listed before the writes) of the people still waiting."""
        waiting = [e for e in self.need if self._short(e)]
        if not waiting:
            return
        known = self.plan.known_ids | set(t["id"] for tokens in self.found.values() for t in tokens)
        for token in sorted(self._list(waiting), key=lambda t: (t["created_at"] or "", t["id"])):
            if token["id"] not in known and token["state"] == "PENDING" and token["user_email"] in self.found:
                self.found[token["user_email"]].append(token)
                known.add(token["id"])

    def _list(self, emails):
        """The current tokens of ``emails``: one filtered listing per person for a few, one whole listing for many."""
        directory = self.plan.directory
        if len(emails) > resources.PER_EMAIL_LOOKUP_LIMIT or not self.platform.user_filter:
            return resources.tokens_by_email(self.client, self.platform, directory, include_deleted=True)[0]
        directory.look_up(emails)
        ids = [directory.users[e] for e in emails if e in directory.users]
        return directory.label(resources.list_tokens(self.client, self.platform, user_ids=ids, include_deleted=True)) if ids else []

    # ---------------------------------------------------------------- settle
    def _settle(self):
        """Why each email that is still short of tokens is: unconfirmed, counted failed, or failed on the request."""
        all_visible = self._accounted() >= self.expected
        counted = []
        for email in self.need:
            if not self._short(email) or email in self.missing:
                continue
            if self.answered[email] > len(self.found[email]) and not all_visible:
                self.missing[email] = Missing(UNCONFIRMED % self.params["confirm_timeout"], True, "unconfirmed")
            else:
                counted.append(email)
        self._settle_counted(counted)

    def _settle_counted(self, emails):
        """Emails the API took but counted failed: create their user when allowed (then resend), else fail them."""
        directory = self.plan.directory
        if self.params["create_users"]:
            directory.look_up(emails)
        for email in emails:
            self.answered[email] = len(self.found[email])  # the failed request is written off: it made nothing
            if email in directory.users or not self.params["create_users"]:
                self.missing[email] = Missing(COUNTED_FAIL, True, "fail")
                continue
            try:
                user = resources.create_user(self.client, email)
            except ApiError as error:
                self.missing[email] = Missing(str(error), True, "fail")
                continue
            self.effects += 1
            directory.remember(email, user["id"])
