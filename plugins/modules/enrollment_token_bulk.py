#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: enrollment_token_bulk
short_description: Make sure many people each have exactly one valid Applivery MDM enrollment token on a platform
version_added: 0.1.0
description:
  - Declarative bulk onboarding. For every email in O(users), makes sure the person has one valid enrollment token on
    O(platform) with the settings you set; with O(state=absent), that they have none.
  - The vendor's bulk endpoint answers only C({total, success, fail}) and creates a token for every email it is sent,
    duplicates included. This module reads the platform's tokens first, plans one action per email, sends each email at most
    once per round in chunks of O(chunk_size), then lists again so that every email ends with its real outcome and token.
  - A bulk request is never resent blindly. After every round of bulk requests the module lists the tokens, and an email
    whose token appeared counts as created, whatever the request answered. A request that failed with a server error (5xx),
    with rate limiting (429) or with no connection to the API is resent, for the emails that still lack a token only, up
    to O(retries) times (at least twice).
  - A request that was sent but got no answer within O(timeout) is never resent, because the API may still create its
    tokens after the listing and a resend would give everyone in it a second token. Its emails whose token did not appear
    in the listing fail, with a reason that says so; run the task again later, and it finds their tokens if the API made
    them and creates the rest. A request the API refused (another error, such as 5050 or 5017) is not resent either; its
    emails fail with the API's error.
  - When a run started at the same time creates tokens for the same people, both runs see each other's new tokens when they
    list again. With O(revoke_duplicates=true) every such run keeps the oldest new token and revokes the others, so both
    agree on one token per person. See C(docs/concurrency.md) in the collection.
  - A re-run with nothing new makes no write. The number of reads grows with the number of tokens divided by the API's
    page size (the module asks for pages of 1000 and follows what the API gives), not with the number of emails.
  - "A person who has enrolled (a token of theirs is V(DONE) or V(PROCESSING)) is V(enrolled): no new token, no new email.
    See O(devices) and O(users[].reinvite). O(state=absent) revokes only tokens that can still enroll a device; a device that
    enrolled stays enrolled, and the result lists it in C(enrolled_devices)."
  - The API's filters are never trusted for a decision. Every token is checked on the module's side to belong to the person,
    by user id and, where the token carries it, email; a setting the API does not echo is unknown, never drift.
  - Tokens this module creates carry O(marker_tag). With O(exclusive=true), pending tokens that carry the marker and belong
    to people not in O(users) are revoked; tokens made by hand or by other tools are never touched. An empty O(users)
    never revokes anything, not even with O(exclusive=true).
  - In a real run, C(changed) says what happened, not what was planned. It is true when a token was created, renewed,
    updated, recreated or revoked, or when another write took effect (such as a user created or a duplicate revoked), so a
    run in which every write failed reports V(false). In check mode it is the plan's prediction.
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
      - Check mode returns the plan, the same C(changed) a real run would report, and the diff, with no write.
  diff_mode:
    support: full
    details:
      - The diff lists the emails per action (create, renew, recreate, update, revoke, fail, drift). It never holds an enrollment link, code or QR code.
