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

from ansible_collections.applivery.mdm.plugins.module_utils._platforms import DEFAULT_DURATION, LANGUAGES, PLATFORMS, UPDATABLE_PLATFORMS
from ansible_collections.applivery.mdm.plugins.module_utils._validation import (
    check_duration,
    check_object_id,
    check_tags,
    parse_duration,
)

ALL_MANAGEMENT_MODES = sorted(set(m for p in PLATFORMS.values() for m in p.management_modes))

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


def _unsupported(name, platform, endpoint, field_prefix):
    """Why ``name`` cannot be sent to ``endpoint`` of ``platform``: its page does not document the body key."""
    key = platform.option_key(name)
    elsewhere = platform.endpoints_with(name)
    hint = "; it can be set with the %s endpoint (module %s)" % (
        elsewhere[0], "enrollment_token" if elsewhere[0] == "create" else "enrollment_token_bulk") if elsewhere else ""
    return "%s%s is not valid for platform %s (%s): the %s page does not document %s%s" % (
        field_prefix, name, platform.name, platform.label, endpoint, key, hint)


def check_settings(params, platform, field_prefix="", endpoint="create"):
    """Problems with the token settings for ``endpoint`` of ``platform``, each naming its option. No network."""
    problems = []
    for name in settings_in_use(params):
        if not platform.supports(name, endpoint):
            problems.append(_unsupported(name, platform, endpoint, field_prefix))
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
        low, high = platform.duration_range
        problems.extend(check_duration(params["duration"], field_prefix + "duration", low, high)[1])
    low, high = platform.priority_range
    for index, assignment in enumerate(params.get("policy_assignments") or []):
        if not low <= assignment["priority"] <= high:
            problems.append("%spolicy_assignments[%d].priority %d is outside %d to %d on %s"
                            % (field_prefix, index, assignment["priority"], low, high, platform.name))
    if params.get("policy") is not None and params.get("policy_assignments") and not platform.has_primary_policy:
        problems.append("%spolicy and policy_assignments: %s has no primary policy, so give the policy as an assignment"
                        % (field_prefix, platform.name))
    for profile in params.get("profiles") or []:
        problems.extend(check_object_id(profile, field_prefix + "profiles"))
    for app in params.get("applications") or []:
        problems.extend(check_object_id(app["application"], field_prefix + "applications[].application"))
    for name in ("vpp_location", "push_notification_provider"):
        if params.get(name) is not None:
            problems.extend(check_object_id(params[name], field_prefix + name))
    if params.get("segment_id") is not None and params["segment_id"] < 0:
        problems.append("%ssegment_id must be 0 or more, got %d" % (field_prefix, params["segment_id"]))
    return problems


def check_reconcile(params, platform, on_drift_needs_drift=False):
    """Problems with renew_before / on_drift for ``platform``.

    With ``on_drift_needs_drift``, on_drift=update on a platform that cannot update in place is left to the plan:
    it is a problem only when a person there has drift (the bulk module, see _bulk/plan.py update_drift_problems).
    """
    problems = []
    seconds, duration_problems = parse_duration(params.get("renew_before", 0), "renew_before")
    problems.extend(duration_problems)
    if seconds is not None and seconds < 0:
        problems.append("renew_before must not be negative")
    elif seconds:
        problems.extend(_check_renew_window(seconds, params))
    remind, remind_problems = parse_duration(params["remind_after"], "remind_after") if params.get("remind_after") else (0, [])
    problems.extend(remind_problems)
    if remind is not None and remind < 0:
        problems.append("remind_after must not be negative")
    if params.get("on_drift") == "update" and not platform.can_update and not on_drift_needs_drift:
        problems.append("on_drift=update is only possible on %s (the platforms whose tokens can be changed in place); "
                        "use on_drift=recreate on %s" % (", ".join(UPDATABLE_PLATFORMS), platform.name))
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
        if params.get(name) is not None and platform.option_key(name) in platform.body_keys["create"]:
            desired[name] = params[name]
    return desired


def create_body(params, platform, policy_ids, extra_tags=(), endpoint="create"):
    """The vendor request body (without ``mdmUserId`` / ``userEmails``) for a new token: only keys ``endpoint``'s page documents."""
    desired = desired_fields(params, platform, policy_ids)
    allowed = platform.body_keys[endpoint]
    body = {}
    for option in TOKEN_SETTINGS_SPEC:
        key = platform.option_key(option)
        value = params.get(option)
        if value is None or option in ("policy", "policy_assignments") or key not in allowed:
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
    if endpoint == "bulk" and platform.bulk_needs_duration and "duration" not in body:
        # seed 004: bulk requires a duration; it is the validity of non-perpetual tokens, so 0 for perpetual ones
        body["duration"] = 0 if params.get("perpetual") else DEFAULT_DURATION
    return body


def vendor_assignments(assignments, platform):
    """Canonical ``[{policy_id, priority}]`` in the platform's request spelling."""
    return [{platform.assignment_policy_key: a["policy_id"], "priority": a["priority"]} for a in assignments]


# Canonical token field -> the token option whose body key changes it in place.
_FIELD_OPTIONS = {"display_name": "display_name", "tags": "tags", "policy_id": "policy", "policy_assignments": "policy_assignments",
                  "segment_id": "segment_id"}


def update_body(desired, drift, platform):
    """A PUT body that changes the drifted fields in place: only keys the platform's update page documents."""
    body = {}
    for field in drift:
        option = _FIELD_OPTIONS.get(field)
        if option is None or not platform.supports(option, "update"):
            continue
        value = desired[field]
        if field == "policy_assignments":
            value = vendor_assignments(value, platform)
        body[platform.option_key(option)] = value
    return body
