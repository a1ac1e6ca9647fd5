"""Request validation (contract C7): bodies and query strings, Joi-like, 400 / 5209 on failure.

Messages read ``Invalid input: <field> <problem>`` where ``<field>`` is a dotted path such as
``admPolicyAssignments[0].priority``.
"""

from __future__ import annotations

import json
import re

from .models import POLICY_KEYS
from .util import EMAIL_RE, MAX_DURATION, MIN_DURATION, OID_RE, ApiError, invalid, limit_exceeded

LANGUAGES = ("es", "en", "fr", "de", "it", "zh", "pt", "ru")
SORT_RE = re.compile(r"^([\w.]*)((:asc)|(:desc))?$")
INT_RE = re.compile(r"^-?\d+$")
MAX_SAFE = 9007199254740991
BULK_MAX = 1000


# ---------------------------------------------------------------------- value checkers
def v_bool(value, name):
    """JSON boolean."""
    if not isinstance(value, bool):
        raise invalid(name, "must be a boolean")
    return value


def v_int(lo=None, hi=None):
    """JSON integer within [lo, hi]."""
    def check(value, name):
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid(name, "must be an integer")
        if lo is not None and value < lo:
            raise invalid(name, f"must be greater than or equal to {lo}")
        if hi is not None and value > hi:
            raise invalid(name, f"must be less than or equal to {hi}")
        return value
    return check


def v_str(max_len=None):
    """JSON string of at most ``max_len`` characters."""
    def check(value, name):
        if not isinstance(value, str):
            raise invalid(name, "must be a string")
        if max_len is not None and len(value) > max_len:
            raise invalid(name, f"length must be less than or equal to {max_len} characters long")
        return value
    return check


def v_oid(value, name):
    """24-hex entity id (normalized to lower case)."""
    if not isinstance(value, str) or not OID_RE.match(value):
        raise invalid(name, "must be a valid 24-hex id")
    return value.lower()


def v_email(value, name):
    """E-mail address (normalized to lower case)."""
    if not isinstance(value, str) or len(value) > 128 or not EMAIL_RE.match(value.strip()):
        raise invalid(name, "must be a valid email")
    return value.strip().lower()


def v_enum(values):
    """One of ``values`` (case-sensitive)."""
    def check(value, name):
        if value not in values:
            raise invalid(name, f"must be one of [{', '.join(values)}]")
        return value
    return check


def v_dict(value, name):
    """Free-form JSON object."""
    if not isinstance(value, dict):
        raise invalid(name, "must be an object")
    return value


def v_array(item, min_items=None, max_items=None, over_max=None):
    """JSON array of ``item``; ``over_max`` builds the error raised above ``max_items``."""
    def check(value, name):
        if not isinstance(value, list):
            raise invalid(name, "must be an array")
        if max_items is not None and len(value) > max_items:
            raise over_max() if over_max else invalid(name, f"must contain less than or equal to {max_items} items")
        if min_items is not None and len(value) < min_items:
            raise invalid(name, f"must contain at least {min_items} items")
        return [item(v, f"{name}[{i}]") for i, v in enumerate(value)]
    return check


def v_object(spec: dict):
    """JSON object with known keys ``spec = {key: (checker, required)}``; unknown keys rejected."""
    def check(value, name):
        return check_object(value, spec, name)
    return check


def check_object(value, spec: dict, prefix: str = "") -> dict:
    """Validate ``value`` against ``spec``; returns the normalized dict."""
    if not isinstance(value, dict):
        raise invalid(prefix or "body", "must be an object")
    out = {}
    for key, val in value.items():
        path = f"{prefix}.{key}" if prefix else key
        if key not in spec:
            raise invalid(path, "is not allowed")
        out[key] = spec[key][0](val, path)
    for key, (_check, required) in spec.items():
        if required and key not in value:
            raise invalid(f"{prefix}.{key}" if prefix else key, "is required")
    return out


def _segment(value, name):
    if isinstance(value, str) and INT_RE.match(value) and int(value) >= 0:
        return value
    return v_int(0, MAX_SAFE)(value, name)


