# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reconcile many people's tokens on one platform with the vendor's bulk endpoint, truthfully.

The bulk endpoint answers only ``{total, success, fail}`` and creates a token for every
email it is sent, duplicates included. So this file never trusts its answer: it plans
from a full listing, sends each email at most once per round, and confirms every
outcome by listing again. A bulk request that fails is never resent blindly: the tokens
are listed first, and only emails that still lack one are resent, and only when the failure
says the request may not have been taken (a server error, 429, no connection). A request that
went out and got no answer is never resent: the API may still commit it after the listing.

No Ansible imports. The stages are: parse_users (no network), BulkRun.read, BulkRun.plan,
BulkRun.apply (skipped in check mode) and BulkRun.results.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.applivery.mdm.plugins.module_utils import _resources as api
from ansible_collections.applivery.mdm.plugins.module_utils._client import ApiError
from ansible_collections.applivery.mdm.plugins.module_utils._planner import REVOCABLE_STATES, Decision, plan_absent, plan_present
from ansible_collections.applivery.mdm.plugins.module_utils._settings import (
    check_reconcile,
    check_settings,
    create_body,
    desired_fields,
    policy_refs,
    renew_before_seconds,
    update_body,
)
from ansible_collections.applivery.mdm.plugins.module_utils._tokens import effective_state, normalize_token
from ansible_collections.applivery.mdm.plugins.module_utils._validation import TAG_MAX, check_email, check_tags

MAX_CHUNK = 1000  # contract C6
DEFAULT_MARKER = "managed-by:applivery.mdm"
# The settings a ``users`` item may set for its person, over the module option of the same name.
ITEM_SETTINGS = ("display_name", "tags", "policy", "management_mode", "duration", "send_email", "language", "email_text")
USER_ITEM_KEYS = ("email",) + ITEM_SETTINGS
CREATE_ROUNDS = 3  # fewest bulk rounds: the first send and two resends of what is still missing (more with retries > 2)

# Planned action (what the diff shows) -> outcome when it is applied.
OUTCOMES = {"create": "created", "renew": "renewed", "recreate": "recreated", "update": "updated", "revoke": "revoked",
            "unchanged": "unchanged", "drift": "drift", "absent": "absent", "fail": "failed"}
PLAN_ACTIONS = {"created": "create", "renewed": "renew", "recreated": "recreate", "updated": "update", "revoked": "revoke",
                "unchanged": "unchanged", "drift": "drift", "absent": "absent"}
CHANGED_OUTCOMES = ("created", "renewed", "updated", "recreated", "revoked")
SUMMARY_KEYS = ("total", "created", "unchanged", "renewed", "updated", "recreated", "revoked", "failed", "drift", "absent")
RESULT_TOKEN_FIELDS = ("id", "state", "expires_at", "enrollment_link", "enroll_code", "qr_code")


class InputError(Exception):
    """Options that cannot work, found before any request."""


def parse_users(items, display_name_max, field="users", convert=None, check=None):
    """``(entries, duplicates, problems)``: ``entries`` maps each trimmed, lower-cased email to its own settings.

    No network. Every bad item is named. A repeated email is collapsed and reported; the
    same email with different settings is a problem.

    ``convert(own, where)`` returns ``(own, problems)``: an item's own settings converted to the types
    of the module options of the same name (the module passes Ansible's argument-spec validation, so
    that an item is converted exactly as the options are). ``check(own, where)`` returns the problems
    of an item's converted settings on the platform (see item_checker); it is not called for an item
    whose settings could not be converted.
    """
    entries = {}
    duplicates = []
    problems = []
    for index, item in enumerate(items or []):
        where = "%s[%d]" % (field, index)
        own = {}
        if isinstance(item, dict):
            unknown = sorted(set(item) - set(USER_ITEM_KEYS))
            if unknown:
                problems.append("%s: unknown key(s) %s; an item may have %s" % (where, ", ".join(unknown), ", ".join(USER_ITEM_KEYS)))
            email = item.get("email")
            own, item_problems_found = _own_settings(item, where, display_name_max, convert)
            if check is not None and own and not item_problems_found:
                item_problems_found.extend(check(own, where))
            problems.extend(item_problems_found)
        elif isinstance(item, str):
            email = item
        else:
            problems.append("%s: %r is neither an email nor a dict with an email" % (where, item))
            continue
        email_problems = check_email(email, where)
        if email_problems:
            problems.extend(email_problems)
            continue
        email = api.normalize_email(email)
        if email in entries:
            if entries[email] != own:
                problems.append("%s: %s appears more than once with different settings" % (where, email))
            duplicates.append(email)
        else:
            entries[email] = own
    return entries, sorted(set(duplicates)), problems


