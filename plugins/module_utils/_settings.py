# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Token settings shared by enrollment_token and enrollment_token_bulk.

One argument spec, one validation pass per platform (driven by the platform table), and
the translation from module options to the vendor's request body and to the canonical
fields used for drift comparison.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.applivery.mdm.plugins.module_utils._platforms import DEFAULT_DURATION, LANGUAGES, PLATFORMS
from ansible_collections.applivery.mdm.plugins.module_utils._validation import (
    check_duration,
    check_object_id,
    check_tags,
    parse_duration,
)

ALL_MANAGEMENT_MODES = sorted(set(m for p in PLATFORMS.values() for m in p.management_modes))
PRIORITY_MIN = 0
PRIORITY_MAX = 10000

TOKEN_SETTINGS_SPEC = {
    "display_name": {"type": "str"},
    "tags": {"type": "list", "elements": "str"},
    "policy": {"type": "str"},
    "policy_assignments": {
        "type": "list", "elements": "dict",
        "options": {
            "policy": {"type": "str", "required": True},
            "priority": {"type": "int", "required": True},
        },
    },
    "management_mode": {"type": "str", "choices": ALL_MANAGEMENT_MODES},
    "send_email": {"type": "bool", "default": False},
    "language": {"type": "str", "choices": list(LANGUAGES)},
    "email_text": {"type": "str"},
    "duration": {"type": "raw"},
    "perpetual": {"type": "bool"},
    "segment_id": {"type": "int"},
    "dpc_build_tag": {"type": "str"},
    "push_notification_provider": {"type": "str"},
    "profiles": {"type": "list", "elements": "str"},
    "applications": {
        "type": "list", "elements": "dict",
        "options": {
            "application": {"type": "str", "required": True},
            "managed": {"type": "bool"},
            "vpp": {"type": "bool"},
        },
    },
    "vpp_location": {"type": "str"},
}

RECONCILE_SPEC = {
    "renew_before": {"type": "raw", "default": 0},
    "on_drift": {"type": "str", "default": "keep", "choices": ["keep", "update", "recreate"]},
    "revoke_duplicates": {"type": "bool", "default": False},
}

# Options that are always present (they have defaults), so "set by the user" can't mean "not None".
_ALWAYS_SET = ("send_email",)
DEFAULT_MANAGEMENT_MODE = "DEVICE_OWNER"


def token_settings_spec():
    """A fresh copy of the token-settings and reconcile argument spec, for a module to extend."""
    spec = {}
    for name, option in list(TOKEN_SETTINGS_SPEC.items()) + list(RECONCILE_SPEC.items()):
        spec[name] = dict(option)
    return spec


def settings_in_use(params):
    """Names of the token settings the user set."""
    return [name for name in TOKEN_SETTINGS_SPEC if name not in _ALWAYS_SET and params.get(name) is not None]


def check_settings(params, platform, field_prefix=""):
    """Problems with the token settings for ``platform``, each naming its option. No network."""
    problems = []
    for name in settings_in_use(params):
        if not platform.supports(name):
            problems.append("%s%s is not valid for platform %s (%s)" % (field_prefix, name, platform.name, platform.label))
    name = params.get("display_name")
    if name is not None and len(name) > platform.display_name_max:
        problems.append("%sdisplay_name is %d characters long; the limit on %s is %d"
                        % (field_prefix, len(name), platform.name, platform.display_name_max))
    problems.extend(check_tags(params.get("tags"), field_prefix + "tags"))
    mode = params.get("management_mode")
    if mode is not None and platform.management_modes and mode not in platform.management_modes:
        problems.append("%smanagement_mode %s is not valid for platform %s; choose one of %s"
                        % (field_prefix, mode, platform.name, ", ".join(platform.management_modes)))
    if params.get("duration") is not None:
        problems.extend(check_duration(params["duration"], field_prefix + "duration")[1])
    if params.get("perpetual") and params.get("duration") is not None:
        problems.append("%sduration and perpetual: a perpetual token has no duration; set one or the other" % field_prefix)
    for index, assignment in enumerate(params.get("policy_assignments") or []):
        if not PRIORITY_MIN <= assignment["priority"] <= PRIORITY_MAX:
            problems.append("%spolicy_assignments[%d].priority %d is outside %d to %d"
                            % (field_prefix, index, assignment["priority"], PRIORITY_MIN, PRIORITY_MAX))
    if params.get("policy") is not None and params.get("policy_assignments") and not platform.has_primary_policy:
        problems.append("%spolicy and policy_assignments: %s has no primary policy, so give the policy as an assignment"
                        % (field_prefix, platform.name))
    for profile in params.get("profiles") or []:
        problems.extend(check_object_id(profile, field_prefix + "profiles"))
    for app in params.get("applications") or []:
        problems.extend(check_object_id(app["application"], field_prefix + "applications[].application"))
    if params.get("vpp_location") is not None:
        problems.extend(check_object_id(params["vpp_location"], field_prefix + "vpp_location"))
    if params.get("segment_id") is not None and params["segment_id"] < 0:
        problems.append("%ssegment_id must be 0 or more, got %d" % (field_prefix, params["segment_id"]))
    return problems