options:
  users:
    description:
      - The people, as emails or as dicts with C(email) and optionally the settings below, which replace the module option
        of the same name for that person. Each person's settings (their own over the module's) are validated as the module
        options are, before any request, and an error names the person, the platform, the item and the setting, for example
        C(alice@example.com on android, users[3].duration) followed by the problem.
      - People whose settings are the same are sent together; people with different settings are sent in separate bulk
        requests. Drift is compared with each person's own settings.
      - Emails are trimmed and lower-cased before anything else. A repeated email is sent once and counted in
        RV(summary.duplicates_in_input); the same email with different settings is an error.
      - An empty list is valid and does nothing, and makes no request. With O(exclusive=true) the module warns that nothing
        was revoked; to revoke everyone's tokens, use O(state=absent) with their emails in O(users).
    type: list
    elements: raw
    required: true
    suboptions:
      email:
        description:
          - The person's email. An item that is a plain string is this email.
        type: str
        required: true
      display_name:
        description:
          - Replaces O(display_name) for this person.
        type: str
      tags:
        description:
          - Replaces O(tags) for this person.
        type: list
        elements: str
      policy:
        description:
          - Replaces O(policy) for this person.
        type: str
      management_mode:
        description:
          - Replaces O(management_mode) for this person. Compared for drift, like the option.
        type: str
        choices: [COPE, DEVICE_OWNER, MANAGEMENT_MODE_UNSPECIFIED, PROFILE_OWNER, USERLESS]
      duration:
        description:
          - Replaces O(duration) for this person, and is checked against O(renew_before) as the option is.
        type: raw
      send_email:
        description:
          - Replaces O(send_email) for this person.
        type: bool
      language:
        description:
          - Replaces O(language) for this person.
        type: str
        choices: [es, en, fr, de, it, zh, pt, ru]
      email_text:
        description:
          - Replaces O(email_text) for this person.
        type: str
      devices:
        description:
          - Replaces O(devices) for this person.
        type: int
      reinvite:
        description:
          - Give this person one valid token even though they have enrolled all their devices, for a lost, wiped or replaced
            device (the vendor's token stays V(DONE) when its device is gone, and the token list does not say the device is gone).
          - It asks for one pending token whatever the enrolled devices, so a re-run keeps that one token and writes nothing.
            Remove it once the person has enrolled the new device, or every later enrollment is followed by a new invitation.
          - A higher O(users[].devices) is the other way to invite a person again.
        type: bool
  state:
    description:
      - V(present) makes sure each person has one valid token; V(absent) revokes their pending tokens on the platform.
    type: str
    choices: [present, absent]
    default: present
  devices:
    description:
      - How many devices each person enrolls on the platform (an iPhone and a Mac are both V(apple)), 0 or more.
      - "A person has enrolled a device when one of their tokens is V(DONE) (a device used it) or V(PROCESSING) (a device is
        enrolling with it). The module keeps O(devices) minus the enrolled devices valid tokens for each person, never fewer
        than 0: a person who enrolled all their devices is V(enrolled), gets no new token and no email, and is left alone."
    type: int
    default: 1
  exclusive:
    description:
      - With O(state=present), also revoke the pending tokens of people not in O(users), but only tokens that carry O(marker_tag).
      - An empty O(users) revokes nothing, even with O(exclusive=true), since an empty list is what a broken inventory or
        source gives. The module warns instead; to revoke everyone's tokens, use O(state=absent) with their emails.
    type: bool
    default: false
  marker_tag:
    description:
      - Tag added to every token this module creates, at most 128 characters. It marks the tokens O(exclusive) may revoke,
        and it is ignored when comparing O(tags) for drift.
    type: str
    default: managed-by:applivery.mdm
  create_users:
    description:
      - Let people without an MDM user get one. The bulk endpoint creates missing users itself where the organization allows
        it; otherwise the module creates them and resends.
      - When V(false), an email with no MDM user fails with a reason and is never sent.
    type: bool
    default: false
  remind_after:
    description:
      - A duration, as seconds or a string such as V(3d). A person whose valid token was made longer ago than this, and
        who has not enrolled, is reminded - a fresh token with O(send_email=true), so that the invitation email goes out
        again, and the old token is revoked once the new one exists, as renewal does. The result's action is
        V(reminded); check mode shows who would be. The new token restarts the window, so a re-run the same day writes
        nothing. People who enrolled are never reminded.
      - The default V(0) sends no reminders.
    type: raw
    default: 0
  chunk_size:
    description:
      - Emails per bulk request, 1 to 1000 (the API's limit).
      - The default comes from measurement (C(make bench), 10,000 new people, 2 cores) - the wall time hardly depends on it
        between 100 and 1000, so 500 halves the requests of 250 while a failed request touches at most 500 people.
    type: int
    default: 500
  confirm_timeout:
    description:
      - Seconds to wait, after the bulk requests, for the tokens they created to appear in the token list. The API may
        answer a bulk request before its job has run.
      - The module lists again with a growing pause (0.5 s, doubling up to 8 s) until every token the answers counted as made
        (C(success)) is visible, or this time has passed. A request answered with success is never resent. A person whose
        token is still not visible is reported V(unconfirmed), not failed; a re-run finds the token and writes nothing.
    type: int
    default: 30
  result_detail:
    description:
      - V(all) returns one RV(results) entry per person, and RV(plan) lists every person.
      - V(changes) leaves out the people whose token was already right, who enrolled (and, with O(state=absent), those with
        nothing to revoke) from RV(results) and RV(plan); RV(summary) still counts everyone. Use it for tens of thousands of people,
        since Ansible's own handling of a module result grows with its size, and costs seconds per 10,000 entries.
    type: str
    choices: [all, changes]
    default: all
  report_path:
    description:
      - Write every person's result (the entries of RV(results) with O(result_detail=all)) as JSON to this file on the
        controller, with mode 0600, since it holds enrollment links. Not written in check mode.
    type: path
  fail_on_error:
    description:
      - When any email failed, fail the task after everything else was applied. RV(results) and RV(summary) are returned either way.
    type: bool
    default: true
  validate_only:
    description:
      - Find every problem a run would stop on before its first write, return them in RV(problems), and write nothing.
      - Runs the checks that need no network, then reads the platform's policies once to resolve the policy names (with a
        suggestion for a name that is close). With O(on_drift=update) on a platform whose tokens cannot be changed in
        place, it also reads the tokens and plans, since that is a problem only when a person there has drift.
      - The task does not fail on the problems it finds. The P(applivery.mdm.device_onboarding#role) role runs it for every
        platform before the first write on any platform, so that a problem anywhere means no write anywhere.
    type: bool
    default: false
seealso:
  - module: applivery.mdm.enrollment_token
  - module: applivery.mdm.enrollment_token_info
notes:
  - Per-email results hold enrollment links and codes. Register the result with care and keep it out of logs; the role
    P(applivery.mdm.device_onboarding#role) writes them to mode 0600 report files.
"""

EXAMPLES = r"""
- name: Everyone in sales gets an Android Enterprise token with the sales policy
  applivery.mdm.enrollment_token_bulk:
    platform: android
    management_mode: DEVICE_OWNER
    policy: Sales Devices
    duration: 7d
    renew_before: 1d
    users:
      - alice@example.com
      - bob@example.com
      - email: carol@example.com
        display_name: Carol (field)
        tags: [field]
  register: onboarding

- name: Apple tokens for an HR export, revoking tokens of people who left
  applivery.mdm.enrollment_token_bulk:
    platform: apple
    users: "{{ lookup('ansible.builtin.file', 'people.txt') | split('\n') | select | list }}"
    create_users: true
    exclusive: true

- name: Plan only (check mode) and show who would get a Windows token
  applivery.mdm.enrollment_token_bulk:
    platform: windows
    users: "{{ windows_people }}"
  check_mode: true
  register: windows_plan

- name: Offboard two people from AOSP
  applivery.mdm.enrollment_token_bulk:
    platform: aosp
    users: [leaver1@example.com, leaver2@example.com]
    state: absent
"""

RETURN = r"""
summary:
  description: Counts per outcome.
  returned: unless O(validate_only=true)
  type: dict
  contains:
    total:
      description: People with a result.
      type: int
    created:
      description: People who got a first token.
      type: int
    unchanged:
      description: People whose token was already right.
      type: int
    renewed:
      description: People whose expired or expiring token was replaced.
      type: int
    reminded:
      description: People pending for longer than O(remind_after) who got a fresh token and the invitation email again.
      type: int
    updated:
      description: People whose Windows token was changed in place.
      type: int
    recreated:
      description: People whose token was replaced because its settings drifted.
      type: int
    revoked:
      description: People whose pending tokens were revoked.
      type: int
    failed:
      description: People with no valid token because of an error; see RV(results).
      type: int
    drift:
      description: People whose token differs from the settings, left as is (O(on_drift=keep)).
      type: int
    absent:
      description: People with nothing to revoke (O(state=absent)).
      type: int
    enrolled:
      description: People who enrolled all their devices and were left alone.
      type: int
    unconfirmed:
      description: People whose bulk request the API accepted but whose token did not appear within O(confirm_timeout).
      type: int
    duplicates_in_input:
      description: Emails that appeared more than once in O(users).
      type: int
  sample: {total: 3, created: 1, unchanged: 2, renewed: 0, reminded: 0, updated: 0, recreated: 0, revoked: 0, failed: 0, unconfirmed: 0,
           drift: 0, enrolled: 0, absent: 0, duplicates_in_input: 0}
results:
  description:
    - One entry per email, sorted by email, including people revoked by O(exclusive). With O(result_detail=changes), only
      the people whose outcome is not V(unchanged), V(enrolled) or V(absent).
    - C(token) holds the enrollment link, code or QR code. Treat it as a secret.
  returned: unless O(validate_only=true)
  type: list
  elements: dict
  contains:
    email:
      description: The email, trimmed and lower-case.
      type: str
    action:
      description: V(created), V(unchanged), V(renewed), V(reminded), V(updated), V(recreated), V(revoked), V(drift), V(enrolled), V(absent),
        V(unconfirmed) or V(failed).
      type: str
    token:
      description:
        - The person's valid token (C(id), C(state), C(expires_at), C(enrollment_link), C(enroll_code), C(qr_code),
          C(qrcode_url), C(device_id)), or null. For V(enrolled), the token of the newest enrolled device.
      type: dict
    error:
      description: Why the person failed or is unconfirmed, or null.
      type: str
    enrolled_devices:
      description:
        - The person's enrolled devices on the platform, as C(token_id), C(device_id), C(state) and C(at) (the token's last change).
        - Only in the entries of people who have enrolled devices.
      type: list
      elements: dict
    revoked:
      description:
        - Ids of the person's tokens this run revoked (in check mode, would revoke), including, with O(revoke_duplicates=true),
          the duplicates next to a token that stays. Only in the entries of people with revoked tokens.
      type: list
      elements: str