def _own_settings(item, where, display_name_max, convert):
    """``(own, problems)``: the settings an item sets (not None), converted, with the checks that need no platform."""
    own = dict((name, item[name]) for name in ITEM_SETTINGS if item.get(name) is not None)
    problems = []
    if convert is not None and own:
        own, problems = convert(own, where)
        if problems:
            return own, problems
    if own.get("display_name") is not None:
        own["display_name"] = str(own["display_name"])
        if len(own["display_name"]) > display_name_max:
            problems.append("%s.display_name is %d characters long; the limit is %d" % (where, len(own["display_name"]), display_name_max))
    if own.get("policy") is not None:
        own["policy"] = str(own["policy"])
    if own.get("tags") is not None:
        if not isinstance(own["tags"], list):
            problems.append("%s.tags must be a list of strings" % where)
        else:
            own["tags"] = [str(t) for t in own["tags"]]
            problems.extend(check_tags(own["tags"], where + ".tags"))
    return own, problems


def item_checker(params, platform):
    """``check(own, where)``: the problems of one item's own settings, found as the module options' are (no network).

    The item's effective settings (its own over the module's) go through the same checks as the
    module options, settings.check_settings and settings.check_reconcile, so that, for example, an
    item's duration is checked against renew_before. A problem the module options have anyway is
    reported once, for the options; display_name and tags were already checked by parse_users.
    The options' own problems are found once here, not once per item.
    """
    settings_problems = check_settings(params, platform)
    reconcile_problems = set(check_reconcile(params, platform))

    def check(own, where):
        rest = dict((name, value) for name, value in own.items() if name not in ("display_name", "tags"))
        if not rest:
            return []
        merged = _item_params(params, rest)
        prefix = where + "."
        module_level = set(prefix + p for p in settings_problems)  # every check_settings message starts with its prefix
        problems = [p for p in check_settings(merged, platform, prefix) if p not in module_level]
        problems.extend("%s: %s" % (where, p) for p in check_reconcile(merged, platform) if p not in reconcile_problems)
        return problems
    return check


def check_marker(marker):
    if not marker or not marker.strip():
        return ["marker_tag must not be empty"]
    if len(marker) > TAG_MAX:
        return ["marker_tag is %d characters long; the limit is %d" % (len(marker), TAG_MAX)]
    return []


def _item_params(params, own):
    merged = dict(params)
    merged.update(own)
    return merged


def _result_token(token):
    if not token or not token.get("id"):
        return None
    return dict((k, token.get(k)) for k in RESULT_TOKEN_FIELDS)


