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
    page size (100), not with the number of emails.
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
        options are, before any request, and an error names the item and the setting, for example C(users[3].duration).
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
  state:
    description:
      - V(present) makes sure each person has one valid token; V(absent) revokes their pending tokens on the platform.
    type: str
    choices: [present, absent]
    default: present
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
  chunk_size:
    description:
      - Emails per bulk request, 1 to 1000 (the API's limit).
      - The default comes from measurement (C(make bench), 10,000 new people, 2 cores) - the wall time hardly depends on it
        between 100 and 1000, so 500 halves the requests of 250 while a failed request touches at most 500 people.
    type: int
    default: 500
  result_detail:
    description:
      - V(all) returns one RV(results) entry per person, and RV(plan) lists every person.
      - V(changes) leaves out the people whose token was already right (and, with O(state=absent), those with nothing to
        revoke) from RV(results) and RV(plan); RV(summary) still counts everyone. Use it for tens of thousands of people,
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
  returned: always
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
    duplicates_in_input:
      description: Emails that appeared more than once in O(users).
      type: int
  sample: {total: 3, created: 1, unchanged: 2, renewed: 0, updated: 0, recreated: 0, revoked: 0, failed: 0, drift: 0, absent: 0,
           duplicates_in_input: 0}
results:
  description:
    - One entry per email, sorted by email, including people revoked by O(exclusive). With O(result_detail=changes), only
      the people whose outcome is not V(unchanged) or V(absent).
    - C(token) holds the enrollment link, code or QR code. Treat it as a secret.
  returned: always
  type: list
  elements: dict
  contains:
    email:
      description: The email, trimmed and lower-case.
      type: str
    action:
      description: V(created), V(unchanged), V(renewed), V(updated), V(recreated), V(revoked), V(drift), V(absent) or V(failed).
      type: str
    token:
      description: The person's valid token (C(id), C(state), C(expires_at), C(enrollment_link), C(enroll_code), C(qr_code)), or null.
      type: dict
    error:
      description: Why the person failed, or null.
      type: str
plan:
  description: Emails per planned action (create, renew, recreate, update, revoke, fail, drift, unchanged, absent).
  returned: always
  type: dict
  sample: {create: [alice@example.com], unchanged: [bob@example.com]}
duplicates:
  description: Emails that appeared more than once in O(users).
  returned: always
  type: list
  elements: str
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

import json
import os

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.applivery.mdm.plugins.module_utils._bulk.run import (
    DEFAULT_MARKER,
    ITEM_SETTINGS,
    MAX_CHUNK,
    SUMMARY_KEYS,
    BulkRun,
    InputError,
    check_marker,
    diff_text,
    item_checker,
    parse_users,
)
from ansible_collections.applivery.mdm.plugins.module_utils._module import AppliveryModule
from ansible_collections.applivery.mdm.plugins.module_utils._platforms import PLATFORM_NAMES, get_platform
from ansible_collections.applivery.mdm.plugins.module_utils._settings import check_reconcile, check_settings, token_settings_spec


def users_item_spec():
    """The keys of a ``users`` item: the email, and the token options an item may set, spelled as the options are.

    It is the ``options`` of ``users`` in the argument spec, so that the sanity tests hold it to the documented
    suboptions. Ansible does not apply it to a list of raw elements (an item may be a plain email): convert_item
    applies it to each dict item. No defaults: an item that leaves a setting out takes the module option's value.
    """
    settings = token_settings_spec()
    spec = {"email": {"type": "str", "required": True}}
    for name in ITEM_SETTINGS:
        spec[name] = dict((key, value) for key, value in settings[name].items() if key != "default")
    return spec


USERS_ITEM_SPEC = users_item_spec()


def convert_item(own, where):
    """An item's own settings, converted and checked by Ansible's argument-spec validation, as the options are."""
    result = ArgumentSpecValidator(dict((name, USERS_ITEM_SPEC[name]) for name in own)).validate(dict(own))
    converted = dict((name, value) for name, value in result.validated_parameters.items() if name in own and value is not None)
    return converted, ["%s: %s" % (where, message) for message in result.error_messages]


def check_input(params):
    platform = get_platform(params["platform"])
    # An item's settings are checked for the platform only with state=present, like the options.
    check = item_checker(params, platform) if params["state"] == "present" else None
    entries, duplicates, problems = parse_users(params["users"], platform.display_name_max, convert=convert_item, check=check)
    if params["state"] == "present":
        problems.extend(check_settings(params, platform))
        problems.extend(check_reconcile(params, platform))
    problems.extend(check_marker(params["marker_tag"]))
    if not 1 <= params["chunk_size"] <= MAX_CHUNK:
        problems.append("chunk_size must be between 1 and %d, got %d" % (MAX_CHUNK, params["chunk_size"]))
    return platform, entries, duplicates, problems


# Outcomes and planned actions that change nothing; result_detail=changes leaves them out.
QUIET_OUTCOMES = ("unchanged", "absent")
QUIET_ACTIONS = ("unchanged", "absent")


def write_report(path, results):
    """Every person's result as JSON, in a file only its owner can read: it holds enrollment links."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(results, handle, indent=1, sort_keys=True)


# An empty users list is what a broken inventory or an empty source gives: never a reason to revoke a whole platform.
EMPTY_EXCLUSIVE_WARNING = (
    "users is empty, so nothing was revoked on %s: exclusive never revokes every marked token because of an empty list. "
    "To revoke everyone's tokens, run with state=absent and their emails in users.")


def nothing_to_do(module, platform):
    """The result for an empty ``users``: no request, no change."""
    if module.params["exclusive"] and module.params["state"] == "present":
        module.warn(EMPTY_EXCLUSIVE_WARNING % platform.name)
    if module.params["report_path"] and not module.check_mode:
        write_report(module.params["report_path"], [])
    summary = dict((key, 0) for key in SUMMARY_KEYS)
    summary["duplicates_in_input"] = 0
    return {
        "changed": False,
        "summary": summary,
        "results": [],
        "plan": {},
        "duplicates": [],
        "api_calls": {"get": 0, "write": 0},
        "diff": {"prepared": diff_text({}, platform.name)},
        "msg": "%s: users is empty, nothing to do" % platform.name,
    }


def reconcile(module):
    platform, entries, duplicates, problems = check_input(module.params)
    if problems:
        module.fail_json(msg="; ".join(problems))
    if not entries:
        return nothing_to_do(module, platform)
    run = BulkRun(module.client, platform, module.params, entries)
    try:
        run.read()
        run.plan()
    except InputError as error:
        module.fail_json(msg=str(error))
    by_action = run.plan_by_action()
    if module.check_mode:
        changed = run.plan_changes
    else:
        run.apply()
        changed = run.applied_changes  # what happened, not what was planned: a run whose every write failed changed nothing
    results, summary = run.results(module.check_mode)
    summary["duplicates_in_input"] = len(duplicates)
    if module.params["report_path"] and not module.check_mode:
        write_report(module.params["report_path"], results)
    if module.params["result_detail"] == "changes":
        results = [r for r in results if r["action"] not in QUIET_OUTCOMES]
        by_action = dict((a, emails) for a, emails in by_action.items() if a not in QUIET_ACTIONS)
    counts = ", ".join("%d %s" % (summary[k], k) for k in summary if k not in ("total", "duplicates_in_input") and summary[k])
    result = {
        "changed": changed,
        "summary": summary,
        "results": results,
        "plan": by_action,
        "duplicates": duplicates,
        "api_calls": {"get": module.client.reads, "write": module.client.writes},
        "diff": {"prepared": diff_text(by_action, platform.name)},
        "msg": "%s: %d people%s%s" % (
            platform.name, summary["total"], ": " + counts if counts else "", " (check mode: nothing was written)" if module.check_mode else ""),
    }
    if summary["failed"] and module.params["fail_on_error"]:
        failed = [r["email"] for r in results if r["action"] == "failed"]
        reasons = sorted(set(r["error"] for r in results if r["action"] == "failed"))
        result["msg"] = "%d of %d people failed (%s%s): %s; %s" % (
            len(failed), summary["total"], ", ".join(failed[:10]), ", ..." if len(failed) > 10 else "",
            " | ".join(reasons[:3]), result["msg"])
        module.fail_json(**result)
    return result


def main():
    spec = token_settings_spec()
    spec.update(
        platform={"type": "str", "required": True, "choices": list(PLATFORM_NAMES)},
        users={"type": "list", "elements": "raw", "required": True, "options": USERS_ITEM_SPEC},
        state={"type": "str", "default": "present", "choices": ["present", "absent"]},
        exclusive={"type": "bool", "default": False},
        marker_tag={"type": "str", "default": DEFAULT_MARKER},
        create_users={"type": "bool", "default": False},
        chunk_size={"type": "int", "default": 500},
        result_detail={"type": "str", "default": "all", "choices": ["all", "changes"]},
        report_path={"type": "path"},
        fail_on_error={"type": "bool", "default": True},
    )
    AppliveryModule(argument_spec=spec).run(reconcile)


if __name__ == "__main__":
    main()
