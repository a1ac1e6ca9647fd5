# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure functions over enrollment tokens: one canonical shape for every vendor variant.

The vendor spells the same token differently per platform and per page: ``state`` or
``status``, ``mdmUser{id,email}`` or only ``mdmUserId``, ``expireAt`` or only
``summary.expirationTimestamp``. Everything above this file sees one dict instead.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import re

from ansible_collections.applivery.mdm.plugins.module_utils._platforms import get_platform

# Keys of the canonical token that let a device enroll as the person. They are
# returned in results and reports, and never placed in a diff.
SECRET_FIELDS = ("enrollment_link", "enroll_code", "qr_code", "qrcode_url")

_CANONICAL_UTC_RE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z$")


def parse_time(value):
    """ISO-8601 (``Z`` or offset, with or without fraction) to a naive UTC datetime; None stays None."""
    if not value:
        return None
    if isinstance(value, datetime.datetime):
        return value
    match = _CANONICAL_UTC_RE.match(value) if isinstance(value, str) else None
    if match and not match.group(2):  # the canonical form: no strptime, which is slow
        text = match.group(1)
        return datetime.datetime(int(text[0:4]), int(text[5:7]), int(text[8:10]), int(text[11:13]), int(text[14:16]), int(text[17:19]))
    text = str(value).strip().replace(" ", "")
    if text.endswith("Z") or text.endswith("z"):
        text = text[:-1] + "+00:00"
    offset = datetime.timedelta(0)
    if len(text) > 6 and text[-6] in "+-" and text[-3] == ":":
        sign = 1 if text[-6] == "+" else -1
        offset = sign * datetime.timedelta(hours=int(text[-5:-3]), minutes=int(text[-2:]))
        text = text[:-6]
    fraction = ""
    if "." in text:
        text, fraction = text.split(".", 1)
    parsed = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S")
    if fraction:
        parsed += datetime.timedelta(microseconds=int((fraction + "000000")[:6]))
    return parsed - offset


def canonical_time(value):
    """An API timestamp as ``2026-11-22T14:00:00Z``; the common UTC form takes a fast path (no datetime)."""
    if not value:
        return None
    match = _CANONICAL_UTC_RE.match(value) if isinstance(value, str) else None
    if match:
        return match.group(1) + "Z"
    return format_time(parse_time(value))


def format_time(value):
    """A naive UTC datetime as the API writes it: ``2026-11-22T14:00:00Z``."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def utcnow():
    """Now, as a naive UTC datetime (the shape parse_time returns)."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _first(*values):
    for value in values:
        if value not in (None, ""):
            return value
    return None


def _dig(raw, *keys):
    for key in keys:
        if not isinstance(raw, dict):
            return None
        raw = raw.get(key)
    return raw


def _qr_code(raw):
    value = _first(raw.get("qrCode"), _dig(raw, "config", "qrCode"))
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True) if value else None
    return value


def _int_or_none(value):
    """A number the API may echo as a string (``"1"`` for ``1``); None when absent or not a number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def normalize_assignments(items, platform):
    """Vendor assignment lists as ``[{policy_id, priority}]`` sorted by priority then id; None when not echoed."""
    if items is None:
        return None
    result = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        nested = item.get(platform.assignment_nested_key)
        policy_id = _first(item.get(platform.assignment_policy_key), nested.get("id") if isinstance(nested, dict) else None)
        result.append({"policy_id": policy_id, "priority": _int_or_none(item.get("priority")) or 0})
    return sorted(result, key=lambda a: (a["priority"], a["policy_id"] or ""))


def _primary_policy(raw, platform):
    """The primary policy id a token echoes (a plain id or a nested ``{id}``), None when it echoes none."""
    for key in platform.policy_read_keys:
        value = raw.get(key)
        if isinstance(value, dict):
            value = value.get("id")
        if value:
            return value
    return None


def normalize_token(raw, platform):
    """One canonical dict for a vendor token of ``platform`` (a name or a Platform).

    A setting the token does not echo is None (unknown), never a default: see _planner.drift_fields.
    """
    platform = get_platform(platform)
    user = raw.get("mdmUser") if isinstance(raw.get("mdmUser"), dict) else {}
    email = _first(user.get("email"), raw.get("email"))
    state = _first(*[raw.get(field) for field in platform.state_fields])
    config = raw.get("config") if isinstance(raw.get("config"), dict) else {}
    expires = raw.get("expireAt") or _first(_dig(raw, "summary", "expirationTimestamp"), config.get("expirationTimestamp"),
                                            _dig(raw, "enroll", "serverExpirationDate"))  # the others only read when needed
    device = raw.get(platform.device_key)
    perpetual = raw.get("perpetual")
    return {
        "id": raw.get("id"),
        "platform": platform.name,
        "state": str(state).upper() if state else None,
        "user_id": _first(user.get("id"), raw.get("mdmUserId")),
        "user_email": email.strip().lower() if isinstance(email, str) else None,
        "display_name": raw.get("displayName"),
        "tags": list(raw["tags"]) if isinstance(raw.get("tags"), list) else None,
        "policy_id": _primary_policy(raw, platform),
        "policy_assignments": normalize_assignments(raw.get(platform.assignments_key), platform),
        "management_mode": _first(raw.get("managementMode"), _dig(raw, "summary", "managementMode")),
        "perpetual": perpetual if isinstance(perpetual, bool) else None,
        "segment_id": _int_or_none(raw.get("segmentId")),
        "send_email": raw["sendEmail"] if isinstance(raw.get("sendEmail"), bool) else None,  # whether the invitation was emailed
        "device_id": (device.get("id") if isinstance(device, dict) else device) or None,
        "expires_at": canonical_time(expires),
        "enrollment_link": _first(raw.get("enrollmentLink"), config.get("enrollmentLink")),
        "enroll_code": _first(raw.get("enrollCode"), config.get("code"), config.get("oneTimeToken")),
        "qr_code": _qr_code(raw),
        "qrcode_url": raw.get("qrcodeUrl"),
        "created_at": canonical_time(raw.get("createdAt")),
        "updated_at": canonical_time(raw.get("updatedAt")),
    }


def is_expired(token, now=None):
    """True when the token's state says EXPIRED, or it is past its expiry and not perpetual."""
    if token.get("state") == "EXPIRED":
        return True
    if token.get("perpetual") or not token.get("expires_at"):
        return False
    expires, now = token["expires_at"], now or utcnow()
    if isinstance(expires, str) and len(expires) == 20 and now.year >= 1000 and _CANONICAL_UTC_RE.match(expires):
        # canonical_time's form orders as text; a whole second is <= now exactly when it is <= now's second
        return expires <= _second_text(now)
    return parse_time(expires) <= now


_SECOND_TEXT = {}


def _second_text(now):
    """format_time(now), remembered for the few ``now`` values a run compares many tokens with."""
    text = _SECOND_TEXT.get(now)
    if text is None:
        if len(_SECOND_TEXT) > 64:
            _SECOND_TEXT.clear()
        text = _SECOND_TEXT[now] = format_time(now)
    return text


def effective_state(token, now=None):
    """The state a token really is in now: a PENDING token past its expiry is EXPIRED."""
    if token.get("state") == "PENDING" and is_expired(token, now):
        return "EXPIRED"
    return token.get("state")