class BulkRun:
    """One reconciliation of ``entries`` (email -> own settings) on one platform."""

    def __init__(self, client, platform, params, entries):
        self.client = client
        self.platform = platform
        self.params = params
        self.entries = entries
        self.marker = params["marker_tag"]
        self.policy_ids = {}
        self.directory = api.Directory(client)
        self.tokens = {}         # email -> [canonical tokens that are not DELETED]
        self.watermark = None    # newest createdAt seen by the first listing (server time)
        self.known_ids = set()
        self.plan_items = {}     # email -> (action, Decision or None, reason)
        self.outcomes = {}       # email -> {"action", "token", "error"}
        self.raced = {}          # email -> new tokens a concurrent run created too, revoked with revoke_duplicates
        self.effects = 0         # writes that took effect: tokens that appeared, PUTs and DELETEs answered, users created

    # ------------------------------------------------------------------ read
    def read(self):
        try:
            self.policy_ids = api.resolve_policies(self.client, self.platform, self._all_policy_refs())
        except api.ResolutionError as error:
            raise InputError(str(error))
        canonical, self.tokens = api.tokens_by_email(self.client, self.platform, self.directory)
        self.known_ids = set(t["id"] for t in canonical)
        self.watermark = max([t["created_at"] for t in canonical if t["created_at"]] or [None])
        if self.params["state"] == "present" and not self.params["create_users"]:
            self.directory.look_up([e for e in self.entries if e not in self.tokens])

    def _all_policy_refs(self):
        refs = policy_refs(self.params)
        refs.extend(own["policy"] for own in self.entries.values() if "policy" in own)
        return refs

    # ------------------------------------------------------------------ plan
    def plan(self):
        present = self.params["state"] == "present"
        renew_before = renew_before_seconds(self.params)
        ignore = [self.marker]
        now = self.client.server_now()
        for email, own in self.entries.items():
            tokens = self.tokens.get(email, [])
            if not present:
                decision = plan_absent(tokens, now=now)
            elif not tokens and email not in self.directory.users and not self.params["create_users"]:
                self.plan_items[email] = ("fail", None, "no MDM user has this email; create the user first, or set create_users: true")
                continue
            else:
                desired = desired_fields(_item_params(self.params, own), self.platform, self.policy_ids)
                decision = plan_present(tokens, desired, renew_before=renew_before, on_drift=self.params["on_drift"],
                                        revoke_duplicates=self.params["revoke_duplicates"], ignore_tags=ignore, now=now)
            self.plan_items[email] = (PLAN_ACTIONS[decision.action], decision, None)
        if present and self.params["exclusive"]:
            for email, tokens in self.tokens.items():
                if email in self.entries:
                    continue
                marked = [t for t in tokens if self.marker in t["tags"] and effective_state(t, now) in REVOCABLE_STATES]
                if marked:
                    self.plan_items[email] = ("revoke", Decision("revoked", revoke=marked), None)

    def plan_by_action(self):
        by_action = {}
        for email, (action, _decision, _reason) in sorted(self.plan_items.items()):
            by_action.setdefault(action, []).append(email)
        return by_action

    @property
    def plan_changes(self):
        """True when the plan writes anything: the ``changed`` of check mode."""
        return any(d is not None and d.changed for _a, d, _r in self.plan_items.values())

    @property
    def applied_changes(self):
        """True when apply changed something: the ``changed`` of a real run, from what happened, not from the plan.

        An outcome that is a change counts, and so does any write that took effect on its own: a duplicate
        revoked next to an unchanged token, a user created for a token that then failed, the new half of a
        replacement whose old token could not be revoked. A run whose every write failed changed nothing.
        """
        return self.effects > 0 or any(o["action"] in CHANGED_OUTCOMES for o in self.outcomes.values())

    # ----------------------------------------------------------------- apply
    def apply(self):
        creating = dict((e, d) for e, (a, d, _r) in self.plan_items.items() if d is not None and d.create)
        for email, (action, decision, reason) in self.plan_items.items():
            if action == "fail":
                self.outcomes[email] = {"action": "failed", "token": None, "error": reason}
            elif decision is not None and not decision.create:
                self._apply_in_place(email, decision)
        if creating:
            self._create_all(creating)

    def _apply_in_place(self, email, decision):
        token = decision.token
        try:
            if decision.update:
                own = self.entries.get(email, {})
                desired = desired_fields(_item_params(self.params, own), self.platform, self.policy_ids)
                if "tags" in decision.update:
                    desired["tags"] = sorted(set(desired["tags"]) | set([self.marker]))
                token = normalize_token(self.client.put(self.client.org_path(self.platform.token_path(token["id"])),
                                                        update_body(desired, decision.update, self.platform)), self.platform)
                self.effects += 1
            self._revoke(decision.revoke)
        except ApiError as error:
            self.outcomes[email] = {"action": "failed", "token": _result_token(token), "error": str(error)}
            return
        self.outcomes[email] = {"action": OUTCOMES[PLAN_ACTIONS[decision.action]], "token": _result_token(token), "error": None}

    def _revoke(self, tokens):
        for token in tokens:
            self.client.delete(self.client.org_path(self.platform.token_path(token["id"])))
            self.effects += 1

    def _create_all(self, creating):
        """Bulk-create for ``creating`` (email -> Decision): send, confirm by listing, resend only what is missing."""
        groups = {}
        for email in creating:
            body = create_body(_item_params(self.params, self.entries.get(email, {})), self.platform, self.policy_ids, extra_tags=[self.marker])
            groups.setdefault(json.dumps(body, sort_keys=True), []).append(email)
        # email -> why it has no token yet: None (not sent, or the API took it and counted a failure),
        # or (sentence, final). A final failure is never resent.
        missing = dict((e, None) for e in creating)
        found = {}
        for dummy in range(max(CREATE_ROUNDS, self.client.retries + 1)):  # like enrollment._create, honour 'retries'
            sendable = set(e for e, why in missing.items() if why is None or not why[1])
            if not sendable:
                break
            for key, emails in groups.items():
                todo = [e for e in emails if e in sendable]
                for start in range(0, len(todo), self.params["chunk_size"]):
                    self._send_chunk(json.loads(key), todo[start:start + self.params["chunk_size"]], missing)
            found.update(self._confirm(set(missing)))
            found.update(self._look_again([e for e, why in missing.items() if e not in found and (why is None or not why[1])]))
            for email in found:
                missing.pop(email, None)
            self._settle_counted_failures([e for e, why in missing.items() if why is None], missing)
        for email, decision in creating.items():
            self.outcomes[email] = self._creation_outcome(email, decision, found.get(email), missing.get(email))

    def _send_chunk(self, body, chunk, missing):
        """POST one bulk chunk; on failure, record why for every email in it (final unless it may have committed)."""
        try:
            self.client.post(self.client.org_path(self.platform.bulk_path), dict(body, userEmails=chunk))
        except ApiError as error:
            final = not error.may_have_committed
            reason = str(error)
            if error.no_answer:  # the API may still commit it after the listing: a resend could duplicate every token
                final = True
                reason += "; the API may still create these tokens, so they were not resent: re-run later to see them"
            for email in chunk:
                missing[email] = (reason, final)

    def _settle_counted_failures(self, emails, missing):
        """Emails the API took without error but gave no token: create their user when allowed, else fail them."""
        if self.params["create_users"]:
            self.directory.look_up(emails)
        for email in emails:
            if email in self.directory.users or not self.params["create_users"]:
                missing[email] = ("the bulk request counted this email as failed and no token appeared for it", True)
                continue
            try:
                user = api.create_user(self.client, email)
            except ApiError as error:
                missing[email] = (str(error), True)
                continue
            self.effects += 1
            self.directory.remember(email, user["id"])

    def _creation_outcome(self, email, decision, token, why):
        if token is None:
            return {"action": "failed", "token": None, "error": why[0] if why else "no token appeared for this email"}
        self.effects += 1  # the token exists now, whatever happens to the old ones
        try:
            self._revoke(decision.revoke + self.raced.get(email, []))  # only now that the replacement exists
        except ApiError as error:
            return {"action": "failed", "token": _result_token(token), "error": str(error)}
        return {"action": OUTCOMES[PLAN_ACTIONS[decision.action]], "token": _result_token(token), "error": None}

    def _confirm(self, emails):
        """``{email: token}`` for the given emails, from tokens created since the first listing: the newest one.

        Several new tokens for one email mean a concurrent run created one too. With revoke_duplicates the
        oldest is kept instead, so that every run that sees them agrees on it, and the others are revoked.
        """
        # Revoked tokens are listed too, so that a concurrent run's revocations do not shift the pages (and skip tokens).
        params = dict(self.platform.list_params(include_deleted=True)[0], sort="createdAt:desc")
        new_tokens = []
        seen = set()  # a page can repeat tokens of the one before when a concurrent run adds tokens meanwhile
        for raw in self.client.paginate(self.client.org_path(self.platform.tokens_path), params=params):
            token = normalize_token(raw, self.platform)
            if self.watermark and token["created_at"] and token["created_at"] < self.watermark:
                break
            if token["id"] not in self.known_ids and token["id"] not in seen and token["state"] == "PENDING":
                seen.add(token["id"])
                new_tokens.append(token)
        self.directory.label(new_tokens)  # on AOSP, reads the users the bulk call created, once
        return self._choose(new_tokens, emails)

    def _look_again(self, emails):
        """A second look for emails the listing showed no new token for, before they are resent or failed.

        Offset paging skips tokens when a concurrent run revokes some while the listing is read. A few
        emails are looked up per person (a list that fits one page); many, with one more listing.
        """
        if not emails:
            return {}
        if len(emails) > api.PER_EMAIL_LOOKUP_LIMIT or not self.platform.user_filter:
            return self._confirm(set(emails))
        self.directory.look_up(emails)
        ids = [self.directory.users[e] for e in emails if e in self.directory.users]
        tokens = api.list_tokens(self.client, self.platform, user_ids=ids) if ids else []
        tokens = [t for t in tokens if t["id"] not in self.known_ids and t["state"] == "PENDING"]
        return self._choose(self.directory.label(tokens), set(emails))

    def _choose(self, new_tokens, emails):
        """``{email: token}`` among new PENDING tokens (see _confirm)."""
        by_email = {}
        for token in sorted(new_tokens, key=lambda t: (t["created_at"] or "", t["id"]), reverse=True):  # newest first
            if token["user_email"] in emails:
                by_email.setdefault(token["user_email"], []).append(token)
        chosen = {}
        for email, tokens in by_email.items():
            chosen[email] = tokens[0]
            if len(tokens) > 1 and self.params["revoke_duplicates"]:
                chosen[email] = min(tokens, key=lambda t: (t["created_at"] or "", t["id"]))
                self.raced[email] = [t for t in tokens if t["id"] != chosen[email]["id"]]
        return chosen

    # --------------------------------------------------------------- results
    def results(self, check_mode):
        entries = []
        for email in sorted(self.plan_items):
            action, decision, reason = self.plan_items[email]
            if check_mode or email not in self.outcomes:
                token = decision.token if decision is not None else None
                entries.append({"email": email, "action": OUTCOMES[action], "token": _result_token(token), "error": reason})
            else:
                entries.append(dict(self.outcomes[email], email=email))
        summary = dict((key, 0) for key in SUMMARY_KEYS)
        for entry in entries:
            summary[entry["action"]] = summary.get(entry["action"], 0) + 1
        summary["total"] = len(entries)
        return entries, summary


def diff_text(by_action, platform):
    """The plan as a reviewer reads it in a pull request: emails per action, no secrets."""
    lines = []
    symbols = (("create", "+"), ("renew", "~"), ("recreate", "~"), ("update", "~"), ("revoke", "-"), ("fail", "!"), ("drift", "?"))
    for action, symbol in symbols:
        emails = by_action.get(action) or []
        if emails:
            lines.append("%s %s %s (%d): %s" % (symbol, platform, action, len(emails), ", ".join(emails)))
    if not lines:
        lines.append("  %s: nothing to change" % platform)
    return "\n".join(lines) + "\n"
