#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: enrollment_token
short_description: Make sure one person has exactly one valid Applivery MDM enrollment token on a platform
version_added: 0.1.0
description:
  - Makes sure an MDM user has one valid (pending, unexpired) enrollment token on one platform, with the settings you set,
    or, with O(state=absent), that they have none.
  - The vendor's create endpoint is not idempotent. This module lists the person's tokens first and writes only when
    something must change, so a re-run with nothing new makes no write.
  - An expired token, or with O(renew_before) one that expires soon, is replaced by a new one.
  - A person who has enrolled (a token of theirs is V(DONE) or V(PROCESSING)) is V(enrolled) and left alone. See O(devices).
  - "The API's filters are never trusted: every listed token is checked to belong to the person, by user id and, where the
    token carries it, email. A setting the API does not echo, or echoes as null, is unknown and never drift."
  - "Fields the API can change in place: only on V(windows), and only O(display_name), O(tags), O(policy),
    O(policy_assignments) and O(segment_id), with O(on_drift=update). Every other change, and every change on
    V(android), V(apple) and V(aosp), needs O(on_drift=recreate): a new token is created and the old one revoked."
  - Revoking is a soft delete. The token stays listed as V(DELETED) and can no longer enroll a device.
author:
  - applivery.mdm contributors (@applivery-mdm)
extends_documentation_fragment:
  - applivery.mdm.connection
  - applivery.mdm.token_settings
  - applivery.mdm.attributes
attributes:
  check_mode:
    support: full
    details:
      - Check mode makes the same decision and reports the same C(changed), RV(action) and diff, with no write.
  diff_mode:
    support: full
    details:
      - The diff shows the token's id, state, user, display name, tags, policies and expiry. Never its enrollment link, code or QR code.
options:
  user_email:
    description:
      - Email of the MDM user. Matching ignores case and surrounding spaces.
      - Exactly one of O(user_email) and O(user_id) is required.
    type: str
  user_id:
    description:
      - Id (24-hex) of the MDM user.
    type: str
  create_user:
    description:
      - Create the MDM user when no user has O(user_email). When V(false), a missing user is an error.
    type: bool
    default: false
  state:
    description:
      - V(present) makes sure one valid token exists; V(absent) revokes every pending token of the person on the platform.
      - Revoking a token does not remove a device. With V(absent), a person's enrolled devices stay enrolled, and
        RV(enrolled_devices) and RV(msg) say how many there are.
    type: str
    choices: [present, absent]
    default: present
  devices:
    description:
      - How many devices the person enrolls on the platform (an iPhone and a Mac are both V(apple)), 0 or more.
      - "The person has enrolled a device when one of their tokens is V(DONE) (a device used it) or V(PROCESSING) (a device is
        enrolling with it). The module keeps O(devices) minus the enrolled devices valid tokens, never fewer than 0. A person
        who enrolled all their devices is V(enrolled): no new token, no new email."
    type: int
    default: 1
  reinvite:
    description:
      - Give the person one valid token even though they enrolled all their devices, for a lost, wiped or replaced device. The
        vendor's token stays V(DONE) when its device is gone, and the token list does not tell that the device is gone.
      - It asks for one pending token whatever the enrolled devices, so a re-run writes nothing. Set it back to V(false) once
        the new device enrolled, or the next run invites the person again. A higher O(devices) is the other way.
    type: bool
    default: false
seealso:
  - module: applivery.mdm.enrollment_token_info
"""

EXAMPLES = r"""
- name: Android Enterprise - a fully managed device for Alice, with a policy chosen by name
  applivery.mdm.enrollment_token:
    api_token: "{{ vault_applivery_token }}"
    organization: acme
    platform: android
    user_email: alice@example.com
    management_mode: DEVICE_OWNER
    policy: Corporate Standard
    duration: 7d
    tags: [sales]

- name: Apple - a week-long token for Bob, renewed when it has less than a day left
  applivery.mdm.enrollment_token:
    platform: apple
    user_email: bob@example.com
    create_user: true
    display_name: Bob's MacBook
    policy_assignments:
      - policy: Corporate Standard
        priority: 1
    duration: 7d
    renew_before: 1d

