# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The enrollment_status_info read: a list of people joined to what happened to each of them, per platform.

Pure functions (input, one person's status, orphans, counts, the fail_if gate) and one run function,
``read_status``, that lists each platform's tokens once (owners checked on our side) and makes no write.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.applivery.mdm.plugins.module_utils._bulk.input import DEFAULT_MARKER, parse_users
from ansible_collections.applivery.mdm.plugins.module_utils._planner import ENROLLED_STATES
from ansible_collections.applivery.mdm.plugins.module_utils._platforms import PLATFORM_NAMES, get_platform
from ansible_collections.applivery.mdm.plugins.module_utils._resources import Directory, tokens_by_email
from ansible_collections.applivery.mdm.plugins.module_utils._tokens import effective_state, format_time, parse_time
from ansible_collections.applivery.mdm.plugins.module_utils._validation import InputError, parse_duration

# The fixed vocabulary, in the order reports list it.
STATES = ("enrolled", "pending", "expired", "revoked", "not_invited", "orphaned")
# Token states of a marker-tagged token that make it an orphan when its owner is not on the list: it can still
# enroll a device, or a device enrolled with it. An expired or revoked token of someone who left is history.
ORPHAN_TOKEN_STATES = ("PENDING",) + ENROLLED_STATES
# Every key of a status row, in the order of the CSV columns. No enrollment link, code or QR code.
ROW_KEYS = ("email", "platform", "state", "device_id", "enrolled_at", "enrolled_devices", "devices", "token_id",
            "token_state", "expires_at", "invited_at", "pending_days", "email_sent")
DAY = 86400.0
_CONDITION_RE = re.compile(r"^\s*([a-z_]+)\s*(?:>\s*(\S+))?\s*$")


def _newest_first(tokens):
    return sorted(tokens, key=lambda t: (t.get("created_at") or "", t.get("id") or ""), reverse=True)


def _row(email, platform, state, devices=1):
    row = dict((key, None) for key in ROW_KEYS)
    row.update(email=email, platform=platform, state=state, devices=devices, enrolled_devices=0)
    return row


def _days_since(when, now):
    moment = parse_time(when) if when else None
    return None if moment is None else round(max((now - moment).total_seconds(), 0) / DAY, 2)


def person_status(email, platform, tokens, now, devices=1):
    """One status row for a person on a platform, from their canonical tokens there (any state, DELETED included).

    ``enrolled`` once a device used a token for each device asked for (at least one); else ``pending`` while a valid
    token waits; else ``enrolled`` if some device enrolled; else what happened to the newest token (``expired``,
    ``revoked``); ``not_invited`` with no token at all.
    """
    row = _row(email, platform, None, devices)
    states = dict((id(t), effective_state(t, now)) for t in tokens)
    enrolled = _newest_first(t for t in tokens if states[id(t)] in ENROLLED_STATES)
    others = _newest_first(t for t in tokens if states[id(t)] not in ENROLLED_STATES)
    pending = [t for t in others if states[id(t)] not in ("EXPIRED", "DELETED")]  # PENDING, or a state not known here
    if enrolled:
        row.update(device_id=enrolled[0]["device_id"], enrolled_at=enrolled[0]["updated_at"] or enrolled[0]["created_at"],
                   enrolled_devices=len(enrolled))
    if others:
        row["invited_at"] = min(t["created_at"] or "~" for t in others).strip("~") or None
    if len(enrolled) >= max(devices, 1) or (enrolled and not pending):
        current, row["state"] = enrolled[0], "enrolled"
    elif pending:
        current, row["state"] = pending[0], "pending"
        row.update(email_sent=current.get("send_email"), pending_days=_days_since(row["invited_at"], now))
    elif others:
        current = others[0]
        row["state"] = "revoked" if states[id(current)] == "DELETED" else "expired"
    else:
        current, row["state"] = None, "not_invited"
    if current is not None:
        row.update(token_id=current["id"], token_state=states[id(current)], expires_at=current["expires_at"])
    return row


def orphan_rows(platform, grouped, expected, marker, now):
    """Rows for the owners of live marker-tagged tokens who are not on the platform's list, one per owner."""
    rows = []
    for email, tokens in grouped.items():
        if email in expected:
            continue
        live = _newest_first(t for t in tokens if marker in (t["tags"] or []) and effective_state(t, now) in ORPHAN_TOKEN_STATES)
        if live:
            row = _row(email, platform, "orphaned", 0)
            enrolled = [t for t in live if effective_state(t, now) in ENROLLED_STATES]
            row.update(token_id=live[0]["id"], token_state=effective_state(live[0], now), expires_at=live[0]["expires_at"],
                       invited_at=live[-1]["created_at"], enrolled_devices=len(enrolled),
                       device_id=enrolled[0]["device_id"] if enrolled else None)
            rows.append(row)
    return rows


def platform_rows(platform, grouped, expected, now, marker=DEFAULT_MARKER, orphans=True):
    """Status rows of one platform: each expected person (``{email: devices}``), then the orphans, sorted by email."""
    rows = [person_status(email, platform, grouped.get(email, []), now, devices) for email, devices in expected.items()]
    if orphans and marker:
        rows.extend(orphan_rows(platform, grouped, expected, marker, now))
    return sorted(rows, key=lambda r: r["email"] or "")


def summarize(rows, platforms):
    """``(counts, funnel)``: rows per platform and state (every state present, with ``total``), and per platform the
    people on the list, those invited (any token) and those enrolled."""
    counts = dict((p, dict((s, 0) for s in STATES + ("total",))) for p in platforms)
    funnel = dict((p, {"listed": 0, "invited": 0, "enrolled": 0}) for p in platforms)
    for row in rows:
        counts[row["platform"]][row["state"]] += 1
        counts[row["platform"]]["total"] += 1
        if row["state"] != "orphaned":
            stage = funnel[row["platform"]]
            stage["listed"] += 1
            stage["invited"] += row["state"] != "not_invited"
            stage["enrolled"] += row["state"] == "enrolled"
    counts["all"] = dict((s, sum(counts[p][s] for p in platforms)) for s in STATES + ("total",))
    return counts, funnel


def parse_fail_if(conditions):
    """``[(text, state, min_days)]`` for conditions such as ``not_invited``, ``orphaned`` or ``pending > 7d``."""
    parsed, problems = [], []
    for index, text in enumerate(conditions or []):
        where = "fail_if[%d]" % index
        match = _CONDITION_RE.match(str(text))
        if not match or match.group(1) not in STATES:
            problems.append("%s: '%s' is not a condition; use a state (%s), or 'pending > 7d'" % (where, text, ", ".join(STATES)))
            continue
        state, limit = match.groups()
        if limit is not None and state != "pending":
            problems.append("%s: '%s': only pending takes a duration, as in 'pending > 7d'" % (where, text))
            continue
        seconds, duration_problems = parse_duration(limit, where) if limit is not None else (None, [])
        problems.extend(duration_problems)
        parsed.append((str(text).strip(), state, None if seconds is None else seconds / DAY))
    return parsed, problems


def gate(rows, conditions, shown=5):
    """The one-line reason to fail for the first condition that some rows meet, else None."""
    for text, state, min_days in conditions:
        hit = [r for r in rows if r["state"] == state and (min_days is None or (r["pending_days"] or 0) > min_days)]
        if hit:
            people = ", ".join("%s (%s%s)" % (r["email"], r["platform"], ", %g days" % r["pending_days"] if min_days is not None else "")
                               for r in hit[:shown])
            more = " and %d more" % (len(hit) - shown) if len(hit) > shown else ""
            return "fail_if '%s': %d %s: %s%s" % (text, len(hit), "person matches" if len(hit) == 1 else "people match", people, more)
    return None


def expected_people(users, people, platforms):
    """``({platform: {email: devices}}, problems)`` from ``users`` (items may name a ``platform``; one that names none is
    expected on every platform in ``platforms``) or ``people`` (``{platform: [items]}``, the onboarding_people filter's
    output). Items are checked as the bulk module's ``users`` are."""
    lists, problems = {}, []
    for platform, items in (people or {}).items():
        if platform not in PLATFORM_NAMES:
            problems.append("people: '%s' is not a platform; use %s" % (platform, ", ".join(PLATFORM_NAMES)))
        else:
            lists.setdefault(platform, []).append((list(items or []), "people.%s" % platform, None))
    for index, item in enumerate(users or []):
        named = item.get("platform") if isinstance(item, dict) else None
        if named is not None and named not in PLATFORM_NAMES:
            problems.append("users[%d]: platform '%s' is not one of %s" % (index, named, ", ".join(PLATFORM_NAMES)))
            continue
        if isinstance(item, dict):
            item = dict((k, v) for k, v in item.items() if k != "platform")
        for platform in [named] if named else (platforms or []):
            lists.setdefault(platform, []).append(([item], "users", index))
    if any(not isinstance(i, dict) or not i.get("platform") for i in users or []) and not platforms:
        problems.append("platforms: name the platforms to read, for the people in users who name no platform")
    expected = {}
    for platform in sorted(set(list(lists) + list(platforms or []))):
        expected[platform] = {}
        for items, field, index in lists.get(platform, []):
            entries, dummy, item_problems = parse_users(items, get_platform(platform).display_name_max, field=field, platform=platform)
            if index is not None:  # one item at a time: name it by its place in users
                item_problems = [p.replace("users[0]", "users[%d]" % index, 1) for p in item_problems]
            problems.extend(p for p in item_problems if p not in problems)
            for email, own in entries.items():
                expected[platform][email] = max(own.get("devices", 1), expected[platform].get(email, 0))
    return expected, problems


def read_status(module):
    """The module's run: check the input (no network), list each platform once, build the rows; no write."""
    params = module.params
    expected, problems = expected_people(params["users"], params["people"], params["platforms"])
    conditions, gate_problems = parse_fail_if(params["fail_if"])
    if problems + gate_problems:
        raise InputError(problems + gate_problems)
    directory = Directory(module.client)
    rows, now = [], None
    for name in sorted(expected):
        dummy, grouped = tokens_by_email(module.client, get_platform(name), directory, include_deleted=True)
        now = now or module.client.server_now()
        rows.extend(platform_rows(name, grouped, expected[name], now, params["marker_tag"], params["orphans"]))
    counts, funnel = summarize(rows, sorted(expected))
    return {"changed": False, "rows": rows, "counts": counts, "funnel": funnel, "platforms": sorted(expected),
            "read_at": format_time(now or module.client.server_now()), "fail_reason": gate(rows, conditions),
            "api_calls": {"get": module.client.reads, "write": module.client.writes}}
