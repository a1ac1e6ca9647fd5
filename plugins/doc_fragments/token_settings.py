# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    """Token settings and reconciliation options shared by enrollment_token and enrollment_token_bulk."""

    DOCUMENTATION = r"""
options:
  platform:
    description:
      - The device platform of the token.
      - V(android) is Android Enterprise (with Google Mobile Services), V(aosp) is Android without Google Mobile Services.
    type: str
    required: true
    choices: [android, aosp, apple, windows]
  display_name:
    description:
      - Display name of the token. At most 128 characters, or 256 on V(aosp).
    type: str
  tags:
    description:
      - Tags of the token, each at most 128 characters. Compared as a set.
    type: list
    elements: str
  policy:
    description:
      - The primary policy, as its 24-hex id or its exact name. A name must match exactly one policy of the platform.
      - On V(aosp), which has no primary policy, this is a single policy assignment with priority 0.
    type: str
  policy_assignments:
    description:
      - Policies assigned to the token, each with a priority. Compared in priority order.
    type: list
    elements: dict
    suboptions:
      policy:
        description: The policy, as its 24-hex id or its exact name.
        type: str
        required: true
      priority:
        description: The assignment's priority, 0 to 10000.
        type: int
        required: true
  management_mode:
    description:
      - How the device is managed. V(android) accepts V(DEVICE_OWNER), V(PROFILE_OWNER), V(COPE) and V(USERLESS);
        V(aosp) accepts V(DEVICE_OWNER) and V(MANAGEMENT_MODE_UNSPECIFIED). Not valid on V(apple) or V(windows).
      - When not set on V(android) or V(aosp), new tokens are created with V(DEVICE_OWNER) and existing tokens are not compared.
    type: str
    choices: [COPE, DEVICE_OWNER, MANAGEMENT_MODE_UNSPECIFIED, PROFILE_OWNER, USERLESS]
  send_email:
    description:
      - Whether Applivery emails the enrollment instructions to the person when a token is created.
      - Off by default, so that no one is emailed by surprise.
    type: bool
    default: false
  language:
    description:
      - Language of the enrollment email.
    type: str
    choices: [es, en, fr, de, it, zh, pt, ru]
  email_text:
    description:
      - Custom text for the enrollment email.
    type: str
  duration:
    description:
      - How long a new token stays valid, as seconds or a string such as V(90m), V(12h) or V(7d).
      - From 60 seconds to 30 days. The API default is 1 day.
    type: raw
  perpetual:
    description:
      - Whether the token never expires and can enroll several devices. Only valid on V(aosp).
    type: bool
  segment_id:
    description:
      - Segment the token belongs to.
    type: int
  dpc_build_tag:
    description:
      - Device policy controller build tag. Only valid on V(aosp).
    type: str
  push_notification_provider:
    description:
      - Push notification provider. Only valid on V(aosp).
    type: str
  profiles:
    description:
      - Ids of configuration profiles installed at enrollment. Only valid on V(apple).
    type: list
    elements: str
  applications:
    description:
      - Applications installed at enrollment. Only valid on V(apple).
    type: list
    elements: dict
    suboptions:
      application:
        description: Id of the Apple application.
        type: str
        required: true
      managed:
        description: Whether the application is installed as managed.
        type: bool
      vpp:
        description: Whether the application's licence comes from the Volume Purchase Program.
        type: bool
  vpp_location:
    description:
      - Id of the Volume Purchase Program location. Only valid on V(apple).
    type: str
  renew_before:
    description:
      - A duration, as seconds or a string such as V(12h) or V(7d). A pending token that expires within
        this window counts as absent and is replaced by a new one; the old one is revoked.
      - The default V(0) replaces only tokens that have already expired.
    type: raw
    default: 0
  on_drift:
    description:
      - What to do when the live token differs from the settings you set (options you leave out are not compared).
      - V(keep) reports the drift and changes nothing.
      - V(update) changes the token in place. Only V(windows) tokens can be changed in place, and only their
        O(display_name), O(tags), O(policy), O(policy_assignments) and O(segment_id). M(applivery.mdm.enrollment_token)
        refuses V(update) on another platform before any request; M(applivery.mdm.enrollment_token_bulk) only when a person
        there has drift, and its message names those people and the fields that differ.
      - V(recreate) creates a new token with the settings and revokes the old one. This is the only way to change a token on
        V(android), V(apple) and V(aosp), and to change O(management_mode) or O(perpetual) anywhere.
      - O(duration), O(language), O(email_text), O(send_email), O(profiles), O(applications), O(vpp_location),
        O(dpc_build_tag) and O(push_notification_provider) apply when a token is created and are not compared.
    type: str
    choices: [keep, update, recreate]
    default: keep
  revoke_duplicates:
    description:
      - When a person has several pending tokens on the platform, revoke all but the newest one that matches the settings.
    type: bool
    default: false
"""
