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
  - A problem in any source fails the task with a message that names the source, the row or host, and the problem.
options:
  _input:
    description:
      - People as emails or dicts with C(email) and optionally C(platform), C(display_name), C(tags), C(policy),
        C(management_mode), C(duration), C(send_email), C(language), C(email_text), C(devices) (how many devices the person
        enrolls on the platform, default 1) and C(reinvite) (a new invitation although the person enrolled).
    type: list
    elements: raw
    required: true
  hostvars:
    description:
      - The C(hostvars) magic variable, to read each person host's variables.
      - A host's email is its C(applivery_user_email), or its inventory name when that is an email. Its platform is
        C(applivery_platform); C(applivery_display_name), C(applivery_tags), C(applivery_policy),
        C(applivery_management_mode), C(applivery_duration), C(applivery_send_email), C(applivery_language),
        C(applivery_email_text), C(applivery_devices) and C(applivery_reinvite) are optional. Group variables count, since they are part of a host's variables.
      - Each of these settings becomes a key of the person's item only when it is set, so that people without it share
        the platform's settings (and bulk requests).
    type: raw
  groups:
    description: The C(groups) magic variable.
    type: dict
  group_names:
    description: Inventory groups whose hosts are people.
    type: list
    elements: str
  csv_text:
    description:
      - The text of a CSV file with a header row. Columns are C(email) and optionally C(platform), C(display_name),
        C(tags) (separated by C(;)), C(policy), C(devices) and C(reinvite).
    type: str
  csv_name:
    description: The name of the CSV source in messages, for example its path.
    type: str
    default: CSV
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
      - Settings per platform, as in the role's C(applivery_onboarding_platforms). Only their C(tags) are used here;
        they are added to the tags of every person on that platform who has tags of their own.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: People per platform from a list, two inventory groups and an HR export
  ansible.builtin.set_fact:
    people: >-
      {{ ['alice@example.com', {'email': 'bob@example.com', 'platform': 'windows'}]
         | applivery.mdm.onboarding_people(hostvars=hostvars, groups=groups, group_names=['sales', 'support'],
                                           csv_text=lookup('ansible.builtin.file', 'hr.csv'), csv_name='hr.csv') }}
