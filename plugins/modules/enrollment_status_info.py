#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: enrollment_status_info
short_description: Who has enrolled, who has not, per person and platform
version_added: 0.1.0
description:
  - Joins a list of people to what happened to each of them on each platform, and returns one row per person and
    platform with one state from a fixed vocabulary.
  - V(enrolled) a device enrolled with the person's token (as many devices as the person's C(devices) asks, or fewer with no
    token left waiting), with the device id and when; V(pending) a valid token waits, with its expiry, the days since
    the person's first unused invitation and whether the invitation was emailed; V(expired) the newest token expired
    unused; V(revoked) the newest token was revoked; V(not_invited) the person has no token at all on the platform;
    V(orphaned) a token that carries O(marker_tag) and can still enroll (or enrolled) a device belongs to someone who is
    not on the platform's list.
  - Each platform's tokens are listed once, revoked ones included, whatever the number of people; owners are checked
    here, never left to a server filter. The module makes no write.
author:
  - applivery.mdm contributors (@applivery-mdm)
extends_documentation_fragment:
  - applivery.mdm.connection
  - applivery.mdm.attributes
  - applivery.mdm.attributes.INFO_MODULE
options:
  users:
    description:
      - The people, as for O(applivery.mdm.enrollment_token_bulk#module:users) of the bulk module. Emails, or dicts with
        C(email) and optionally C(devices) (how many devices the person enrolls, default 1) and the bulk module's other
        item keys (checked, then not used).
      - An item may also name its C(platform); one that names none is expected on every platform in O(platforms).
    type: list
    elements: raw
  people:
    description:
      - The people per platform, as the P(applivery.mdm.onboarding_people#filter) filter returns them
        (a dict of platform to list of items). Used by the C(applivery.mdm.status) playbook.
    type: dict
  platforms:
    description:
      - Platforms to read. Default, the platforms that O(people) and O(users) name.
      - Required when an item of O(users) names no platform.
    type: list
    elements: str
    choices: [android, aosp, apple, windows]
  marker_tag:
    description:
      - The tag the collection puts on the tokens it creates. Live tokens with it whose owner is not on the list are
        reported as V(orphaned).
    type: str
    default: managed-by:applivery.mdm
  orphans:
    description: Whether to report V(orphaned) rows.
    type: bool
    default: true
  fail_if:
    description:
      - Conditions for CI gating, checked before any request. For the first condition that some row meets,
        RV(fail_reason) is a one-line reason; the module itself does not fail (the C(applivery.mdm.status)
        playbook does, after writing its reports).
      - A state (V(not_invited), V(orphaned), V(expired), V(revoked), V(pending), V(enrolled)) means anyone in that
        state; V(pending > 7d) means anyone pending for more than 7 days (units C(s), C(m), C(h), C(d), C(w)).
    type: list
    elements: str
    default: []
notes:
  - The read costs one listing of each platform's tokens (pages of up to 1000), plus the MDM user list where the tokens
    carry only user ids (AOSP), so 10,000 people cost about what a re-run of the bulk module costs.
  - The rows hold no enrollment link, code or QR code.
seealso:
  - module: applivery.mdm.enrollment_token_bulk
  - module: applivery.mdm.enrollment_token_info
"""

EXAMPLES = r"""
- name: Who has enrolled?
  applivery.mdm.enrollment_status_info:
    organization: acme
    platforms: [apple, windows]
    users:
      - alice@example.com
      - {email: bob@example.com, platform: windows, devices: 2}
    fail_if: ["pending > 7d", orphaned]
  register: status

- name: Alert when someone waits too long
  ansible.builtin.fail:
    msg: "{{ status.fail_reason }}"
  when: status.fail_reason is not none
"""

RETURN = r"""
rows:
  description: One row per person and platform (and per orphan owner and platform), sorted by platform then email.
  returned: success
  type: list
  elements: dict
  contains:
    email:
      description: The person's email.
      type: str
    platform:
      description: The platform.
      type: str
    state:
      description: One of V(enrolled), V(pending), V(expired), V(revoked), V(not_invited), V(orphaned).
      type: str
    device_id:
      description: The newest enrolled device's id, when a device enrolled.
      type: str
    enrolled_at:
      description: When the newest device enrolled (the token's last update), ISO-8601 UTC.
      type: str
    enrolled_devices:
      description: How many of the person's tokens a device used.
      type: int
    devices:
      description: How many devices the person enrolls (0 for an orphan).
      type: int
    token_id:
      description: The token the state is about (the enrolled, waiting or last one).
      type: str
    token_state:
      description: That token's state, a PENDING token past its expiry counting as EXPIRED.
      type: str
    expires_at:
      description: That token's expiry, ISO-8601 UTC.
      type: str
    invited_at:
      description: When the person's oldest unused token was made.
      type: str
    pending_days:
      description: For V(pending), the days since RV(rows[].invited_at).
      type: float
    email_sent:
      description: For V(pending), whether the token's invitation was emailed (null when the API does not say).
      type: bool
counts:
  description: Rows per platform and state, each with C(total), and the same summed over platforms under C(all).
  returned: success
  type: dict
  sample: {apple: {enrolled: 3, pending: 1, expired: 0, revoked: 0, not_invited: 1, orphaned: 0, total: 5}}
funnel:
  description: Per platform, the people listed, those invited (any token) and those enrolled.
  returned: success
  type: dict
  sample: {apple: {listed: 5, invited: 4, enrolled: 3}}
platforms:
  description: The platforms read.
  returned: success
  type: list
  elements: str
read_at:
  description: The API server's time of the read, ISO-8601 UTC.
  returned: success
  type: str
fail_reason:
  description: The one-line reason of the first O(fail_if) condition met, else null.
  returned: success
  type: str
api_calls:
  description: Requests made, C(get) and C(write) (always 0).
  returned: success
  type: dict
"""

from ansible_collections.applivery.mdm.plugins.module_utils._bulk.input import DEFAULT_MARKER
from ansible_collections.applivery.mdm.plugins.module_utils._module import AppliveryModule
from ansible_collections.applivery.mdm.plugins.module_utils._platforms import PLATFORM_NAMES
from ansible_collections.applivery.mdm.plugins.module_utils._status import read_status


def main():
    module = AppliveryModule(
        argument_spec={
            "users": {"type": "list", "elements": "raw"},
            "people": {"type": "dict"},
            "platforms": {"type": "list", "elements": "str", "choices": list(PLATFORM_NAMES)},
            "marker_tag": {"type": "str", "default": DEFAULT_MARKER},
            "orphans": {"type": "bool", "default": True},
            "fail_if": {"type": "list", "elements": "str", "default": []},
        },
        required_one_of=[("users", "people")],
    )
    module.run(read_status)


if __name__ == "__main__":
    main()