plan:
  description: Emails per planned action (create, renew, recreate, update, revoke, fail, drift, enrolled, unchanged, absent).
  returned: unless O(validate_only=true)
  type: dict
  sample: {create: [alice@example.com], unchanged: [bob@example.com]}
duplicates:
  description: Emails that appeared more than once in O(users).
  returned: unless O(validate_only=true)
  type: list
  elements: str
problems:
  description: With O(validate_only=true), every problem found, one sentence each; empty when there is none.
  returned: when O(validate_only=true)
  type: list
  elements: str
  sample: ["policy 'Corporate Standrad' matches no windows policy by id or exact name; did you mean Corporate Standard?"]
api_calls:
  description:
    - Requests this run sent, as C(get) and C(write) counts.
    - A request counts once, however many times it was retried after a 429, a 5xx or a lost connection,
      and only when an answer came back; the API's own request log can therefore hold more.
  returned: always
  type: dict
  sample: {get: 3, write: 1}
msg:
  description: A sentence summing up the run.
  returned: always
  type: str
error:
  description: The API's error, when a read or the whole run failed on one (per-person failures are in RV(results)).
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

from ansible_collections.applivery.mdm.plugins.module_utils._bulk.input import DEFAULT_MARKER, USERS_ITEM_SPEC
from ansible_collections.applivery.mdm.plugins.module_utils._bulk.run import reconcile
from ansible_collections.applivery.mdm.plugins.module_utils._module import AppliveryModule
from ansible_collections.applivery.mdm.plugins.module_utils._platforms import PLATFORM_NAMES
from ansible_collections.applivery.mdm.plugins.module_utils._settings import token_settings_spec


def main():
    spec = token_settings_spec()
    spec.update(
        platform={"type": "str", "required": True, "choices": list(PLATFORM_NAMES)},
        users={"type": "list", "elements": "raw", "required": True, "options": USERS_ITEM_SPEC},
        state={"type": "str", "default": "present", "choices": ["present", "absent"]},
        devices={"type": "int", "default": 1},
        exclusive={"type": "bool", "default": False},
        marker_tag={"type": "str", "default": DEFAULT_MARKER},
        create_users={"type": "bool", "default": False},
        remind_after={"type": "raw", "default": 0},
        chunk_size={"type": "int", "default": 500},
        confirm_timeout={"type": "int", "default": 30},
        result_detail={"type": "str", "default": "all", "choices": ["all", "changes"]},
        report_path={"type": "path"},
        fail_on_error={"type": "bool", "default": True},
        validate_only={"type": "bool", "default": False},
    )
    AppliveryModule(argument_spec=spec).run(reconcile)


if __name__ == "__main__":
    main()
