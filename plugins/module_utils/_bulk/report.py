# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stage 7 of a bulk run: per-person results, the counts, the diff a reviewer reads, and the report file."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
from collections import namedtuple

from ansible_collections.applivery.mdm.plugins.module_utils._planner import ACTION_ORDER, ACTIONS, QUIET_ACTIONS, device_view

# What happened to one person in a real run: an action name of _planner.ACTIONS, the token that stays, and why it failed.
Outcome = namedtuple("Outcome", "action token error")

RESULT_TOKEN_FIELDS = ("id", "state", "expires_at", "enrollment_link", "enroll_code", "qr_code", "qrcode_url", "device_id")
COUNT_KEYS = ("total",) + tuple(ACTIONS[name].done for name in ACTION_ORDER)


def result_token(token):
    if not token or not token.get("id"):
        return None
    return {k: token.get(k) for k in RESULT_TOKEN_FIELDS}


def results(plan, outcomes):
    """``(entries, counts)``: one entry per person, from the outcome of a real run or else from the plan."""
    entries = []
    counts = dict((key, 0) for key in COUNT_KEYS)
    for email in sorted(plan.items):
        item = plan.items[email]
        decision = item.decision
        outcome = outcomes.get(email) or Outcome(item.action, decision.token if decision else None, item.reason)
        done = ACTIONS[outcome.action].done
        if outcome.token is None and decision is not None and outcome.action == "revoke" and decision.revoke:
            outcome = outcome._replace(token=decision.revoke[0])  # the row of a revoked person names the token revoked
        counts[done] += 1
        entry = {"email": email, "action": done, "token": result_token(outcome.token), "error": outcome.error}
        if decision is not None and decision.enrolled:  # only then: 100,000 empty lists cost a second to encode
            entry["enrolled_devices"] = device_view(decision.enrolled)
        if decision is not None and decision.revoke and outcome.action not in ("fail", "unconfirmed"):
            # every token revoked for the person, duplicates next to a kept token included (revoke_duplicates)
            entry["revoked"] = [t["id"] for t in decision.revoke]
        entries.append(entry)
    counts["total"] = len(entries)
    return entries, counts


def diff_text(by_action, platform, details=None):
    """The plan as a reviewer reads it in a pull request, no secrets: per action a line with the count, then one
    line per person, each with the action's mark, so that a diff viewer colours it; ``details`` maps an email to
    what is shown after it (the drifted fields)."""
    lines = []
    details = details or {}
    for name in ACTION_ORDER:
        emails = by_action.get(name) or []
        symbol = ACTIONS[name].symbol
        if emails and symbol:
            lines.append("%s %s %s (%d):" % (symbol, platform, name, len(emails)))
            lines.extend("%s     %s%s" % (symbol, email, ": " + details[email] if details.get(email) else "") for email in emails)
    if not lines:
        lines.append("  %s: nothing to change" % platform)
    return "\n".join(lines) + "\n"


def drift_details(plan):
    """``{email: "field, field"}``: the fields that differ, for the people with drift."""
    return dict((email, ", ".join(item.decision.drift)) for email, item in plan.items.items()
                if item.decision is not None and item.decision.drift)


def write_report(path, entries):
    """Every person's result as JSON, in a file only its owner can read: it holds enrollment links."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(entries, handle, indent=1, sort_keys=True)


def only_changes(entries, by_action):
    """result_detail=changes: the entries and plan without the people nothing happens to."""
    quiet = set(ACTIONS[name].done for name in QUIET_ACTIONS)
    return ([e for e in entries if e["action"] not in quiet],
            dict((name, emails) for name, emails in by_action.items() if name not in QUIET_ACTIONS))


def message(platform, counts, check_mode):
    people = "%d %s" % (counts["total"], "person" if counts["total"] == 1 else "people")
    planned = dict((ACTIONS[name].done, name) for name in ACTION_ORDER if ACTIONS[name].changes)

    def part(key):
        if check_mode and key in planned:
            return "would %s %d" % (planned[key], counts[key])  # nothing happened: say what would
        return "%d %s" % (counts[key], key)
    parts = ", ".join(part(k) for k in COUNT_KEYS if k != "total" and counts[k])
    return "%s: %s%s%s" % (platform, people, ": " + parts if parts else "", " (check mode: nothing was written)" if check_mode else "")


def failure_message(entries, counts, msg):
    """The msg of a run that fails on its failed people: who, and the distinct reasons."""
    failed = [e["email"] for e in entries if e["action"] == "failed"]
    reasons = sorted(set(e["error"] for e in entries if e["action"] == "failed"))
    return "%d of %d people failed (%s%s): %s; %s" % (
        len(failed), counts["total"], ", ".join(failed[:10]), ", ..." if len(failed) > 10 else "", " | ".join(reasons[:3]), msg)