def _assignment(id_key: str, prio):
    return v_array(v_object({id_key: (v_oid, True), "priority": (prio, True)}))


# ---------------------------------------------------------------------- token bodies
def v_any(value, _name):
    """Any JSON value (item keys a page lists without a type)."""
    return value


_PRIO = v_int(0, 10000)
# seed 003: the item keys of Apple ``applications`` (types cut off after ``vpp``).
APPLE_APPLICATION = {
    "admApplication": (v_oid, True), "managed": (v_bool, False), "vpp": (v_bool, False), "iOSApp": (v_any, False),
    "configuration": (v_any, False), "action": (v_any, False), "actionStatus": (v_any, False), "scripts": (v_any, False),
    "updatePolicy": (v_any, False),
}
_COMMON = {
    "sendEmail": (v_bool, True),
    "displayName": (v_str(128), False),
    "tags": (v_array(v_str(128)), False),
    "duration": (v_int(MIN_DURATION, MAX_DURATION), False),
    "language": (v_enum(LANGUAGES), False),
    "emailText": (v_str(), False),
    "segmentId": (v_int(0, MAX_SAFE), False),
}
TOKEN_BODY = {
    "android": dict(_COMMON, **{
        "managementMode": (v_enum(("DEVICE_OWNER", "PROFILE_OWNER", "COPE", "USERLESS")), True),
        "policyId": (v_oid, False),
        "emmPolicyAssignments": (_assignment("emmPolicyId", _PRIO), False),
    }),
    "apple": dict(_COMMON, **{
        "policyId": (v_oid, False),
        "admPolicyAssignments": (_assignment("admPolicyId", v_int(-MAX_SAFE, MAX_SAFE)), False),
        "profiles": (v_array(v_oid), False),
        "applications": (v_array(v_object(APPLE_APPLICATION)), False),
        "admVppLocationId": (v_oid, False),
    }),
    "windows": dict(_COMMON, **{
        "winPolicyId": (v_oid, False),
        "winPolicyAssignments": (_assignment("winPolicyId", _PRIO), False),
    }),
    "aosp": {
        "sendEmail": (v_bool, False),
        "displayName": (v_str(256), False),
        "tags": (v_array(v_str(256)), False),
        "managementMode": (v_enum(("DEVICE_OWNER", "MANAGEMENT_MODE_UNSPECIFIED")), True),
        "language": (v_enum(LANGUAGES), False),
        "emailText": (v_str(), False),
        "perpetual": (v_bool, False),
        "aosPolicyAssignments": (_assignment("aosPolicyId", v_int(-MAX_SAFE, MAX_SAFE)), False),
        "dpcBuildTag": (v_str(256), False),
        "duration": (v_int(0, MAX_SAFE), False),  # seed 004: 0 to 2^53-1 (required on bulk, see token_create_body)
        "pushNotificationProvider": (v_oid, False),  # seed 004: 24-hex
        "segmentId": (v_int(0, MAX_SAFE), False),
    },
}
WINDOWS_UPDATE = {
    "displayName": (v_str(128), False),
    "tags": (v_array(v_str(128)), False),
    "winPolicyId": (v_oid, False),
    "winPolicyAssignments": (_assignment("winPolicyId", _PRIO), False),
    "segmentId": (_segment, False),
}
USER_UPDATE = {
    "name": (v_str(128), False),
    "managedAppleId": (v_email, False),
    "tags": (v_array(v_str(128)), False),
    "language": (v_str(16), False),
    "metadata": (v_dict, False),
}
USER_CREATE = dict(USER_UPDATE, email=(v_email, True))


# The body keys each vendor page lists (V8, setting ``strict_body_keys``): with the setting on, any other key is
# refused with 400 / 5209 "Invalid input: <key> is not allowed" before the ordinary validation. Without it the
# emulator takes the union of the platform's keys (TOKEN_BODY), which lets segmentId through on Android and on
# Windows bulk although their pages do not list it.
_ANDROID_PAGE_KEYS = ("policyId", "emmPolicyAssignments", "displayName", "tags", "managementMode", "sendEmail", "duration",
                      "language", "emailText")
