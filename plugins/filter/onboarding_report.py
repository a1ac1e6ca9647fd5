# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: onboarding_report
short_description: Flatten registered enrollment_token_bulk runs into one report row per person and platform
version_added: 0.1.0
author:
  - applivery.mdm contributors (@applivery-mdm)
description:
  - Takes the C(results) of a looped, registered M(applivery.mdm.enrollment_token_bulk) task and returns one row per
    person and platform, sorted by platform then email, for the onboarding report files.
  - The rows hold enrollment links and codes. Write them only to files with mode 0600.
options:
  _input:
    description: The C(results) list of the registered loop.
    type: list
    elements: dict
    required: true
  platform_key:
    description: The loop variable that holds each iteration's platform.
    type: str
    default: __applivery_platform
"""

EXAMPLES = r"""
- name: Rows for the report
  ansible.builtin.set_fact:
    rows: "{{ bulk_runs.results | applivery.mdm.onboarding_report(platform_key='platform') }}"
"""

RETURN = r"""
_value:
  description:
    - Rows with C(email), C(platform), C(action), C(token_id), C(expires_at), C(enrollment) (the link, else the code,
      else the QR payload) and C(error).
  type: list
  elements: dict
"""

COLUMNS = ("email", "platform", "action", "token_id", "expires_at", "enrollment", "error")


def onboarding_report(runs, platform_key="__applivery_platform"):
    rows = []
    for run in runs or []:
        platform = run.get(platform_key) or (run.get("invocation") or {}).get("module_args", {}).get("platform")
        if run.get("skipped"):
            continue
        for entry in run.get("results") or []:
            token = entry.get("token") or {}
            rows.append({
                "email": entry.get("email"),
                "platform": platform,
                "action": entry.get("action"),
                "token_id": token.get("id"),
                "expires_at": token.get("expires_at"),
                "enrollment": token.get("enrollment_link") or token.get("enroll_code") or token.get("qr_code"),
                "error": entry.get("error"),
            })
        if run.get("failed") and not run.get("results"):
            row = dict((c, None) for c in COLUMNS)
            row.update(platform=platform, action="failed", error=run.get("msg"))
            rows.append(row)
    return sorted(rows, key=lambda r: (r["platform"] or "", r["email"] or ""))


class FilterModule:
    """applivery.mdm filters."""

    def filters(self):
        return {"onboarding_report": onboarding_report}
