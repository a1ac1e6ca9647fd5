# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: kit_sheets
short_description: Turn registered enrollment token results into the sheets of an onboarding kit
version_added: 0.1.0
author:
  - applivery.mdm contributors (@applivery-mdm)
description:
  - Takes registered results of M(applivery.mdm.enrollment_token_bulk) or M(applivery.mdm.enrollment_token_info)
    (single tasks or loops), or canonical tokens, and returns the O(applivery.mdm.enrollment_kit#module:sheets) of
    M(applivery.mdm.enrollment_kit).
  - Only people with a current token get a sheet. From a bulk run, the people whose action is V(created),
    V(renewed), V(recreated), V(updated) or V(unchanged); from tokens, the V(PENDING) ones (and tokens without a
    state, planned in check mode). Revoked, failed and drifted people get none.
  - A bulk run's platform is its O(platform_key) value (a loop variable or an added key), else the C(platform) of its
    C(invocation).
  - The sheets hold enrollment links. Pass them straight to M(applivery.mdm.enrollment_kit), never to
    C(ansible.builtin.set_fact) or C(ansible.builtin.debug), whose results are printed.
options:
  _input:
    description: Registered results (a dict or a list of them), or canonical tokens.
    type: raw
    required: true
  people:
    description:
      - Names and languages of the people, as the P(applivery.mdm.onboarding_people#filter) filter returns them
        (a list of dicts with C(email), C(display_name), C(language) per platform) or as one list of such dicts
        (with an optional C(platform)). A person's C(display_name) is the sheet's title and C(language) its language.
    type: raw
  platform_settings:
    description:
      - Settings per platform (the device_onboarding role's C(applivery_onboarding_platforms)); a platform's
        C(language) is the language of its people who have none.
    type: dict
  platform_key:
    description: The key of a registered run that holds its platform.
    type: str
    default: __applivery_platform
"""

EXAMPLES = r"""
- name: Onboarding kit of a bulk run
  applivery.mdm.enrollment_kit:
    path: "{{ playbook_dir }}/kit"
    sheets: "{{ apple_run | combine({'platform': 'apple'}) | applivery.mdm.kit_sheets(platform_key='platform') }}"

- name: Onboarding kit of every pending token of some people (enrollment_token_info in a loop over platforms)
  applivery.mdm.enrollment_kit:
    path: "{{ playbook_dir }}/kit"
    sheets: "{{ listing.results | applivery.mdm.kit_sheets(people=[{'email': 'ann@example.com', 'display_name': 'Ann', 'language': 'es'}]) }}"
"""

RETURN = r"""
_value:
  description:
    - One dict per token with C(email), C(platform) and, where known, C(name), C(language), C(expires_at),
      C(perpetual), C(enrollment_link), C(enroll_code) and C(qr_code).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.applivery.mdm.plugins.module_utils._kit import KitError, sheets_from


def kit_sheets(items, people=None, platform_settings=None, platform_key="__applivery_platform"):
    try:
        return sheets_from(items, people=people, platform_settings=platform_settings, platform_key=platform_key)
    except KitError as error:
        raise AnsibleFilterError("kit_sheets: %s" % error)


class FilterModule:
    """applivery.mdm filters."""

    def filters(self):
        return {"kit_sheets": kit_sheets}
