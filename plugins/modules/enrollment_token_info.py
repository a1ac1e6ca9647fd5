#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: enrollment_token_info
short_description: List Applivery MDM enrollment tokens
version_added: 0.1.0
description:
  - Lists the enrollment tokens of one platform (Android Enterprise, Apple, Windows or AOSP) in an Applivery organization.
  - Every token is returned in one canonical shape, whatever the platform calls its fields.
  - Filters narrow the list by user email, state, tags and policy. An optional JMESPath O(query) shapes the result.
author:
  - applivery.mdm contributors (@applivery-mdm)
extends_documentation_fragment:
  - applivery.mdm.connection
  - applivery.mdm.attributes
  - applivery.mdm.attributes.INFO_MODULE
options:
  platform:
    description:
      - The device platform whose tokens are listed.
      - V(android) is Android Enterprise (with Google Mobile Services), V(aosp) is Android without Google Mobile Services.
    type: str
    required: true
    choices: [android, aosp, apple, windows]
  user_email:
    description:
      - Only tokens of the MDM users with these emails. Matching ignores case and surrounding spaces.
      - An email with no MDM user simply has no tokens; it is listed in RV(missing_users).
      - For up to 10 emails, each person's tokens are read with the API's user filter. For more, the platform's tokens are
        listed once and matched here, so the number of requests grows with the number of tokens divided by the
        page size (100), not with the number of emails.
    type: list
    elements: str
  state:
    description:
      - Only tokens in these states. A V(PENDING) token past its expiry counts as V(EXPIRED).
      - The default is every state except V(DELETED) (revoked tokens).
    type: list
    elements: str
    choices: [PENDING, PROCESSING, DONE, EXPIRED, DELETED]
    default: [PENDING, PROCESSING, DONE, EXPIRED]
  tags:
    description:
      - Only tokens that carry all of these tags.
    type: list
    elements: str
  policy:
    description:
      - Only tokens that use this policy (24-hex id), as primary policy or in their policy assignments.
    type: str
  query:
    description:
      - >-
        A JMESPath expression applied to the list of canonical tokens after the filters above, for example
        C([?state=='PENDING'].{email: user_email, expires: expires_at}).
      - It must produce a list, which replaces RV(tokens).
    type: str
requirements:
  - jmespath (only when O(query) is used)
seealso:
  - name: Applivery API reference
    description: The vendor's API reference for enrollment tokens.
    link: https://docs.applivery.com/en/api/
"""

EXAMPLES = r"""
- name: List every live Apple token of the organization
  applivery.mdm.enrollment_token_info:
    api_token: "{{ applivery_api_token }}"
    organization: acme
    platform: apple
  register: apple_tokens

- name: Find the pending Windows token of two people (credentials from APPLIVERY_* env vars)
  applivery.mdm.enrollment_token_info:
    platform: windows
    user_email:
      - alice@example.com
      - Bob@Example.com
    state: [PENDING]
  register: windows_tokens

- name: Revoked AOSP tokens tagged kiosk
  applivery.mdm.enrollment_token_info:
    platform: aosp
    state: [DELETED]
    tags: [kiosk]

- name: Emails and expiry dates of pending Android tokens, soonest first
  applivery.mdm.enrollment_token_info:
    platform: android
    state: [PENDING]
    query: "sort_by(@, &expires_at)[].{email: user_email, expires: expires_at}"
  register: expiring

- name: Set the connection once for every applivery.mdm module
  module_defaults:
    group/applivery.mdm.applivery:
      api_url: https://api.applivery.io
      api_token: "{{ vault_applivery_token }}"
      organization: acme
  block:
    - name: Tokens that use one policy
      applivery.mdm.enrollment_token_info:
        platform: windows
        policy: 64b000000000000000000301
"""

RETURN = r"""
tokens:
  description:
    - The matching tokens in canonical form, oldest first, or the result of O(query) when it is set.
    - Each token holds the enrollment link, code or QR code a person uses to enroll. Treat it as a secret.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Token id (24-hex).
      type: str
      sample: 64c0000000000000000000a1
    platform:
      description: The platform, as in O(platform).
      type: str
      sample: apple
    state:
      description: V(PENDING), V(PROCESSING), V(DONE), V(EXPIRED) or V(DELETED), whatever the platform's field is called.
      type: str
      sample: PENDING
    user_id:
      description: Id of the MDM user the token belongs to.
      type: str
    user_email:
      description: Email of that user, lower-case, when the API includes it.
      type: str
      sample: alice@example.com
    display_name:
      description: The token's display name.
      type: str
    tags:
      description: The token's tags.
      type: list
      elements: str
    policy_id:
      description: The primary policy id, on platforms that have one.
      type: str
    policy_assignments:
      description: Policy assignments as C({policy_id, priority}), sorted by priority.
      type: list
      elements: dict
    management_mode:
      description: Management mode (Android Enterprise and AOSP).
      type: str
    perpetual:
      description: Whether the token never expires (AOSP).
      type: bool
    segment_id:
      description: Segment the token belongs to, if any.
      type: raw
    expires_at:
      description: Expiry time, ISO-8601 UTC.
      type: str
      sample: "2026-11-23T14:00:00Z"
    enrollment_link:
      description: The enrollment link, where the platform has one.
      type: str
    enroll_code:
      description: The enrollment code or one-time token, where the platform has one.
      type: str
    qr_code:
      description: The QR code payload as a JSON string, where the platform has one.
      type: str
    created_at:
      description: Creation time, ISO-8601 UTC.
      type: str
    updated_at:
      description: Last update time, ISO-8601 UTC.
      type: str
count:
  description: Number of items in RV(tokens).
  returned: success
  type: int
  sample: 2
missing_users:
  description: Emails from O(user_email) that have no MDM user in the organization.
  returned: when O(user_email) is set
  type: list
  elements: str
by_email:
  description:
    - For each email in O(user_email), the person's current token on the platform (the newest pending, unexpired one
      among the matching tokens), or null. Applied before O(query).
  returned: when O(user_email) is set
  type: dict
  sample: {alice@example.com: {id: 64c0000000000000000000a1, state: PENDING}, dave@example.com: null}
error:
  description: The API's error, when the module failed on one.
  returned: on API failure
  type: dict
  contains:
    status:
      description: HTTP status.
      type: int
    code:
      description: The vendor's error code, for example V(3001).
      type: int
    message:
      description: The vendor's error message.
      type: str
"""

from ansible_collections.applivery.mdm.plugins.module_utils._info import list_matching_tokens
from ansible_collections.applivery.mdm.plugins.module_utils._module import AppliveryModule
from ansible_collections.applivery.mdm.plugins.module_utils._platforms import PLATFORM_NAMES, TOKEN_STATES


def main():
    module = AppliveryModule(
        argument_spec={
            "platform": {"type": "str", "required": True, "choices": list(PLATFORM_NAMES)},
            "user_email": {"type": "list", "elements": "str"},
            "state": {"type": "list", "elements": "str", "choices": list(TOKEN_STATES), "default": [s for s in TOKEN_STATES if s != "DELETED"]},
            "tags": {"type": "list", "elements": "str"},
            "policy": {"type": "str"},
            "query": {"type": "str"},
        },
    )
    module.run(list_matching_tokens)


if __name__ == "__main__":
    main()
