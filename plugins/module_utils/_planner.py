# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Decide, for one person on one platform, what must happen to their enrollment tokens.

Pure functions over canonical tokens (see _tokens.py): no network, no Ansible. The single
module and the bulk module both plan with these, so they decide the same way.

One vocabulary: ``ACTIONS`` names every action once. A plan, a diff and a result all use the
action's name (``create``); a result of a real run shows its ``done`` word (``created``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
from collections import namedtuple

from ansible_collections.applivery.mdm.plugins.module_utils._platforms import PLATFORMS
from ansible_collections.applivery.mdm.plugins.module_utils._tokens import effective_state, parse_time, utcnow

# name: the plan's word; done: the result's word; symbol: the diff's mark; changes: a write when applied
Action = namedtuple("Action", "name done symbol changes")
ACTIONS = dict((a.name, a) for a in (
    Action("create", "created", "+", True), Action("renew", "renewed", "~", True), Action("remind", "reminded", "~", True),
    Action("recreate", "recreated", "~", True), Action("update", "updated", "~", True), Action("revoke", "revoked", "-", True),
    Action("fail", "failed", "!", False), Action("unconfirmed", "unconfirmed", "…", False), Action("drift", "drift", "?", False),
    Action("enrolled", "enrolled", "", False), Action("unchanged", "unchanged", "", False), Action("absent", "absent", "", False),
))
# The order a diff and a summary list the actions in.
ACTION_ORDER = ("create", "renew", "remind", "recreate", "update", "revoke", "fail", "unconfirmed", "drift", "enrolled", "unchanged", "absent")
CHANGING_ACTIONS = tuple(name for name in ACTION_ORDER if ACTIONS[name].changes)
QUIET_ACTIONS = ("unchanged", "absent", "enrolled")  # left out by result_detail=changes

# A token a device used (DONE) or is enrolling with right now (PROCESSING): the person has enrolled.
ENROLLED_STATES = ("DONE", "PROCESSING")
# Token states that can still enroll a device, and so are revoked by state=absent.
REVOCABLE_STATES = ("PENDING",)

# Fields of the canonical token shown in diffs (never the enrollment link, code or QR code).
SUMMARY_FIELDS = ("id", "state", "user_id", "user_email", "display_name", "tags", "policy_id", "policy_assignments",
                  "expires_at", "device_id")


class Decision:
    """What to do for one person: the action name and the writes it needs.

    ``token`` is the token that stays (None when a new one is made), ``create`` the number of
    new tokens, ``update`` the drifted fields to change in place on ``token``, ``revoke`` the
    tokens to soft-delete, ``drift`` the fields where the live token differs from the request,
    and ``enrolled`` the person's tokens that a device used or is using.
    """

    def __init__(self, action, token=None, create=0, update=None, revoke=None, drift=None, enrolled=None):
        self.action = action
        self.token = token
        self.create = int(create)
        self.update = list(update or [])
        self.revoke = list(revoke or [])
        self.drift = list(drift or [])
        self.enrolled = list(enrolled or [])

    @property
    def changed(self):
        return bool(self.create or self.update or self.revoke)

    def __repr__(self):
        return "Decision(%s, create=%d, update=%s, revoke=%s, drift=%s, enrolled=%d)" % (
            self.action, self.create, self.update, [t.get("id") for t in self.revoke], self.drift, len(self.enrolled))


def _policy_ids(token):
    return set(a["policy_id"] for a in token.get("policy_assignments") or [])


def _assignment_order(assignment):
    return assignment["priority"], assignment["policy_id"] or ""


def _reads_primary(token):
    """False when the token's platform has no read key for the primary policy (it shows among the assignments)."""
    platform = PLATFORMS.get(token.get("platform"))
    return platform is None or bool(platform.policy_read_keys)


def _differs(name, wanted, token, ignore_tags, desired):
    """True when the token echoes ``name`` and the echo differs; a field it does not echo is unknown, not drift."""
    have = token.get(name)
    if name == "policy_id":
        # present as the primary policy or among the assignments; unknown when the token echoes neither, unless its
        # platform's read model shows the primary policy only among the assignments (Android, seed 001) and lists some
        known = have is not None or (bool(token.get("policy_assignments")) and not _reads_primary(token))
        return known and wanted != have and wanted not in _policy_ids(token)
    if have is None:
        return False
    if name == "tags":
        return sorted(set(have) - set(ignore_tags)) != sorted(set(wanted) - set(ignore_tags))
    if name == "policy_assignments":
        primary = desired.get("policy_id")
        have = [a for a in have if a["policy_id"] != primary or any(w["policy_id"] == primary for w in wanted)]
        return sorted(have, key=_assignment_order) != sorted(wanted, key=_assignment_order)
    return have != wanted


def drift_fields(desired, token, ignore_tags=()):
    """Names of the desired fields whose echoed value differs, after normalisation."""
    return sorted(name for name, wanted in desired.items() if _differs(name, wanted, token, ignore_tags, desired))


