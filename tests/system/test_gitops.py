# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The GitOps example pipeline (docs/examples/gitops-pipeline.yml), run for real against the emulator.

The `run:` scripts of its plan, show and apply steps are taken from the workflow file and run with bash as
GitHub Actions runs them (bash -e -o pipefail), in a directory that holds a test inventory.yml, with the
workflow's APPLIVERY_* variables pointing at the emulator. Starting from an applied inventory, the inventory
changes (people added, people removed with exclusive, one token expired by advancing the clock); then the
plan's diff lines must list exactly what the apply then does, according to its report and the emulator.
"""

from __future__ import annotations

import json
import os
import re

import pytest
import yaml

from emulator.harness import ADMIN_TOKEN  # pylint: disable=import-error
from system.conftest import ORGANIZATION, ROOT, ansible_env, people_inventory, run  # pylint: disable=import-error

WORKFLOW = os.path.join(ROOT, "docs", "examples", "gitops-pipeline.yml")
# the plan of one platform and action: a header with the count, then one line per person (issue 12); a platform whose
# only news is drift is printed by the role's debug task, in quotes
PLAN_HEADER = re.compile(r'^ *"?([-+~!?]) (android|aosp|apple|windows) ([a-z]+) \((\d+)\):"?,?$')
PLAN_PERSON = re.compile(r'^ *"?([-+~!?]) {5}([^ :",]+)')
# report action -> plan action
PLANNED_AS = {"created": "create", "renewed": "renew", "recreated": "recreate", "updated": "update", "revoked": "revoke",
              "failed": "fail"}
SYMBOLS = {"create": "+", "renew": "~", "recreate": "~", "update": "~", "revoke": "-", "fail": "!", "drift": "?"}

# Repository-wide settings live in the inventory too, so that they are reviewed like the people:
# exclusive (people removed from the file lose their tokens) and Windows tokens of 2 hours.
SETTINGS = {
    "applivery_onboarding_exclusive": True,
    "applivery_onboarding_platforms": {
        "android": {"management_mode": "DEVICE_OWNER"},
        "apple": {},
        "windows": {"duration": "2h"},
        "aosp": {"management_mode": "DEVICE_OWNER"},
    },
}
BEFORE = {
    "apple_people": ("apple", ["git-a1@example.com", "git-a2@example.com", "git-a3@example.com"]),
    "android_people": ("android", ["git-b1@example.com", "git-b2@example.com"]),
    "windows_people": ("windows", ["git-w1@example.com"]),
}
# the pull request: git-a4, git-a5 and git-b3 join; git-a2 and git-b2 leave
AFTER = {
    "apple_people": ("apple", ["git-a1@example.com", "git-a3@example.com", "git-a4@example.com", "git-a5@example.com"]),
    "android_people": ("android", ["git-b1@example.com", "git-b3@example.com"]),
    "windows_people": ("windows", ["git-w1@example.com"]),
}


def workflow_steps():
    with open(WORKFLOW, encoding="utf-8") as handle:
        workflow = yaml.safe_load(handle)
    steps = {}
    for job_name, job in workflow["jobs"].items():
        for step in job["steps"]:
            if "id" in step:
                steps[step["id"]] = dict(step, job=job_name)
    return workflow, steps


def parse_plan(text):
    """{(platform, action): [emails]} from the plan lines of a log, checking each header's count."""
    plan = {}
    counts = {}
    current = None
    for line in text.splitlines():
        header = PLAN_HEADER.match(line)
        person = PLAN_PERSON.match(line)
        if header:
            symbol, platform, action, count = header.groups()
            assert SYMBOLS[action] == symbol, line
            assert (platform, action) not in plan, "two headers for %s %s" % (platform, action)
            current = (platform, action, symbol)
            plan[(platform, action)] = []
            counts[(platform, action)] = int(count)
        elif person and current and person.group(1) == current[2]:
            plan[current[:2]].append(person.group(2))
        else:
            current = None
    for key, emails in plan.items():
        assert len(emails) == counts.get(key), "%s %s: %d people under a header that says %s" % (key + (len(emails), counts.get(key)))
    return plan


@pytest.fixture
def pipeline(emu, tmp_path):
    """A function that runs one step of the workflow in the checkout directory; returns (output, summary)."""
    workflow, steps = workflow_steps()
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    secrets = {"vars.APPLIVERY_API_URL": emu.url, "vars.APPLIVERY_ORGANIZATION": ORGANIZATION, "secrets.APPLIVERY_API_TOKEN": ADMIN_TOKEN}
    env = {}
    for name, value in workflow["env"].items():
        expression = re.fullmatch(r"\$\{\{ *([a-zA-Z_.]+) *\}\}", str(value))
        env[name] = secrets[expression.group(1)] if expression else str(value)

    def step(step_id):
        summary = tmp_path / ("summary-%s.md" % step_id)
        summary.write_text("")
        script = steps[step_id]["run"]
        result = run(["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", script], cwd=str(checkout),
                     env=ansible_env(dict(env, GITHUB_STEP_SUMMARY=str(summary), RUNNER_TEMP=str(runner_temp))))
        output = result.stdout + result.stderr
        assert result.returncode == 0, "step %s failed:\n%s" % (step_id, output[-4000:])
        assert ADMIN_TOKEN not in output + summary.read_text()
        return result.stdout, summary.read_text()

    step.inventory = str(checkout / "inventory.yml")
    step.reports = runner_temp / "applivery-reports"
    return step


