# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Decide, for one person on one platform, what must happen to their enrollment tokens.

Pure functions over canonical tokens (see tokens.py): no network, no Ansible. The single
module and the bulk module both plan with these, so they decide the same way.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.applivery.mdm.plugins.module_utils._tokens import effective_state, parse_time, utcnow

# Token states that can still enroll a device, and so are revoked by state=absent.
REVOCABLE_STATES = ("PENDING", "PROCESSING")

# Fields of the canonical token shown in diffs (never the enrollment link, code or QR code).
SUMMARY_FIELDS = ("id", "state", "user_id", "user_email", "display_name", "tags", "policy_id", "policy_assignments", "expires_at")


class Decision:
    """What to do for one person: the action name and the writes it needs.

    ``token`` is the token that stays (None when a new one is created), ``create`` asks for a
    new token, ``update`` lists drifted fields to change in place, ``revoke`` the tokens to
    soft-delete, and ``drift`` the fields where the live token differs from the request.
    """

    def __init__(self, action, token=None, create=False, update=None, revoke=None, drift=None):
        self.action = action
        self.token = token
        self.create = create
        self.update = list(update or [])
        self.revoke = list(revoke or [])
        self.drift = list(drift or [])

    @property
    def changed(self):
        return bool(self.create or self.update or self.revoke)

    def __repr__(self):
        return "Decision(%s, create=%s, update=%s, revoke=%s, drift=%s)" % (
            self.action, self.create, self.update, [t.get("id") for t in self.revoke], self.drift)


def drift_fields(desired, token, ignore_tags=()):
    """Names of the desired fields whose live value differs, after normalisation."""
    drift = []
    for name, wanted in desired.items():
        have = token.get(name)
        if name == "tags":
            have = sorted(set(have or []) - set(ignore_tags))
            wanted = sorted(set(wanted) - set(ignore_tags))
        elif name == "policy_assignments":
            have = sorted(have or [], key=lambda a: (a["priority"], a["policy_id"] or ""))
        if have != wanted:
            drift.append(name)
    return sorted(drift)


def _newest_first(tokens):
    return sorted(tokens, key=lambda t: (t.get("created_at") or "", t.get("id") or ""), reverse=True)


def expires_within(token, seconds, now):
    """True when a token that is still valid expires within ``seconds`` from ``now``."""
    if token.get("perpetual") or not token.get("expires_at") or seconds <= 0:
        return False
    return parse_time(token["expires_at"]) <= now + datetime.timedelta(seconds=seconds)


def plan_present(tokens, desired, renew_before=0, on_drift="keep", revoke_duplicates=False, ignore_tags=(), now=None):
    """The Decision that leaves exactly one valid token matching ``desired`` (if asked to heal duplicates).

    ``tokens`` are the person's canonical tokens on the platform (any state).
    """
    now = now or utcnow()
    live = [t for t in tokens if effective_state(t, now) == "PENDING"]
    expiring = [t for t in live if expires_within(t, renew_before, now)]
    fresh = _newest_first(t for t in live if t not in expiring)
    if not fresh:
        renewing = bool(expiring) or any(effective_state(t, now) == "EXPIRED" for t in tokens)
        return Decision("renewed" if renewing else "created", create=True, revoke=expiring)
    matching = [t for t in fresh if not drift_fields(desired, t, ignore_tags)]
    keep = matching[0] if matching else fresh[0]
    duplicates = [t for t in fresh if t is not keep] if revoke_duplicates else []
    drift = drift_fields(desired, keep, ignore_tags)
    if not drift:
        return Decision("unchanged", token=keep, revoke=duplicates)
    if on_drift == "update":
        return Decision("updated", token=keep, update=drift, revoke=duplicates, drift=drift)
    if on_drift == "recreate":
        return Decision("recreated", create=True, revoke=[keep] + duplicates, drift=drift)
    return Decision("drift", token=keep, revoke=duplicates, drift=drift)


def plan_absent(tokens, now=None):
    """The Decision that leaves the person with no token that can still enroll a device."""
    now = now or utcnow()
    revoke = [t for t in tokens if effective_state(t, now) in REVOCABLE_STATES]
    if revoke:
        return Decision("revoked", revoke=revoke)
    return Decision("absent")


def summary(token):
    """The part of a canonical token a diff shows; {} for no token."""
    if not token:
        return {}
    view = dict((name, token.get(name)) for name in SUMMARY_FIELDS)
    if view["tags"]:
        view["tags"] = sorted(view["tags"])  # the API keeps its own order; a diff compares sets of tags
    return view
