# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stage 1 of a bulk run, with no network: the ``users`` list and the options, checked and normalised.

Every problem is found here, before any request, and each names the item and the setting.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import namedtuple

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.applivery.mdm.plugins.module_utils._platforms import get_platform
from ansible_collections.applivery.mdm.plugins.module_utils._resources import normalize_email
from ansible_collections.applivery.mdm.plugins.module_utils._settings import check_reconcile, check_settings, token_settings_spec
from ansible_collections.applivery.mdm.plugins.module_utils._validation import TAG_MAX, InputError, check_email, check_tags

MAX_CHUNK = 1000  # contract C6
DEFAULT_MARKER = "managed-by:applivery.mdm"
# The token settings a ``users`` item may set for its person, over the module option of the same name.
ITEM_SETTINGS = ("display_name", "tags", "policy", "management_mode", "duration", "send_email", "language", "email_text")
# What else an item may say of its person: how many devices they enroll, and a new invitation after enrolling.
ITEM_PERSON_KEYS = ("devices", "reinvite")
USER_ITEM_KEYS = ("email",) + ITEM_SETTINGS + ITEM_PERSON_KEYS

# What the input stage hands on: the platform, email -> the person's own settings, and the emails given twice.
BulkInput = namedtuple("BulkInput", "platform entries duplicates")


def users_item_spec():
    """The keys of a ``users`` item: the email, and the options an item may set, spelled as the options are.

    It is the ``options`` of ``users`` in the argument spec, so that the sanity tests hold it to the documented
    suboptions. Ansible does not apply it to a list of raw elements (an item may be a plain email): convert_item
    applies it to each dict item. No defaults: an item that leaves a setting out takes the module option's value.
    """
    settings = token_settings_spec()
    spec = {"email": {"type": "str", "required": True}, "devices": {"type": "int"}, "reinvite": {"type": "bool"}}
    for name in ITEM_SETTINGS:
        spec[name] = dict((key, value) for key, value in settings[name].items() if key != "default")
    return spec


USERS_ITEM_SPEC = users_item_spec()


def convert_item(own, where):
    """An item's own settings, converted and checked by Ansible's argument-spec validation, as the options are."""
    result = ArgumentSpecValidator(dict((name, USERS_ITEM_SPEC[name]) for name in own)).validate(dict(own))
    converted = dict((name, value) for name, value in result.validated_parameters.items() if name in own and value is not None)
    return converted, ["%s: %s" % (where, message) for message in result.error_messages]


def parse_users(items, display_name_max, field="users", convert=convert_item, check=None, platform=None):
    """``(entries, duplicates, problems)``: ``entries`` maps each trimmed, lower-cased email to its own settings.

    Every bad item is named: by its place (``users[3]``) and, when its email is valid, first by the
    person, as ``alice@example.com on android, users[3].duration: ...`` (``platform`` given) or
    ``alice@example.com, users[3]...``. A repeated email is collapsed and reported; the same email
    with different settings is a problem. ``check(own, where)`` returns the problems of an item's
    converted settings on the platform (see item_checker).
    """
    entries = {}
    duplicates = []
    problems = []
    for index, item in enumerate(items or []):
        where = "%s[%d]" % (field, index)
        own = {}
        item_problems = []
        if isinstance(item, dict):
            unknown = sorted(set(item) - set(USER_ITEM_KEYS))
            if unknown:
                item_problems.append("%s: unknown key(s) %s; an item may have %s" % (where, ", ".join(unknown), ", ".join(USER_ITEM_KEYS)))
            email = item.get("email")
            own, settings_problems = _own_settings(item, where, display_name_max, convert)
            if check is not None and own and not settings_problems:
                settings_problems.extend(check(own, where))
            item_problems.extend(settings_problems)
        elif isinstance(item, str):
            email = item
        else:
            problems.append("%s: %r is neither an email nor a dict with an email" % (where, item))
            continue
        email_problems = check_email(email, where)
        if email_problems:
            problems.extend(item_problems + email_problems)
            continue
        email = normalize_email(email)
        if email in entries:
            if entries[email] != own:
                item_problems.append("%s: %s appears more than once with different settings" % (where, email))
            duplicates.append(email)
        else:
            entries[email] = own
        person = email if platform is None else "%s on %s" % (email, platform)
        problems.extend("%s, %s" % (person, problem) for problem in item_problems)
    return entries, sorted(set(duplicates)), problems