"""

RETURN = r"""
_value:
  description:
    - A dict keyed by platform. Each value is a list of items for O(applivery.mdm.enrollment_token_bulk#module:users),
      sorted by email, each with C(email) and the settings that were given (with O(state=absent), C(email) only).
  type: dict
"""

import csv
import io

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.applivery.mdm.plugins.module_utils._bulk.input import ITEM_PERSON_KEYS, ITEM_SETTINGS
from ansible_collections.applivery.mdm.plugins.module_utils._platforms import PLATFORM_NAMES
from ansible_collections.applivery.mdm.plugins.module_utils._validation import check_email

# A person's own settings, each a key of an enrollment_token_bulk users item, read from the host variable
# applivery_<key> (host or group vars). The CSV columns are fixed: email, platform, the first three and the device keys.
SETTING_KEYS = ITEM_SETTINGS + ITEM_PERSON_KEYS
HOST_VARS = dict((key, "applivery_" + key) for key in SETTING_KEYS)
ITEM_KEYS = ("email", "platform") + SETTING_KEYS
CSV_COLUMNS = ("email", "platform", "display_name", "tags", "policy") + ITEM_PERSON_KEYS
STATES = ("present", "absent")


def _is_set(value):
    """A setting counts only when it has a value: None and "" mean unset (False and 0 are values)."""
    return value is not None and not (isinstance(value, str) and not value.strip())


class _People:
    """Collects people from several sources, keyed by (platform, email), with every problem found.

    With state=absent, a person who names no platform is reconciled on every platform (an offboarded person
    must lose their tokens everywhere), and their settings are left out: revoking compares none.
    """

    def __init__(self, default_platform, platform_settings, state="present"):
        self.default_platform = default_platform
        self.absent = state == "absent"
        self.platform_tags = dict((p, (s or {}).get("tags") or []) for p, s in (platform_settings or {}).items())
        self.items = {}
        self.origin = {}
        self.problems = []

    def add(self, where, email, platform=None, settings=None):
        email_problems = check_email(email, where)
        if email_problems:
            self.problems.extend(email_problems)
            return
        if _is_set(platform):
            platforms = [to_text(platform).strip().lower()]
            if platforms[0] not in PLATFORM_NAMES:
                self.problems.append("%s: platform '%s' is not one of %s" % (where, platforms[0], ", ".join(PLATFORM_NAMES)))
                return
        elif self.absent:
            platforms = list(PLATFORM_NAMES)
        else:
            platforms = [to_text(self.default_platform).strip().lower()]
        email = to_text(email).strip().lower()
        for name in platforms:
            item = {"email": email} if self.absent else self._item(where, email, name, settings or {})
            if item is not None:
                self._keep(where, name, item)

    def _item(self, where, email, platform, settings):
        item = {"email": email}
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

    def add_list(self, users):
        for index, user in enumerate(users or []):
            where = "applivery_onboarding_users[%d]" % index
            if isinstance(user, dict):
                unknown = sorted(set(user) - set(ITEM_KEYS))
                if unknown:
                    self.problems.append("%s: unknown key(s) %s; an item may have %s" % (where, ", ".join(unknown), ", ".join(ITEM_KEYS)))
                    continue
                self.add(where, user.get("email"), user.get("platform"), user)
            else:
                self.add(where, user)

    def add_groups(self, group_names, groups, hostvars):
        for group in group_names or []:
            if group not in (groups or {}):
                self.problems.append("applivery_onboarding_groups: group '%s' is not in the inventory (groups: %s)"
                                     % (group, ", ".join(sorted(g for g in groups or {} if g != "ungrouped"))))
                continue
            for host in groups[group]:
                variables = hostvars[host]
                email = variables.get("applivery_user_email") or (host if "@" in host else None)
                where = "host '%s' in group '%s'" % (host, group)
                if not email:
                    self.problems.append("%s: no applivery_user_email, and the host name is not an email" % where)
                    continue
                # only the variables a host has: a lookup of a missing one costs as much as of a set one
                settings = dict((key, variables.get(name)) for key, name in HOST_VARS.items() if name in variables)
                self.add(where, email, variables.get("applivery_platform"), settings)

    def add_csv(self, text, name):
        if not text:
            return
        reader = csv.DictReader(io.StringIO(to_text(text)))
        columns = [c.strip().lower() for c in reader.fieldnames or []]
        if "email" not in columns:
            self.problems.append("%s: the header has no 'email' column (columns: %s)" % (name, ", ".join(columns) or "none"))
            return
        reader.fieldnames = columns
        for line, row in enumerate(reader, start=2):
            row = dict((k, (v or "").strip()) for k, v in row.items() if k)
            unknown = sorted(k for k in row if k not in CSV_COLUMNS and row[k])
            if unknown:
                self.problems.append("%s line %d: unknown column(s) %s" % (name, line, ", ".join(unknown)))
                continue
            self.add("%s line %d" % (name, line), row.get("email"), row.get("platform"), row)

    def by_platform(self):
        result = dict((platform, []) for platform in sorted(set(p for p, _e in self.items)))
        for (platform, _email), item in sorted(self.items.items()):
            result[platform].append(item)
        return result


def onboarding_people(users, hostvars=None, groups=None, group_names=None, csv_text=None, csv_name="CSV",
                      default_platform="apple", platform_settings=None, state="present"):
    if state not in STATES:
        raise AnsibleFilterError("state '%s' is not one of %s" % (state, ", ".join(STATES)))
    people = _People(default_platform, platform_settings, state)
    people.add_list(users)
    people.add_groups(group_names, groups, hostvars)
    people.add_csv(csv_text, csv_name)
    if people.problems:
        raise AnsibleFilterError("%d problem(s) with the people to onboard: %s" % (len(people.problems), "; ".join(people.problems)))
    return people.by_platform()


class FilterModule:
    """applivery.mdm filters."""

    def filters(self):
        return {"onboarding_people": onboarding_people}