def _newest_first(tokens):
    return sorted(tokens, key=lambda t: (t.get("created_at") or "", t.get("id") or ""), reverse=True)


def expires_within(token, seconds, now):
    """True when a token that is still valid expires within ``seconds`` from ``now``."""
    if token.get("perpetual") or not token.get("expires_at") or seconds <= 0:
        return False
    return parse_time(token["expires_at"]) <= now + datetime.timedelta(seconds=seconds)


def pending_longer_than(token, seconds, now):
    """True when a valid token was made more than ``seconds`` before ``now`` (never when ``seconds`` is 0)."""
    if seconds <= 0 or not token.get("created_at"):
        return False
    return parse_time(token["created_at"]) <= now - datetime.timedelta(seconds=seconds)


def enrolled_tokens(tokens, now=None):
    """The tokens a device used or is using, newest first."""
    now = now or utcnow()
    return _newest_first(t for t in tokens if effective_state(t, now) in ENROLLED_STATES)


def wanted_pending(devices, enrolled, reinvite=False):
    """How many valid tokens a person needs: one per device not enrolled yet (at least one when re-invited)."""
    wanted = max(int(devices) - enrolled, 0)
    return max(wanted, 1) if reinvite else wanted


def plan_present(tokens, desired, renew_before=0, on_drift="keep", revoke_duplicates=False, ignore_tags=(), now=None,
                 devices=1, reinvite=False, remind_after=0):
    """The Decision that leaves the person ``devices`` minus their enrolled devices valid tokens matching ``desired``.

    ``tokens`` are the person's canonical tokens on the platform (any state). A person who has
    enrolled as many devices as asked is ``enrolled``: no new token and no email. A person whose valid token was
    made more than ``remind_after`` seconds ago is reminded: a new token (the caller sends its email), the old revoked.
    """
    now = now or utcnow()
    states = [effective_state(t, now) for t in tokens]
    enrolled = _newest_first(t for t, state in zip(tokens, states) if state in ENROLLED_STATES)
    live = [t for t, state in zip(tokens, states) if state == "PENDING"]
    wanted = wanted_pending(devices, len(enrolled), reinvite)
    if wanted == 0:
        surplus = live if revoke_duplicates else []
        return Decision("enrolled", token=enrolled[0] if enrolled else None, revoke=surplus, enrolled=enrolled)
    expiring = [t for t in live if expires_within(t, renew_before, now)]
    stale = [t for t in live if t not in expiring and pending_longer_than(t, remind_after, now)]
    fresh = _newest_first(t for t in live if t not in expiring and t not in stale)
    drifts = [drift_fields(desired, t, ignore_tags) for t in fresh]
    matching = [t for t, drift in zip(fresh, drifts) if not drift]
    kept = (matching + [t for t, drift in zip(fresh, drifts) if drift])[:wanted]
    duplicates = [t for t in fresh if t not in kept] if revoke_duplicates else []
    missing = wanted - len(kept)
    if stale and missing:
        return Decision("remind", token=kept[0] if kept else None, create=missing, revoke=expiring + stale + duplicates, enrolled=enrolled)
    if not kept:
        renewing = bool(expiring) or "EXPIRED" in states
        return Decision("renew" if renewing else "create", create=missing, revoke=expiring + duplicates, enrolled=enrolled)
    keep = kept[0]
    drift = drifts[fresh.index(keep)]
    if drift and on_drift == "update":
        return Decision("update", token=keep, create=missing, update=drift, revoke=duplicates, drift=drift, enrolled=enrolled)
    if drift and on_drift == "recreate":
        return Decision("recreate", create=missing + 1, revoke=[keep] + duplicates, drift=drift, enrolled=enrolled)
    if missing:
        return Decision("create", token=keep, create=missing, revoke=expiring + duplicates, drift=drift, enrolled=enrolled)
    return Decision("drift" if drift else "unchanged", token=keep, revoke=duplicates, drift=drift, enrolled=enrolled)


def plan_absent(tokens, now=None):
    """The Decision that leaves the person with no token that can still enroll a device.

    Revoking a token does not remove a device: the person's enrolled devices are reported, untouched.
    """
    now = now or utcnow()
    revoke = [t for t in tokens if effective_state(t, now) in REVOCABLE_STATES]
    enrolled = enrolled_tokens(tokens, now)
    return Decision("revoke" if revoke else "absent", revoke=revoke, enrolled=enrolled)


def summary(token):
    """The part of a canonical token a diff shows; {} for no token."""
    if not token:
        return {}
    view = dict((name, token.get(name)) for name in SUMMARY_FIELDS)
    if view["tags"]:
        view["tags"] = sorted(view["tags"])  # the API keeps its own order; a diff compares sets of tags
    return view


def device_view(tokens):
    """The enrolled devices of a person as results show them: no enrollment secret."""
    return [{"token_id": t.get("id"), "device_id": t.get("device_id"), "state": t.get("state"), "at": t.get("updated_at")}
            for t in tokens]