- name: Windows - change tags and policy of the existing token in place
  applivery.mdm.enrollment_token:
    platform: windows
    user_email: carol@example.com
    policy: Kiosk
    tags: [frontdesk]
    on_drift: update
  register: carol

- name: AOSP (non-GMS Android) - a perpetual kiosk token, recreated if its settings drift
  applivery.mdm.enrollment_token:
    platform: aosp
    user_email: kiosk-lobby@example.com
    management_mode: DEVICE_OWNER
    perpetual: true
    policy: Kiosk
    on_drift: recreate

- name: Revoke Dave's pending Apple tokens
  applivery.mdm.enrollment_token:
    platform: apple
    user_email: dave@example.com
    state: absent
"""

RETURN = r"""
action:
  description:
    - What was done, or in check mode what would be done.
    - V(created), V(renewed), V(unchanged), V(updated), V(recreated), V(drift) or V(enrolled) with O(state=present);
      V(revoked) or V(absent) with O(state=absent).
  returned: always
  type: str
  sample: created
token:
  description:
    - The person's token after the run, in the canonical form of M(applivery.mdm.enrollment_token_info).
    - In check mode, a new token is predicted and has no id.
    - It holds the enrollment link, code or QR code a person uses to enroll. Treat it as a secret.
    - V(null) with O(state=absent).
  returned: always
  type: dict
  sample:
    id: 64c000000000000000000001
    platform: windows
    state: PENDING
    user_email: carol@example.com
    tags: [frontdesk]
    expires_at: "2026-11-23T14:00:00Z"
drift:
  description: Fields where the live token differs from the settings you set.
  returned: always
  type: list
  elements: str
  sample: [policy_id, tags]
revoked:
  description:
    - Ids of the tokens revoked (or, in check mode, that would be).
    - With O(revoke_duplicates=true) this includes the person's other pending tokens; the diff lists them as C(duplicates).
  returned: always
  type: list
  elements: str
enrolled_devices:
  description:
    - The person's enrolled devices on the platform, as C(token_id), C(device_id) (the vendor's device id the token carries),
      C(state) (V(DONE) or V(PROCESSING)) and C(at) (when the token last changed).
  returned: always
  type: list
  elements: dict
  sample: [{token_id: 64c000000000000000000001, device_id: 65d000000000000000000009, state: DONE, at: "2026-11-20T09:12:00Z"}]
user:
  description:
    - The MDM user, with C(created) true when this run created it.
    - V(null) when the user does not exist and O(state=absent), as a person who is not an MDM user has no token to revoke.
  returned: always
  type: dict
  sample: {id: 64a0000000000000000000a1, email: alice@example.com, created: false}
msg:
  description: A sentence saying what happened.
  returned: always
  type: str
error:
  description: The API's error, when the module failed on one.
  returned: on API failure
  type: dict
  contains:
    status:
      description: HTTP status.
      type: int
    code:
      description: The vendor's error code, for example V(3001) or V(5050).
      type: int
    message:
      description: The vendor's error message.
      type: str
"""

from ansible_collections.applivery.mdm.plugins.module_utils._module import AppliveryModule
from ansible_collections.applivery.mdm.plugins.module_utils._platforms import PLATFORM_NAMES
from ansible_collections.applivery.mdm.plugins.module_utils._settings import token_settings_spec
from ansible_collections.applivery.mdm.plugins.module_utils._single import ensure_user_token


def main():
    spec = token_settings_spec()
    spec.update(
        platform={"type": "str", "required": True, "choices": list(PLATFORM_NAMES)},
        user_email={"type": "str"},
        user_id={"type": "str"},
        create_user={"type": "bool", "default": False},
        state={"type": "str", "default": "present", "choices": ["present", "absent"]},
        devices={"type": "int", "default": 1},
        reinvite={"type": "bool", "default": False},
    )
    module = AppliveryModule(argument_spec=spec, required_one_of=[("user_email", "user_id")],
                             mutually_exclusive=[("user_email", "user_id")])
    module.run(lambda mod: ensure_user_token(mod.client, mod.params, check_mode=mod.check_mode))


if __name__ == "__main__":
    main()