_APPLE_PAGE_KEYS = ("sendEmail", "displayName", "tags", "duration", "language", "emailText", "policyId", "admPolicyAssignments",
                    "profiles", "applications", "admVppLocationId", "segmentId")
_WINDOWS_PAGE_KEYS = ("sendEmail", "displayName", "tags", "duration", "language", "emailText", "winPolicyId", "winPolicyAssignments")
_AOSP_PAGE_KEYS = ("displayName", "tags", "managementMode", "sendEmail", "language", "emailText", "perpetual", "aosPolicyAssignments",
                   "dpcBuildTag", "duration", "pushNotificationProvider", "segmentId")
DOCUMENTED_KEYS = {
    ("android", "create"): frozenset(_ANDROID_PAGE_KEYS + ("mdmUserId",)),           # vendor page 001 (reference S10, S11)
    ("android", "bulk"): frozenset(_ANDROID_PAGE_KEYS + ("userEmails",)),             # vendor page 000 (S12)
    ("apple", "create"): frozenset(_APPLE_PAGE_KEYS + ("mdmUserId",)),                # reference §2.3 (S3)
    ("apple", "bulk"): frozenset(_APPLE_PAGE_KEYS + ("userEmails",)),                 # vendor page 003 (S4)
    ("windows", "create"): frozenset(_WINDOWS_PAGE_KEYS + ("segmentId", "mdmUserId")),  # reference §2.3 (S6)
    ("windows", "bulk"): frozenset(_WINDOWS_PAGE_KEYS + ("userEmails",)),             # vendor page 002 (S7): no segmentId
    ("windows", "update"): frozenset(("displayName", "winPolicyId", "winPolicyAssignments", "tags", "segmentId")),  # §2.5 (S8, S9)
    ("aosp", "create"): frozenset(_AOSP_PAGE_KEYS + ("mdmUserId",)),                  # reference §2.3 (S14)
    ("aosp", "bulk"): frozenset(_AOSP_PAGE_KEYS + ("userEmails",)),                   # vendor page 004 (S15)
}


def check_documented_keys(platform: str, endpoint: str, body) -> None:
    """V8: refuse the first body key the platform's page does not list (400 / 5209)."""
    if not isinstance(body, dict):
        return
    allowed = DOCUMENTED_KEYS[(platform, endpoint)]
    for key in body:
        if key not in allowed:
            raise invalid(key, "is not allowed")


def token_create_body(platform: str, body, bulk: bool, strict: bool = False) -> dict:
    """Validate a single or bulk create body for ``platform`` (``strict``: only the keys its page lists)."""
    if strict:
        check_documented_keys(platform, "bulk" if bulk else "create", body)
    spec = dict(TOKEN_BODY[platform])
    if bulk:
        spec["userEmails"] = (v_array(v_email, 1, BULK_MAX, limit_exceeded), True)
    else:
        spec["mdmUserId"] = (v_oid, True)
    if isinstance(body, dict) and bulk and isinstance(body.get("userEmails"), list) and len(body["userEmails"]) > BULK_MAX:
        raise limit_exceeded()
    out = check_object(body, spec)
    if platform == "aosp" and bulk and "duration" not in out:
        raise invalid("duration", "is required")  # seed 004 marks it required, perpetual or not
    return out