def check_reconcile(params, platform):
    """Problems with renew_before / on_drift for ``platform``."""
    problems = []
    seconds, duration_problems = parse_duration(params.get("renew_before", 0), "renew_before")
    problems.extend(duration_problems)
    if seconds is not None and seconds < 0:
        problems.append("renew_before must not be negative")
    elif seconds:
        problems.extend(_check_renew_window(seconds, params))
    if params.get("on_drift") == "update" and not platform.can_update:
        problems.append("on_drift=update is only possible on windows (the only platform whose tokens can be changed in place); "
                        "use on_drift=recreate on %s" % platform.name)
    return problems


def token_life(params):
    """Seconds a new token lives: its duration, or the API's default; None when perpetual or the duration is bad."""
    if params.get("perpetual"):
        return None
    if params.get("duration") is None:
        return DEFAULT_DURATION
    return parse_duration(params["duration"], "duration")[0]


def _check_renew_window(seconds, params):
    """A window as long as the token's life would replace the token on every run."""
    lifetime = token_life(params)
    if lifetime is None or seconds < lifetime:
        return []  # a bad duration is check_settings' to name
    if params.get("duration") is not None:
        source = "duration %s" % params["duration"]
    else:
        source = "the API's default duration, as duration is not set"
    return ["renew_before %s (%d s) is not shorter than the token's life (%d s, %s): every run would replace the token "
            "it made the run before; set a longer duration or a shorter renew_before" % (params["renew_before"], seconds, lifetime, source)]


def renew_before_seconds(params):
    return parse_duration(params.get("renew_before", 0), "renew_before")[0] or 0


def policy_refs(params):
    """Every policy reference (id or name) the settings use, for one resolution pass."""
    refs = []
    if params.get("policy") is not None:
        refs.append(params["policy"])
    refs.extend(a["policy"] for a in params.get("policy_assignments") or [])
    return refs


def desired_fields(params, platform, policy_ids):
    """The canonical token fields the user asked for, only those set; ``policy_ids`` maps refs to ids."""
    desired = {}
    if params.get("display_name") is not None:
        desired["display_name"] = params["display_name"]
    if params.get("tags") is not None:
        desired["tags"] = sorted(set(params["tags"]))
    assignments = [{"policy_id": policy_ids[a["policy"]], "priority": a["priority"]} for a in params.get("policy_assignments") or []]
    if params.get("policy") is not None:
        if platform.has_primary_policy:
            desired["policy_id"] = policy_ids[params["policy"]]
        else:
            assignments = [{"policy_id": policy_ids[params["policy"]], "priority": 0}]
    if params.get("policy_assignments") is not None or (params.get("policy") is not None and not platform.has_primary_policy):
        desired["policy_assignments"] = sorted(assignments, key=lambda a: (a["priority"], a["policy_id"]))
    for name in ("management_mode", "segment_id", "perpetual"):
        if params.get(name) is not None and platform.supports(name):
            desired[name] = params[name]
    return desired


def create_body(params, platform, policy_ids, extra_tags=()):
    """The vendor request body (without ``mdmUserId`` / ``userEmails``) for a new token."""
    desired = desired_fields(params, platform, policy_ids)
    body = {}
    for option, key in platform.settings.items():
        value = params.get(option)
        if value is None:
            continue
        if option == "duration":
            value = parse_duration(value, option)[0]
        elif option == "applications":
            value = [dict((k, v) for k, v in (("admApplication", a["application"]), ("managed", a.get("managed")), ("vpp", a.get("vpp")))
                          if v is not None) for a in value]
        body[key] = value
    if platform.management_modes and "managementMode" not in body:
        body["managementMode"] = DEFAULT_MANAGEMENT_MODE
    if platform.send_email_required:
        body["sendEmail"] = bool(params.get("send_email"))
    tags = list(params.get("tags") or [])
    tags.extend(t for t in extra_tags if t not in tags)
    if tags:
        body["tags"] = tags
    if "policy_id" in desired:
        body[platform.policy_key] = desired["policy_id"]
    if "policy_assignments" in desired:
        body[platform.assignments_key] = vendor_assignments(desired["policy_assignments"], platform)
    if platform.perpetual and not params.get("perpetual") and "duration" not in body:
        # AOSP requires a duration for non-perpetual tokens on bulk; send the API default explicitly.
        body["duration"] = DEFAULT_DURATION
    return body


def vendor_assignments(assignments, platform):
    """Canonical ``[{policy_id, priority}]`` in the platform's request spelling."""
    return [{platform.assignment_policy_key: a["policy_id"], "priority": a["priority"]} for a in assignments]


def update_body(desired, drift, platform):
    """A PUT body that changes the drifted fields in place (platform.update_fields only)."""
    body = {}
    for field in drift:
        if field == "display_name":
            body["displayName"] = desired[field]
        elif field == "tags":
            body["tags"] = desired[field]
        elif field == "policy_id":
            body[platform.policy_key] = desired[field]
        elif field == "policy_assignments":
            body[platform.assignments_key] = vendor_assignments(desired[field], platform)
        elif field == "segment_id":
            body["segmentId"] = desired[field]
    return dict((k, v) for k, v in body.items() if k in platform.update_fields)
