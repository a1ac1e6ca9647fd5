# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: onboarding_people
short_description: Merge people from a list, inventory groups and a CSV export into one list per platform
version_added: 0.1.0
author:
  - applivery.mdm contributors (@applivery-mdm)
description:
  - Collects the people to onboard from up to three sources, checks every email and platform, merges and de-duplicates
    them, and returns one list of O(applivery.mdm.enrollment_token_bulk#module:users) items per platform.
  - Used by the P(applivery.mdm.device_onboarding#role) role, so that it can call the bulk module once per platform,
    whatever the number of people.
  - With O(state=absent) (offboarding), a person who names no platform is put on the list of every platform, so that their
    tokens are revoked everywhere; a person with a platform only on that one. Their own settings are left out, since
    revoking compares none.
  - A list input (O(_input), O(group_names)) may also be a comma-separated string or a string that holds a YAML or JSON
    list, as C(-e key=value) and AWX survey text fields give them.
  - A problem in any source fails the task with a message that names the source, the row or host, and the problem, one
    problem per line. With O(problems=return) the problems are returned instead, so that a later task can fail with
    exactly that message.
options:
  _input:
    description:
      - People as emails or dicts with C(email) and optionally C(platform) (one platform or a list), C(display_name),
        C(tags), C(policy), C(management_mode), C(duration), C(send_email), C(language), C(email_text), C(devices) (how
        many devices the person enrolls on each of their platforms, default 1) and C(reinvite) (a new invitation although
        the person enrolled).
    type: raw
    required: true
  hostvars:
    description:
      - The C(hostvars) magic variable, to read each person host's variables.
      - A host's email is its C(applivery_user_email), or its inventory name when that is an email. Its platform is
        C(applivery_platform) (one platform or a list); C(applivery_display_name), C(applivery_tags), C(applivery_policy),
        C(applivery_management_mode), C(applivery_duration), C(applivery_send_email), C(applivery_language),
        C(applivery_email_text), C(applivery_devices) and C(applivery_reinvite) are optional. Group variables count,
        since they are part of a host's variables.
      - A host in several groups that set different C(applivery_platform) values gets the union of those platforms
        (Ansible's variable merge alone would keep one of them), and an informational line says so. A host's own
        C(applivery_platform) wins over its groups'.
      - Each of these settings becomes a key of the person's item only when it is set, so that people without it share
        the platform's settings (and bulk requests).
    type: raw
  groups:
    description: The C(groups) magic variable.
    type: dict
  group_names:
    description: Inventory groups whose hosts are people, as a list or a comma-separated string.
    type: raw
  group_names_var:
    description: The variable that gave O(group_names), for messages.
    type: str
    default: applivery_onboarding_groups
  csv_text:
    description:
      - The text of a CSV file with a header row. See O(csv_path) for the columns. Prefer O(csv_path), which also
        handles the file's encoding.
    type: str
  csv_path:
    description:
      - Path of a CSV file with a header row, as HR systems export it. The file is read with O(csv_encoding); a UTF-8
        byte order mark is dropped; the delimiter (C(,), C(;) or tab) is found by C(csv.Sniffer); headers are
        case-insensitive, with C(e-mail), C(email address), C(mail) and C(user email) taken as C(email).
      - Columns are C(email) and optionally C(platform) (several separated by C(;) or C(|)), C(display_name), C(tags)
        (separated by C(;)), C(policy), C(devices) and C(reinvite). Other columns are ignored with one warning that
        names them (see O(csv_unknown_columns)). Empty rows and rows of separators only are skipped. Messages give
        physical line numbers.
    type: str
  csv_encoding:
    description: Encoding of O(csv_path), for example C(cp1252) for a legacy Excel export.
    type: str
    default: utf-8-sig
  csv_unknown_columns:
    description: V(warn) ignores the columns that are not known, with one warning; V(error) makes them a problem.
    type: str
    choices: [warn, error]
    default: warn
  csv_name:
    description: The name of the CSV source in messages; default O(csv_path), else C(CSV).
    type: str
  default_platform:
    description: The platform of a person who names none, with O(state=present).
    type: str
    default: apple
  state:
    description:
      - V(present) puts a person who names no platform on O(default_platform); V(absent) on every platform.
    type: str
    choices: [present, absent]
    default: present
  platform_settings:
    description:
      - Settings per platform, as in the role's C(applivery_onboarding_platforms), as a dict or a string that holds a
        YAML or JSON dict. Only their C(tags) are used here; they are added to the tags of every person on that
        platform who has tags of their own.
    type: raw
    default: {}
  platform_spec:
    description:
      - The C(options) of C(applivery_onboarding_platforms) in the role's argument spec (each platform's options).
      - When given, an unknown platform or key in O(platform_settings) is a problem with the closest known name, and
        each value is checked against its option (type, choices), as Ansible checks arguments; with O(problems=return),
        C(known_platforms) holds the settings without what a problem names, with the values converted.
      - When not given (the C(applivery.mdm.status) playbook), the settings are not checked.
    type: dict
  known_vars:
    description:
      - Names of the C(applivery_*) variables that are set (for example C(q('ansible.builtin.varnames', '^applivery_'))).
        A name the collection does not know but that is close to one it knows (a likely typo, such as
        C(applivery_plaform)) is a warning that gives the known name, and so is such a host or group variable of a person.
        A name far from every known one is taken for somebody else's variable and left alone.
    type: list
    elements: str
    default: []
  problems:
    description:
      - V(raise) fails the template with every problem, one per line. V(return) returns
        C({people, problems, warnings, notes}) instead of the people, so that the caller can fail with the problems itself.
    type: str
    choices: [raise, return]
    default: raise
"""

EXAMPLES = r"""
- name: People per platform from a list, two inventory groups and an HR export
  ansible.builtin.set_fact:
    people: >-
      {{ ['alice@example.com', {'email': 'bob@example.com', 'platform': 'windows'}]
         | applivery.mdm.onboarding_people(hostvars=hostvars, groups=groups, group_names=['sales', 'support'],
                                           csv_path='hr.csv', csv_encoding='cp1252') }}

- name: Collect, and keep the problems for a later task
  ansible.builtin.set_fact:
    intake: "{{ 'a@example.com,b@example.com' | applivery.mdm.onboarding_people(problems='return') }}"
"""

RETURN = r"""
_value:
  description:
    - A dict keyed by platform. Each value is a list of items for O(applivery.mdm.enrollment_token_bulk#module:users),
      sorted by email, each with C(email) and the settings that were given (with O(state=absent), C(email) only).
    - With O(problems=return), a dict with C(people) (that dict, of the people without a problem), C(problems) (one
      sentence per problem), C(warnings) (already shown as warnings), C(notes) (informational lines), C(platforms)
      (O(platform_settings) as a dict) and C(known_platforms) (with O(platform_spec), that dict without the platforms,
      keys and values a problem names, the values converted; else the same dict).
  type: dict
"""

import csv
import io
import re

from ansible.errors import AnsibleFilterError, AnsibleParserError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.parsing.utils.yaml import from_yaml
from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.utils.display import Display

from ansible_collections.applivery.mdm.plugins.module_utils._bulk.input import ITEM_PERSON_KEYS, ITEM_SETTINGS
from ansible_collections.applivery.mdm.plugins.module_utils._platforms import PLATFORM_NAMES
from ansible_collections.applivery.mdm.plugins.module_utils._validation import check_email

display = Display()

# A person's own settings, each a key of an enrollment_token_bulk users item, read from the host variable
# applivery_<key> (host or group vars). The CSV columns are fixed: email, platform, the first three and the device keys.
SETTING_KEYS = ITEM_SETTINGS + ITEM_PERSON_KEYS
HOST_VARS = dict((key, "applivery_" + key) for key in SETTING_KEYS)
PERSON_VARS = ("applivery_user_email", "applivery_platform") + tuple(HOST_VARS.values())
ITEM_KEYS = ("email", "platform") + SETTING_KEYS
CSV_COLUMNS = ("email", "platform", "display_name", "tags", "policy") + ITEM_PERSON_KEYS
# Header spellings of HR systems, after lower-casing and turning runs of spaces, hyphens and dots into "_".
CSV_ALIASES = {"e_mail": "email", "email_address": "email", "e_mail_address": "email", "mail": "email",
               "user_email": "email", "work_email": "email", "displayname": "display_name", "name": "display_name"}
CSV_DELIMITERS = ",;\t"
STATES = ("present", "absent")

# Every applivery_* variable the collection reads: the role's options, the playbooks' and the people's host variables.
KNOWN_VARS = frozenset((
    "applivery_onboarding_users", "applivery_onboarding_groups", "applivery_onboarding_csv",
    "applivery_onboarding_csv_encoding", "applivery_onboarding_csv_unknown_columns",
    "applivery_onboarding_default_platform", "applivery_onboarding_platforms", "applivery_onboarding_state",
    "applivery_onboarding_exclusive", "applivery_onboarding_renew_before", "applivery_onboarding_remind_after",
    "applivery_onboarding_on_drift",
    "applivery_onboarding_create_users", "applivery_onboarding_chunk_size", "applivery_onboarding_fail_on_error",
    "applivery_onboarding_marker_tag", "applivery_onboarding_report_dir", "applivery_onboarding_report_name",
    "applivery_onboarding_kit", "applivery_onboarding_kit_qr", "applivery_onboarding_kit_paper",
    "applivery_onboarding_kit_language", "applivery_onboarding_kit_wifi", "applivery_onboarding_result",
    "applivery_api_url", "applivery_api_token", "applivery_organization", "applivery_validate_certs", "applivery_ca_path",
    "applivery_timeout", "applivery_retries", "applivery_people_groups", "applivery_kit_platforms", "applivery_platforms",
    "applivery_listing", "applivery_event", "applivery_record", "applivery_renewal", "applivery_renew_duration",
    "applivery_renew_before", "applivery_no_log", "applivery_report_file", "applivery_webhook_url",
) + PERSON_VARS)


def _is_set(value):
    """A setting counts only when it has a value: None and "" mean unset (False and 0 are values)."""
    return value is not None and not (isinstance(value, str) and not value.strip())


def _type_name(value):
    """The type of a value in words; Ansible's tagged subclasses (2.19+) count as their base type."""
    for kind, name in ((bool, "a boolean"), (dict, "a dict"), (int, "a number"), (float, "a number"), (str, "a string"),
                       (list, "a list")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _parse_text(text):
    """A string that holds a YAML or JSON list or dict, parsed; None when it does not look like one."""
    text = text.strip()
    if not text or text[0] not in "[{":
        return None
    try:
        return from_yaml(text, json_only=False)  # JSON first, then YAML, as Ansible reads -e values
    except AnsibleParserError:
        return None


def as_list(value, name):
    """``(items, problem)``: a list as people type it (a list, a comma-separated string, a YAML/JSON list string)."""
    if value is None:
        return [], None
    if isinstance(value, (list, tuple)):
        return list(value), None
    if isinstance(value, str):
        parsed = _parse_text(value)
        if isinstance(parsed, list):
            return parsed, None
        if parsed is not None:
            return [], "%s must be a list, a comma-separated string or a YAML/JSON list; got %s" % (name, _type_name(parsed))
        return [part.strip() for part in value.split(",") if part.strip()], None
    return [], "%s must be a list, a comma-separated string or a YAML/JSON list; got %s" % (name, _type_name(value))


def as_dict(value, name):
    """``(dict, problem)``: a dict, or a string that holds a YAML/JSON dict."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return {}, None
    if isinstance(value, dict):
        return value, None
    if isinstance(value, str):
        # Any YAML: an AWX survey's text area gives block style ("android:\n  policy: Corp") as well as flow style.
        try:
            parsed = from_yaml(value, json_only=False)
        except AnsibleParserError as error:
            return {}, "%s is a string that is neither YAML nor JSON: %s" % (name, to_text(error).splitlines()[0])
        if parsed is None:  # "null", or only a comment: nothing set, as an empty string
            return {}, None
        if isinstance(parsed, dict):
            return parsed, None
        value = parsed
    return {}, "%s must be a dict (or a string that holds a YAML/JSON dict); got %s" % (name, _type_name(value))


def _platform_list(value):
    """The platforms a value names: one platform, a list, or a string with several separated by , ; or |."""
    if isinstance(value, (list, tuple)):
        names = [to_text(v) for v in value]
    else:
        parsed = _parse_text(to_text(value))
        names = [to_text(v) for v in parsed] if isinstance(parsed, list) else re.split(r"[,;|]", to_text(value))
    return [n.strip().lower() for n in names if n and n.strip()]


def _distance(a, b):
    """Edits (insert, delete, replace, swap of neighbours) between two names."""
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def closest(name, known, prefix="applivery_"):
    """The known name a typo most likely meant: at most 2 edits away (1 for short names, not counting ``prefix``). None
    when none is that close: then it is somebody else's variable (a test's, another role's), not a typo."""
    best = None
    for candidate in sorted(known):
        limit = 1 if len(candidate) - len(prefix) <= 5 else 2
        distance = _distance(name, candidate)
        if distance <= limit and (best is None or distance < best[0]):
            best = (distance, candidate)
    return best[1] if best else None


def _plain(value):
    """Plain lists and dicts: the validator deep-copies its input, and a deep copy of ansible-core 2.19+'s lazy
    template containers (what a filter gets) sets up a templar, with a deprecation warning on 2.21."""
    if isinstance(value, dict):
        return dict((k, _plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _hint(name, known):
    guess = closest(to_text(name), known, prefix="")
    return " (did you mean %s?)" % guess if guess else ""


def check_platform_settings(settings, spec, name="applivery_onboarding_platforms"):
    """``(problems, known)``: the problems of the platform settings against ``spec`` (the role's argument spec of
    ``applivery_onboarding_platforms``: each platform's options), and the settings without what a problem names, with
    the values converted as the spec says (V(yes) to true, a comma string to a list).

    An unknown platform or key gets the closest known name; a value is checked by Ansible's own argument-spec
    validation, one key at a time, so that one bad value leaves the platform's other settings in.
    """
    problems = []
    known = {}
    for platform in sorted(settings, key=to_text):
        entry = settings[platform]
        if platform not in spec:
            problems.append("%s: '%s' is not a platform%s; use %s" % (name, platform, _hint(platform, spec), ", ".join(sorted(spec))))
            continue
        if entry is not None and not isinstance(entry, dict):
            problems.append("%s.%s must be a dict of settings; got %s" % (name, platform, _type_name(entry)))
            continue
        options = spec[platform].get("options") or {}
        known[platform] = {}
        for key in sorted(entry or {}, key=to_text):
            value = entry[key]
            if key not in options:
                problems.append("%s.%s: '%s' is not a setting of %s%s; a platform may have %s"
                                % (name, platform, key, platform, _hint(key, options), ", ".join(sorted(options))))
            elif value is None:
                known[platform][key] = None  # unset, as the role's default(omit) takes it
            else:
                result = ArgumentSpecValidator({key: options[key]}).validate({key: _plain(value)})
                if result.error_messages:
                    problems.extend("%s.%s: %s" % (name, platform, message) for message in result.error_messages)
                else:
                    known[platform][key] = result.validated_parameters[key]
    return problems, known


class _People:
    """Collects people from several sources, keyed by (platform, email), with every problem found.

    With state=absent, a person who names no platform is reconciled on every platform (an offboarded person
    must lose their tokens everywhere), and their settings are left out: revoking compares none.
    """

    def __init__(self, default_platform, platform_settings, state="present"):
        self.default_platform = default_platform
        self.absent = state == "absent"
        self.platform_tags = dict((p, (s or {}).get("tags") or []) for p, s in (platform_settings or {}).items()
                                  if isinstance(s, dict))
        self.items = {}
        self.origin = {}
        self.problems = []
        self.warnings = []
        self.notes = []
        self.play_vars = set()  # names warned of once for the play, not again per host
        self.group_cache = {}  # group name -> its own applivery_platform

    def add(self, where, email, platform=None, settings=None):
        email_problems = check_email(email, where)
        if email_problems:
            self.problems.extend(email_problems)
            return
        if _is_set(platform) and _platform_list(platform):
            platforms = _platform_list(platform)
            bad = [p for p in platforms if p not in PLATFORM_NAMES]
            if bad:
                self.problems.append("%s: platform '%s' is not one of %s" % (where, "', '".join(bad), ", ".join(PLATFORM_NAMES)))
                return
        elif self.absent:
            platforms = list(PLATFORM_NAMES)
        else:
            platforms = [to_text(self.default_platform).strip().lower()]
        email = to_text(email).strip().lower()
        for name in sorted(set(platforms)):
            item = {"email": email} if self.absent else self._item("%s (%s on %s)" % (where, email, name), name, settings or {})
            if item is not None:
                item["email"] = email
                self._keep(where, name, item)

    def _item(self, where, platform, settings):
        item = {}
        for key in SETTING_KEYS:
            value = settings.get(key)
            if not _is_set(value):
                continue
            if key == "tags":
                tags = [t for t in (p.strip() for p in value.split(";")) if t] if isinstance(value, str) else list(value)
                if not tags:
                    continue
                extra = [t for t in self.platform_tags.get(platform, []) if t not in tags]
                value = [to_text(t) for t in tags + extra]
            elif key in ("send_email", "reinvite"):
                try:
                    value = boolean(value, strict=True)
                except TypeError:
                    self.problems.append("%s: %s %r is not a boolean" % (where, key, value))
                    return None
            elif key == "devices":
                try:
                    value = int(to_text(value).strip()) if not isinstance(value, bool) else None
                except ValueError:
                    value = None
                if value is None or value < 0:
                    self.problems.append("%s: devices %r is not a number of devices (0 or more)" % (where, settings.get(key)))
                    return None
            elif key == "duration":
                value = value if isinstance(value, int) and not isinstance(value, bool) else to_text(value).strip()
            else:
                value = to_text(value)
            item[key] = value
        return item

    def _keep(self, where, platform, item):
        key = (platform, item["email"])
        if key in self.items and self.items[key] != item:
            self.problems.append("%s: %s on %s is also given by %s with other settings" % (where, item["email"], platform, self.origin[key]))
            return
        self.items.setdefault(key, item)
        self.origin.setdefault(key, where)

    def add_list(self, users, name="applivery_onboarding_users"):
        users, problem = as_list(users, name)
        if problem:
            self.problems.append(problem)
            return
        for index, user in enumerate(users):
            where = "%s[%d]" % (name, index)
            if isinstance(user, dict):
                unknown = sorted(set(user) - set(ITEM_KEYS))
                if unknown:
                    self.problems.append("%s: unknown key(s) %s; an item may have %s" % (where, ", ".join(unknown), ", ".join(ITEM_KEYS)))
                    continue
                self.add(where, user.get("email"), user.get("platform"), user)
            elif isinstance(user, str):
                self.add(where, user)
            else:
                self.problems.append("%s: %s is neither an email nor a dict with an email" % (where, _type_name(user)))

    def add_groups(self, group_names, groups, hostvars, name="applivery_onboarding_groups"):
        group_names, problem = as_list(group_names, name)
        if problem:
            self.problems.append(problem)
            return
        unknown_vars = {}
        for group in group_names:
            group = to_text(group)
            if group not in (groups or {}):
                self.problems.append("%s: group '%s' is not in the inventory (groups: %s)"
                                     % (name, group, ", ".join(sorted(g for g in groups or {} if g != "ungrouped"))))
                continue
            for host in groups[group]:
                variables = hostvars[host]
                email = variables.get("applivery_user_email") or (host if "@" in host else None)
                where = "host '%s' in group '%s'" % (host, group)
                if not email:
                    self.problems.append("%s: no applivery_user_email, and the host name is not an email" % where)
                    continue
                for var in variables.keys():
                    if var.startswith("applivery_") and var not in KNOWN_VARS and var not in self.play_vars:
                        unknown_vars.setdefault(var, []).append(host)
                # only the variables a host has: a lookup of a missing one costs as much as of a set one
                settings = dict((key, variables.get(var)) for key, var in HOST_VARS.items() if var in variables)
                self.add(where, email, self._host_platform(hostvars, host, variables), settings)
        for var, hosts in sorted(unknown_vars.items()):
            hosts = sorted(set(hosts))
            guess = closest(var, KNOWN_VARS)
            if guess:
                self.warnings.append("%s is set for %d person host(s) (%s%s) but is not a variable the collection knows; "
                                     "did you mean %s?" % (var, len(hosts), ", ".join(hosts[:3]), ", ..." if len(hosts) > 3 else "", guess))

    def _host_platform(self, hostvars, host, variables):
        """The host's platform(s): its own applivery_platform, else the union of the values its groups set."""
        merged = variables.get("applivery_platform")
        by_group = _group_values(hostvars, host, "applivery_platform", self.group_cache)
        if by_group is None or len(by_group) < 2:
            return merged
        union = []
        for _group, value in by_group:
            union.extend(p for p in _platform_list(value) if p not in union)
        note = ("host '%s' is in groups that set different applivery_platform values (%s): it is onboarded on each of %s"
                % (host, "; ".join("%s: %s" % (g, v) for g, v in by_group), ", ".join(sorted(union))))
        # once, though the host is read once per listed group it is in
        if sorted(union) != sorted(_platform_list(merged) if _is_set(merged) else []) and note not in self.notes:
            self.notes.append(note)
        return union

    def add_csv(self, text, name, unknown_columns="warn"):
        if not text:
            return
        text = to_text(text)
        if text.startswith(u"\ufeff"):
            text = text[1:]
        sample = "\n".join(line for line in text.splitlines()[:50] if line.strip())
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS)
        except csv.Error:
            dialect = csv.excel  # one column, or nothing the sniffer can tell apart: the default comma
        reader = csv.reader(io.StringIO(text, newline=""), dialect)
        header = None
        first_line = 1
        for row in reader:
            line, first_line = first_line, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue  # an empty row, or one of separators only
            if header is None:
                header = [self._column(cell) for cell in row]
                if "email" not in header:
                    self.problems.append("%s: the header (line %d) has no email column (columns: %s; an email column may be "
                                         "called email, e-mail, email address, mail or user email)"
                                         % (name, line, ", ".join(c.strip().lstrip(u"\ufeff") or "(empty)" for c in row) or "none"))
                    return
                unknown = [cell.strip().lstrip(u"\ufeff") for cell, c in zip(row, header) if c and c not in CSV_COLUMNS]
                if unknown:
                    message = "%s: column(s) %s %s (the columns used are %s)" % (
                        name, ", ".join(unknown), "are an error" if unknown_columns == "error" else "are ignored", ", ".join(CSV_COLUMNS))
                    (self.problems if unknown_columns == "error" else self.warnings).append(message)
                    if unknown_columns == "error":
                        return
                continue
            values = dict((column, (row[index] if index < len(row) else "").strip())
                          for index, column in enumerate(header) if column in CSV_COLUMNS)
            self.add("%s line %d" % (name, line), values.get("email"), values.get("platform"), values)
        if header is None:
            self.problems.append("%s: the file has no header row" % name)

    @staticmethod
    def _column(cell):
        column = re.sub(r"[\s\-.]+", "_", cell.strip().lstrip(u"\ufeff").strip().lower()).strip("_")
        return CSV_ALIASES.get(column, column)

    def by_platform(self):
        result = dict((platform, []) for platform in sorted(set(p for p, _e in self.items)))
        for (platform, _email), item in sorted(self.items.items()):
            result[platform].append(item)
        return result


_MISSING = object()


def _group_values(hostvars, host, var, cache):
    """``[(group, value)]`` of the groups of ``host`` that set ``var`` themselves, without a group whose value a child
    group overrides; None when fewer than two do, when the host sets it itself, or when the inventory cannot be read
    (then Ansible's merged value stands). ``cache`` keeps each group's value: a group is read once per run."""
    inventory = getattr(hostvars, "_inventory", None)
    loader = getattr(hostvars, "_loader", None)
    if inventory is None or loader is None:
        return None
    try:
        from ansible.vars.plugins import get_vars_from_inventory_sources

        host_obj = inventory.get_host(host)
        if host_obj is None:
            return None
        sources = getattr(inventory, "_sources", None) or []
        setting = []
        for group in host_obj.get_groups():
            if group.name not in cache:
                values = dict(group.get_vars())
                values.update(get_vars_from_inventory_sources(loader, sources, [group], "inventory") or {})
                cache[group.name] = values[var] if var in values and _is_set(values[var]) else _MISSING
            if cache[group.name] is not _MISSING:
                setting.append((group, cache[group.name]))
        # a group's value is overridden by a child group's, by Ansible's own precedence: keep the most specific ones
        kept = [(g, v) for g, v in setting if not any(o is not g and g in o.get_ancestors() for o, _v in setting)]
        if len(kept) < 2:
            return None
        own = dict(host_obj.get_vars())
        own.update(get_vars_from_inventory_sources(loader, sources, [host_obj], "inventory") or {})
        if var in own:
            return None
        return sorted((g.name, v) for g, v in kept)
    except Exception:  # pylint: disable=broad-except
        return None  # an inventory this reading does not understand: Ansible's merged value


def check_known_vars(names):
    """Warnings for applivery_* variable names the collection does not know but that are close to one it knows."""
    warnings = []
    for name in sorted(set(to_text(n) for n in names or [])):
        if name.startswith("applivery_") and not name.startswith("__") and name not in KNOWN_VARS:
            guess = closest(name, KNOWN_VARS)
            if guess:
                warnings.append("%s is not a variable the collection knows; did you mean %s?" % (name, guess))
    return warnings


def read_csv(path, encoding):
    """``(text, problem)``: the file decoded with ``encoding``; a file that does not decode is named, with a hint."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except (IOError, OSError) as error:
        return None, "%s: cannot be read: %s" % (path, error.strerror or error)
    try:
        return data.decode(encoding), None
    except LookupError:
        return None, "%s: %s is not an encoding Python knows (try utf-8-sig or cp1252)" % (path, encoding)
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        hint = "cp1252 (Windows Excel in western Europe) or latin-1" if encoding.lower().replace("_", "-").startswith("utf") else "utf-8-sig"
        return None, ("%s: line %d is not %s (byte 0x%02x); set applivery_onboarding_csv_encoding to the file's encoding, "
                      "for example %s, or save it as CSV UTF-8" % (path, line, encoding, data[error.start], hint))


def onboarding_people(users, hostvars=None, groups=None, group_names=None, csv_text=None, csv_name=None,
                      default_platform="apple", platform_settings=None, state="present", csv_path=None, csv_encoding="utf-8-sig",
                      csv_unknown_columns="warn", known_vars=None, problems="raise", group_names_var="applivery_onboarding_groups",
                      platform_spec=None):
    if state not in STATES:
        raise AnsibleFilterError("state '%s' is not one of %s" % (state, ", ".join(STATES)))
    if problems not in ("raise", "return"):
        raise AnsibleFilterError("problems must be raise or return, got %r" % (problems,))
    settings, settings_problem = as_dict(platform_settings, "applivery_onboarding_platforms")
    people = _People(default_platform, settings, state)
    if settings_problem:
        people.problems.append(settings_problem)
    known_settings = settings
    if platform_spec:
        settings_problems, known_settings = check_platform_settings(settings, platform_spec)
        people.problems.extend(settings_problems)
    people.warnings.extend(check_known_vars(known_vars))
    people.play_vars = set(to_text(n) for n in known_vars or [])
    if "applivery_people_groups" in (known_vars or []):
        people.warnings.append("applivery_people_groups is deprecated and will be removed in 2.0.0: set applivery_onboarding_groups")
    people.add_list(users)
    people.add_groups(group_names, groups, hostvars, group_names_var)
    if csv_path:
        text, problem = read_csv(csv_path, csv_encoding or "utf-8-sig")
        if problem:
            people.problems.append(problem)
        else:
            people.add_csv(text, csv_name or csv_path, csv_unknown_columns)
    else:
        people.add_csv(csv_text, csv_name or "CSV", csv_unknown_columns)
    for warning in people.warnings:
        display.warning(warning)
    if problems == "return":
        return {"people": people.by_platform(), "problems": people.problems, "warnings": people.warnings,
                "notes": people.notes, "platforms": settings,
                "known_platforms": known_settings}
    if people.problems:
        raise AnsibleFilterError("%d problem(s) with the people to onboard:\n%s" % (len(people.problems), "\n".join(people.problems)))
    return people.by_platform()


class FilterModule:
    """applivery.mdm filters."""

    def filters(self):
        return {"onboarding_people": onboarding_people}
