# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/onboard.yml through ansible-runner, the engine AWX runs job templates with.

Laid out as AWX lays out a job: a project with a playbook that imports applivery.mdm.onboard, an inventory of
people, the credential's environment (rendered from docs/awx/credential_type.yml as AWX renders it), extra vars.
A check job (--check --diff), a run job and a second run job, against the emulator.
"""

from __future__ import annotations

import json
import os
import stat

import ansible_runner
import pytest

from emulator.harness import ADMIN_TOKEN  # pylint: disable=import-error
from system.conftest import BIN, collections_path, people_inventory  # pylint: disable=import-error

PEOPLE = {
    "apple_people": ("apple", ["runner-a1@example.com", "runner-a2@example.com"]),
    "android_people": ("android", ["runner-b1@example.com"]),
    "windows_people": ("windows", ["runner-w1@example.com", "runner-w2@example.com", "runner-w3@example.com"]),
}
BULK_TASK = "Reconcile the enrollment tokens in bulk on %s"


@pytest.fixture
def job(tmp_path, credential_env):
    """A function that runs one AWX-style job of the onboarding playbook and returns the runner result.

    Each job gets a fresh private data directory, as AWX gives each job one: ansible-runner writes the
    command line, the extra vars and the environment (the credential included) into its env/ directory
    and would reuse them on the next run in the same directory.
    """
    envvars = dict(credential_env, ANSIBLE_COLLECTIONS_PATH=collections_path(), ANSIBLE_NOCOLOR="1",
                   PATH=BIN + os.pathsep + os.environ.get("PATH", ""))

    def run_job(ident, cmdline=None, **env):
        private = tmp_path / ident
        (private / "project").mkdir(parents=True)
        (private / "project" / "onboard.yml").write_text(
            "---\n- name: Onboard people to Applivery MDM\n  ansible.builtin.import_playbook: applivery.mdm.onboard\n")
        (private / "inventory").mkdir()
        inventory = people_inventory(str(private / "inventory" / "people.yml"), PEOPLE)
        return ansible_runner.run(private_data_dir=str(private), playbook="onboard.yml", inventory=inventory,
                                  envvars=dict(envvars, **env), extravars={"applivery_onboarding_report_dir": str(tmp_path / "reports")},
                                  cmdline=cmdline, ident=ident, process_isolation=False, quiet=True, timeout=600)

    run_job.reports = tmp_path / "reports"
    return run_job


def events_of(result, kind):
    return [e for e in result.events if e["event"] == kind]


def bulk_ok_events(result):
    """{platform: event_data.res} of the runner_on_ok events of the bulk task."""
    found = {}
    for event in events_of(result, "runner_on_ok"):
        task = event["event_data"].get("task", "")
        for platform in ("android", "aosp", "apple", "windows"):
            if task == BULK_TASK % platform:
                assert platform not in found, "two runner_on_ok events for %s" % platform
                found[platform] = event["event_data"]["res"]
    return found


def assert_no_token_leak(result):
    """The API token is in no event, no stdout; runner's `command` artifact (which holds the env) is 0600."""
    artifacts = os.path.join(result.config.artifact_dir)
    checked = 0
    for base, _dirs, files in os.walk(artifacts):
        for name in files:
            path = os.path.join(base, name)
            if name == "command":
                assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
                continue
            with open(path, encoding="utf-8", errors="replace") as handle:
                assert ADMIN_TOKEN not in handle.read(), "the API token is in %s" % path
            checked += 1
    assert checked > 10, "too few artifact files to prove anything (%d)" % checked
    assert ADMIN_TOKEN not in result.stdout.read()