def test_workflow_shape():
    workflow, steps = workflow_steps()
    assert set(workflow["on"]) == {"pull_request", "push"}
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert workflow["env"]["APPLIVERY_API_TOKEN"].startswith("${{ secrets."), "the token must come from a secret"
    assert steps["plan"]["job"] == steps["show"]["job"] == "plan"
    assert workflow["jobs"]["plan"]["if"] == "github.event_name == 'pull_request'"
    assert steps["apply"]["job"] == "apply" and "push" in workflow["jobs"]["apply"]["if"]
    assert "ansible-playbook applivery.mdm.onboard -i inventory.yml --check --diff" in steps["plan"]["run"]
    assert "--check" not in steps["apply"]["run"]
    assert "ansible-playbook applivery.mdm.onboard -i inventory.yml" in steps["apply"]["run"]


def test_guide_shows_the_pipeline_commands():
    _workflow, steps = workflow_steps()
    with open(os.path.join(ROOT, "docs", "docsite", "rst", "guide_gitops.rst"), encoding="utf-8") as handle:
        guide = handle.read()
    shown = [line.strip()[2:] for line in guide.splitlines() if line.strip().startswith("$ ansible-playbook")]
    assert len(shown) == 2
    assert shown[0] in steps["plan"]["run"]
    assert shown[1].split(" -e ")[0] in steps["apply"]["run"] and "applivery_onboarding_report_dir" in steps["apply"]["run"]


def test_plan_lists_exactly_what_apply_does(emu, pipeline):
    # main as it is: applied
    people_inventory(pipeline.inventory, BEFORE, SETTINGS)
    pipeline("apply")
    with open(pipeline.reports / "onboarding.json", encoding="utf-8") as handle:
        before = dict(((r["platform"], r["email"]), r) for r in json.load(handle))
    assert set(r["action"] for r in before.values()) == {"created"} and len(before) == 6

    # the pull request, and 3 hours later (past the 2 h of the Windows token)
    people_inventory(pipeline.inventory, AFTER, SETTINGS)
    emu.control.advance(3 * 3600)

    mark = emu.control.last_seq()
    plan_log, _summary = pipeline("plan")
    _out, shown = pipeline("show")
    assert emu.control.summary(mark)["writes"] == 0, "the plan wrote to Applivery"
    plan = parse_plan(plan_log)
    assert parse_plan(shown) == plan, "the step summary does not show the plan"
    assert plan == {
        ("apple", "create"): ["git-a4@example.com", "git-a5@example.com"],
        ("apple", "revoke"): ["git-a2@example.com"],
        ("android", "create"): ["git-b3@example.com"],
        ("android", "revoke"): ["git-b2@example.com"],
        ("windows", "renew"): ["git-w1@example.com"],
    }

    # merged: apply
    mark = emu.control.last_seq()
    _out, applied_summary = pipeline("apply")
    assert emu.control.summary(mark)["writes"] > 0
    with open(pipeline.reports / "onboarding.json", encoding="utf-8") as handle:
        rows = json.load(handle)
    done = {}
    for row in rows:
        if row["action"] != "unchanged":
            done.setdefault((row["platform"], PLANNED_AS[row["action"]]), []).append(row["email"])
    assert dict((key, sorted(emails)) for key, emails in done.items()) == plan
    # aosp is configured but has nobody: the bulk module does nothing there ("users is empty"), so no summary line
    assert applied_summary.splitlines()[2:] == [
        "- android: 3 people: 1 created, 1 revoked, 1 unchanged",
        "- apple: 5 people: 2 created, 1 revoked, 2 unchanged",
        "- windows: 1 person: 1 renewed",
    ], applied_summary

    # ...and the emulator agrees, token by token
    report = dict(((r["platform"], r["email"]), r) for r in rows)
    for platform in ("apple", "android", "windows"):
        tokens = emu.control.state_tokens(ORGANIZATION, platform)
        pending = {}
        for token in tokens:
            if (token.get("status") or token.get("state")) == "PENDING" and token.get("mdmUser", {}).get("email", "").startswith("git-"):
                pending.setdefault(token["mdmUser"]["email"], []).append(token["id"])
        by_id = dict((t["id"], t) for t in tokens)
        for (row_platform, action), emails in plan.items():
            if row_platform != platform:
                continue
            for email in emails:
                if action == "revoke":
                    assert email not in pending
                    old = by_id[before[(platform, email)]["token_id"]]
                    assert (old.get("status") or old.get("state")) == "DELETED"
                else:
                    assert pending[email] == [report[(platform, email)]["token_id"]]
                    if action == "renew":
                        assert report[(platform, email)]["token_id"] != before[(platform, email)]["token_id"]
        # people the plan left alone kept the token they had
        for email in [e for group, (p, emails) in AFTER.items() if p == platform for e in emails]:
            if not any(email in emails for (p, _a), emails in plan.items() if p == platform):
                assert pending[email] == [before[(platform, email)]["token_id"]]

    # and a plan of the merged state is empty
    mark = emu.control.last_seq()
    plan_log, _summary = pipeline("plan")
    _out, shown = pipeline("show")
    assert parse_plan(plan_log) == {}
    assert "nothing to change" in shown
    assert emu.control.summary(mark)["writes"] == 0
