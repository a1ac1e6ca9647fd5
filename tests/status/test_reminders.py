"""Reminders in the onboarding role against the emulator: applivery_onboarding_remind_after reminds exactly the people
pending longer than the window (a fresh token with the invitation email, the old one revoked once the new exists),
never enrolled people; check mode shows who would be reminded and writes nothing; a re-run the same day writes nothing.
"""

from __future__ import annotations

import json
import os
import subprocess

from emulator.harness import ADMIN_TOKEN
from reliability.helpers import ACME, ANSIBLE_PLAYBOOK, base_env

MARKER = "managed-by:applivery.mdm"
DAY = 86400
PEOPLE = [{"email": e, "platform": "apple"} for e in ("rm-late@example.com", "rm-fresh@example.com", "rm-enrolled@example.com")]


def onboard(workdir, url, args=()):
    os.makedirs(workdir, exist_ok=True)
    variables = {"applivery_api_url": url, "applivery_api_token": ADMIN_TOKEN, "applivery_organization": ACME,
                 "applivery_onboarding_users": PEOPLE, "applivery_onboarding_remind_after": "3d",
                 "applivery_onboarding_report_dir": os.path.join(workdir, "reports")}
    cmd = [ANSIBLE_PLAYBOOK, "applivery.mdm.onboard", "-e", json.dumps(variables), "--diff"] + list(args)
    return subprocess.run(cmd, cwd=workdir, env=base_env({"PWD": workdir}), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=600, check=False)


def writes(ctl, since):
    return [e for e in ctl.requests(since)["items"] if e["method"] in ("POST", "PUT", "PATCH", "DELETE")]


def test_reminders_exactly_for_people_pending_longer_than_the_window(emulator, tmp_path):
    ctl = emulator.control
    ctl.reset()
    ids = ctl.inject_tokens(ACME, "apple", [
        {"email": "rm-late@example.com", "tags": [MARKER], "duration": 30 * DAY, "createdOffsetSeconds": -4 * DAY},
        {"email": "rm-fresh@example.com", "tags": [MARKER], "duration": 30 * DAY, "createdOffsetSeconds": -DAY},
        {"email": "rm-enrolled@example.com", "tags": [MARKER], "duration": 30 * DAY, "createdOffsetSeconds": -9 * DAY},
    ])
    ctl.enroll_token(ACME, "apple", ids[2], device_id="c" * 24)

    seq = ctl.last_seq()
    check = onboard(str(tmp_path / "check"), emulator.url, args=("--check",))
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-2000:]
    assert writes(ctl, seq) == []
    planned = [line for line in check.stdout.splitlines() if "remind" in line]
    assert planned and all("rm-fresh" not in line and "rm-enrolled" not in line for line in planned), planned
    assert any("rm-late@example.com" in line for line in check.stdout.splitlines() if "remind" in line or line.startswith("~"))

    seq = ctl.last_seq()
    run = onboard(str(tmp_path / "run"), emulator.url)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    done = writes(ctl, seq)
    assert [(w["method"], "bulk" in w["path"]) for w in done] == [("POST", True), ("DELETE", False)], done
    assert done[1]["path"].endswith(ids[0])
    with open(tmp_path / "run" / "reports" / "onboarding.json", encoding="utf-8") as handle:
        actions = dict((r["email"], r["action"]) for r in json.load(handle))
    assert actions == {"rm-late@example.com": "reminded", "rm-fresh@example.com": "unchanged", "rm-enrolled@example.com": "enrolled"}
    late = ctl.state_tokens(ACME, "apple", email="rm-late@example.com")
    states = sorted((t.get("state"), t.get("sendEmail")) for t in late)
    assert states == [("DELETED", False), ("PENDING", True)], states  # the fresh token went out with the email

    seq = ctl.last_seq()
    again = onboard(str(tmp_path / "again"), emulator.url)
    assert again.returncode == 0 and writes(ctl, seq) == [], again.stdout[-3000:]