def test_check_job_then_run_job_then_rerun(emu, job):
    people = dict((platform, sorted(emails)) for platform, emails in PEOPLE.values())

    # AWX job type "check" with "show changes": the plan, no write
    mark = emu.control.last_seq()
    check = job("check", cmdline="--check --diff")
    assert (check.status, check.rc) == ("successful", 0)
    assert emu.control.summary(mark)["writes"] == 0
    planned = bulk_ok_events(check)
    assert sorted(planned) == sorted(people)
    for platform, emails in people.items():
        assert planned[platform]["plan"]["create"] == emails
        assert planned[platform]["changed"] is True
    stdout = open(os.path.join(check.config.artifact_dir, "stdout"), encoding="utf-8").read()
    for platform, emails in people.items():
        lines = stdout.splitlines()
        header = lines.index("+ %s create (%d):" % (platform, len(emails)))
        assert lines[header + 1:header + 1 + len(emails)] == ["+     %s" % email for email in emails]
    assert not job.reports.exists()
    assert_no_token_leak(check)

    # AWX job type "run": one bulk request per platform, reports written
    mark = emu.control.last_seq()
    first = job("run")
    assert (first.status, first.rc) == ("successful", 0)
    log = emu.control.summary(mark)
    assert log["writes"] == len(people) and log["by_method"]["POST"] == len(people)
    done = bulk_ok_events(first)
    assert sorted(done) == sorted(people)
    for platform, emails in people.items():
        assert done[platform]["changed"] is True
        assert done[platform]["summary"]["created"] == len(emails)
        assert done[platform]["api_calls"]["write"] == 1
    stats = events_of(first, "playbook_on_stats")
    assert len(stats) == 1
    assert stats[0]["event_data"]["failures"] == {} and stats[0]["event_data"]["dark"] == {}
    assert stats[0]["event_data"]["changed"] == {"localhost": len(people)}
    assert first.stats["changed"] == {"localhost": len(people)}
    summary = [e for e in events_of(first, "runner_on_ok") if e["event_data"].get("task") == "Summary per platform"]
    assert summary[0]["event_data"]["res"]["msg"] == ["%s: %d %s: %d created" % (p, len(e), "person" if len(e) == 1 else "people", len(e))
                                                      for p, e in sorted(people.items())]

    with open(job.reports / "onboarding.json", encoding="utf-8") as handle:
        rows = json.load(handle)
    assert sorted((r["platform"], r["email"]) for r in rows) == sorted((p, e) for p, emails in people.items() for e in emails)
    assert set(r["action"] for r in rows) == {"created"}
    tokens = dict(((r["platform"], r["email"]), r["token_id"]) for r in rows)
    for platform, emails in people.items():
        state = emu.control.state_tokens("acme", platform)
        pending = dict((t["mdmUser"]["email"], t["id"]) for t in state if (t.get("status") or t.get("state")) == "PENDING" and "mdmUser" in t)
        for email in emails:
            assert pending[email] == tokens[(platform, email)]
    for name in ("onboarding.json", "onboarding.csv"):
        assert stat.S_IMODE(os.stat(job.reports / name).st_mode) == 0o600
        assert ADMIN_TOKEN not in (job.reports / name).read_text()
    assert_no_token_leak(first)

    # the same job again: nothing to do
    mark = emu.control.last_seq()
    again = job("rerun")
    assert (again.status, again.rc) == ("successful", 0)
    assert emu.control.summary(mark)["writes"] == 0
    assert all(res["changed"] is False for res in bulk_ok_events(again).values())
    assert sum(again.stats["changed"].values()) == 0
    with open(job.reports / "onboarding.json", encoding="utf-8") as handle:
        assert dict(((r["platform"], r["email"]), r["token_id"]) for r in json.load(handle)) == tokens


def test_failed_job_is_reported_as_failed(emu, job):
    """A job whose credential the API refuses fails as AWX shows it (status failed, a runner_on_failed event
    on the bulk task), before anything is written, and the refused token is not echoed."""
    mark = emu.control.last_seq()
    bad = job("bad-token", APPLIVERY_API_TOKEN="not-a-valid-token")
    assert (bad.status, bad.rc) == ("failed", 2)
    failed = events_of(bad, "runner_on_failed")
    assert len(failed) == 1
    assert failed[0]["event_data"]["task"] == BULK_TASK % "android"
    assert "4004" in json.dumps(failed[0]["event_data"]["res"]) or "401" in json.dumps(failed[0]["event_data"]["res"])
    assert "not-a-valid-token" not in bad.stdout.read()
    assert emu.control.summary(mark)["writes"] == 0
    # the reports say what happened, even after a failure (issue 12): here, that the platform failed
    with open(job.reports / "onboarding.json", encoding="utf-8") as handle:
        rows = json.load(handle)
    assert [(r["platform"], r["action"]) for r in rows] == [("android", "failed")] and "not-a-valid-token" not in json.dumps(rows)
