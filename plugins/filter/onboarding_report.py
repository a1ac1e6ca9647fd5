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
    description:
      - The loop variable that holds each iteration's platform. Runs without it take the platform from their
        C(invocation), so the registered results of separate, not looped, tasks work too.
    type: str
    default: __applivery_platform
  output:
    description:
      - V(rows) returns the rows. V(json) and V(csv) return the text of the report file, made in Python (a Jinja
        template of 10,000 rows takes tens of seconds); the CSV has a header row and quotes only where needed.
      - V(files) returns both texts and the failed rows in one pass, as C({json, csv, failed, failed_lines, drift_lines, messages, total}),
        where C(failed_lines) has one line per platform and distinct error, with the people it hit, and C(drift_lines) the
        plan lines of the platforms that changed nothing but have drift (a diff the default callback does not print), and
        C(messages) each run's C(msg), starting with its platform. Each pass
        over registered results reads every value through Ansible's templating, so one pass is much faster
        than three.
    type: str
    choices: [rows, json, csv, files]
    default: rows
"""

EXAMPLES = r"""
- name: Rows for the report
  ansible.builtin.set_fact:
    rows: "{{ bulk_runs.results | applivery.mdm.onboarding_report(platform_key='platform') }}"

- name: The CSV report, mode 0600
  ansible.builtin.copy:
    dest: reports/onboarding.csv
    content: "{{ bulk_runs.results | applivery.mdm.onboarding_report(platform_key='platform', output='csv') }}"
    mode: "0600"
"""

RETURN = r"""
_value:
  description:
    - Rows with C(email), C(platform), C(action), C(token_id), C(expires_at), C(enrollment) (the link, else the code,
      else the QR payload; empty for a person who V(enrolled)), C(enrolled_devices) (the person's enrolled device ids,
      separated by C(;)) and C(error).
    - With O(output=json) or O(output=csv), the text of the report file instead; with O(output=files), a dict
      with C(json) and C(csv) (the texts), C(failed) (the rows whose action is V(failed)), C(failed_lines) (one line per
      platform and distinct error, with the people it hit), C(drift_lines), C(messages) and C(total) (the number of rows).
  type: raw
"""

import json

from ansible.errors import AnsibleFilterError

from ansible_collections.applivery.mdm.plugins.module_utils._csv import csv_text as rows_csv

COLUMNS = ("email", "platform", "action", "token_id", "expires_at", "enrollment", "enrolled_devices", "error")


def _json_text(rows):
    return json.dumps(rows, indent=4, sort_keys=True) + "\n"


def _csv_text(rows):
    return rows_csv(COLUMNS, rows)


def run_platform(run, platform_key="__applivery_platform"):
    """The platform of a registered run: its loop or task variable, else its invocation's platform."""
    return run.get(platform_key) or (run.get("invocation") or {}).get("module_args", {}).get("platform")


def failed_lines(failed, shown=5):
    """One line per platform and distinct error, with the people it hit: a quota error for 20 people is one line."""
    groups = {}
    for row in failed:
        groups.setdefault((row["platform"] or "", row["error"] or "failed"), []).append(row["email"])
    lines = []
    for (platform, error), emails in sorted(groups.items()):
        emails = [e for e in emails if e]
        who = ""
        if emails:
            who = " (%d %s: %s%s)" % (len(emails), "person" if len(emails) == 1 else "people", ", ".join(emails[:shown]),
                                      ", ..." if len(emails) > shown else "")
        lines.append("%s: %s%s" % (platform, error, who))
    return lines


def onboarding_report(runs, platform_key="__applivery_platform", output="rows"):
    if output not in ("rows", "json", "csv", "files"):
        raise AnsibleFilterError("onboarding_report: output must be rows, json, csv or files, got %r" % (output,))
    rows = []
    drift = []
    messages = []
    for run in runs or []:
        platform = run_platform(run, platform_key)
        if run.get("skipped"):
            continue
        if run.get("msg"):
            messages.append(run["msg"] if run["msg"].startswith("%s: " % platform) else "%s: %s" % (platform, run["msg"]))
        if not run.get("changed") and (run.get("plan") or {}).get("drift"):
            drift.extend(line for line in ((run.get("diff") or {}).get("prepared") or "").splitlines() if line.strip())
        for entry in run.get("results") or []:
            token = entry.get("token") or {}
            devices = [d.get("device_id") or d.get("token_id") for d in entry.get("enrolled_devices") or []]
            if entry.get("action") == "enrolled":
                token = dict(token, enrollment_link=None, enroll_code=None, qr_code=None)  # a used token enrolls nothing more
            rows.append({
                "email": entry.get("email"),
                "platform": platform,
                "action": entry.get("action"),
                "token_id": token.get("id"),
                "expires_at": token.get("expires_at"),
                "enrollment": token.get("enrollment_link") or token.get("enroll_code") or token.get("qr_code"),
                "enrolled_devices": ";".join(d for d in devices if d) or None,
                "error": entry.get("error"),
            })
        if run.get("failed") and not run.get("results"):
            row = dict((c, None) for c in COLUMNS)
            row.update(platform=platform, action="failed", error=run.get("msg"))
            rows.append(row)
    rows.sort(key=lambda r: (r["platform"] or "", r["email"] or ""))
    if output == "json":
        return _json_text(rows)
    if output == "csv":
        return _csv_text(rows)
    if output == "files":
        failed = [r for r in rows if r["action"] == "failed"]
        return {"json": _json_text(rows), "csv": _csv_text(rows), "failed": failed, "failed_lines": failed_lines(failed),
                "drift_lines": drift, "messages": messages, "total": len(rows)}
    return rows


class FilterModule:
    """applivery.mdm filters."""

    def filters(self):
        return {"onboarding_report": onboarding_report}