def _own_settings(item, where, display_name_max, convert):
    """``(own, problems)``: the settings an item sets (not None), converted, with the checks that need no platform."""
    own = dict((name, item[name]) for name in ITEM_SETTINGS + ITEM_PERSON_KEYS if item.get(name) is not None)
    problems = []
    if convert is not None and own:
        own, problems = convert(own, where)
        if problems:
            return own, problems
    if own.get("devices") is not None and own["devices"] < 0:
        problems.append("%s.devices must be 0 or more, got %d" % (where, own["devices"]))
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


def item_params(params, own):
    """The options as they apply to one person: the item's own settings over the module's."""
    merged = dict(params)
    merged.update(own)
    return merged


def item_checker(params, platform):
    """``check(own, where)``: the problems of one item's own settings, found as the module options' are (no network).

    A problem the module options have anyway is reported once, for the options; display_name and
    tags were already checked by parse_users. The options' own problems are found once here.
    """
    settings_problems = check_settings(params, platform, endpoint="bulk")
    reconcile_problems = set(check_reconcile(params, platform, on_drift_needs_drift=True))

    def check(own, where):
        rest = dict((name, value) for name, value in own.items() if name in ITEM_SETTINGS and name not in ("display_name", "tags"))
        if not rest:
            return []
        merged = item_params(params, rest)
        prefix = where + "."
        module_level = set(prefix + p for p in settings_problems)  # every check_settings message starts with its prefix
        problems = [p for p in check_settings(merged, platform, prefix, endpoint="bulk") if p not in module_level]
        problems.extend("%s: %s" % (where, p) for p in check_reconcile(merged, platform, on_drift_needs_drift=True) if p not in reconcile_problems)
        return problems
    return check


def check_marker(marker):
    if not marker or not marker.strip():
        return ["marker_tag must not be empty"]
    if len(marker) > TAG_MAX:
        return ["marker_tag is %d characters long; the limit is %d" % (len(marker), TAG_MAX)]
    return []


def read_input(params):
    """``(BulkInput, problems)``: the module's options checked and normalised, with every problem found (no network).

    The people whose email is right are in the BulkInput even when there are problems, so that validate_only can
    still read their policy names.
    """
    platform = get_platform(params["platform"])
    present = params["state"] == "present"
    # An item's settings are checked for the platform only with state=present, like the options.
    check = item_checker(params, platform) if present else None
    entries, duplicates, problems = parse_users(params["users"], platform.display_name_max, check=check, platform=platform.name)
    if present:
        problems.extend(check_settings(params, platform, endpoint="bulk"))
        problems.extend(check_reconcile(params, platform, on_drift_needs_drift=True))
    problems.extend(check_marker(params["marker_tag"]))
    if not 1 <= params["chunk_size"] <= MAX_CHUNK:
        problems.append("chunk_size must be between 1 and %d, got %d" % (MAX_CHUNK, params["chunk_size"]))
    if params.get("devices") is not None and params["devices"] < 0:
        problems.append("devices must be 0 or more, got %d" % params["devices"])
    if params.get("confirm_timeout") is not None and params["confirm_timeout"] < 0:
        problems.append("confirm_timeout must be 0 or more seconds, got %d" % params["confirm_timeout"])
    return BulkInput(platform, entries, duplicates), problems


def check_input(params):
    """The BulkInput of the module's options; InputError listing every problem, before any request."""
    bulk_input, problems = read_input(params)
    if problems:
        raise InputError(problems)
    return bulk_input