def token_fields(platform: str, body: dict) -> dict:
    """Normalized store fields from a validated token body (create or Windows update)."""
    primary_key, list_key, id_key = POLICY_KEYS[platform]
    fields = {}
    mapping = {
        "displayName": "display_name", "tags": "tags", "duration": "duration", "managementMode": "management_mode",
        "sendEmail": "send_email", "emailText": "email_text", "language": "language", "segmentId": "segment_id",
        "perpetual": "perpetual", "dpcBuildTag": "dpc_build_tag", "pushNotificationProvider": "push_provider",
        "profiles": "profiles", "applications": "applications", "admVppLocationId": "vpp_location_id",
    }
    for key, attr in mapping.items():
        if key in body:
            fields[attr] = body[key]
    if primary_key and primary_key in body:
        fields["policy_id"] = body[primary_key]
    if list_key in body:
        fields["assignments"] = [(item[id_key], item["priority"]) for item in body[list_key]]
    if platform in PRIMARY_AS_ASSIGNMENT and fields.get("policy_id"):
        fields["assignments"] = merge_primary(fields.pop("policy_id"), fields.get("assignments") or [])
    return fields


# Platforms whose read model has no primary policy key: a policyId that was sent becomes an assignment.
PRIMARY_AS_ASSIGNMENT = ("android", "aosp")


def merge_primary(policy_id: str, assignments: list) -> list:
    """``assignments`` with ``policy_id`` first at priority 0, unless it is already assigned (its priority kept)."""
    if any(pid == policy_id for pid, _prio in assignments):
        return list(assignments)
    return [(policy_id, 0)] + list(assignments)


# ---------------------------------------------------------------------- query strings
def q_int(lo=None):
    """Query integer parser."""
    def parse(raw, name):
        if not INT_RE.match(raw):
            raise invalid(name, "must be a number")
        value = int(raw)
        if lo is not None and value < lo:
            raise invalid(name, f"must be greater than or equal to {lo}")
        return value
    return parse


def q_bool(raw, name):
    """Query boolean parser (true/false)."""
    low = raw.lower()
    if low not in ("true", "false"):
        raise invalid(name, "must be a boolean")
    return low == "true"


def q_oid(raw, name):
    """Query 24-hex id parser."""
    return v_oid(raw, name)


def q_str(max_len=None):
    """Query string parser."""
    def parse(raw, name):
        if raw == "":
            raise invalid(name, "is not allowed to be empty")
        return v_str(max_len)(raw, name)
    return parse


def q_enum(values):
    """Query enum parser."""
    def parse(raw, name):
        return v_enum(values)(raw, name)
    return parse


PAGING = {"page": q_int(1), "limit": q_int(1), "sort": None}
SEGMENT = {"segmentId": q_int(0), "expandTo": q_enum(("children", "ancestors"))}


def parse_query(args, allowed: dict, multi=(), sort_fields=("createdAt",), cap: int = 100) -> dict:
    """Validate a werkzeug MultiDict against ``allowed`` (name -> parser).

    Unknown parameters are rejected (400 / 5209 naming the parameter). ``multi`` names may be
    repeated and/or comma separated; they come back as lists. Paging is normalized: ``page``
    (default 1), ``limit`` (default 20, capped at ``cap``: the ``page_cap`` setting, 100 by default),
    ``sort`` -> (``sort``, ``desc``).
    """
    out = {"page": 1, "limit": 20, "sort": "createdAt", "desc": False}
    for name in args.keys():
        if name not in allowed:
            raise invalid(name, "is not allowed")
        values = args.getlist(name)
        if name in multi:
            items = [part.strip() for raw in values for part in raw.split(",") if part.strip()]
            parser = allowed[name]
            out[name] = [parser(v, name) for v in items] if parser else items
            continue
        if len(values) != 1:
            raise invalid(name, "must be a single value")
        raw = values[0]
        if name == "sort":
            match = SORT_RE.match(raw)
            if not match:
                raise invalid("sort", "fails to match the required pattern")
            field = match.group(1) or "createdAt"
            if field not in sort_fields:
                raise invalid("sort", f"field {field} is not supported (supported: {', '.join(sort_fields)})")
            out["sort"] = field
            out["desc"] = match.group(2) == ":desc"
            continue
        out[name] = allowed[name](raw, name)
    out["limit"] = min(out["limit"], cap)
    return out


def json_body(raw: bytes):
    """Decode a JSON request body; empty body = ``{}``."""
    if not raw or not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ApiError(400, 5209, "Invalid input: body must be valid JSON") from exc
