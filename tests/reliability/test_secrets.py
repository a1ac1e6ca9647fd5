"""Secrets: no API token anywhere a run leaves output; enrollment links only in results and reports, never in a diff.

Every module and the role run at -vvvv with --diff, twice: with ansible-playbook (stdout, stderr,
ANSIBLE_LOG_PATH, the junit and tree callbacks, the registered results, the report files, Ansible's
temporary directories) and with ansible-runner (its artifacts: stdout, job events as JSON, command).
The token is given as a module option from a vars file (the case -vvvv would print if no_log failed),
and a Viewer token and a wrong token are used on failing tasks, whose errors print the invocation.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import time

import pytest

from emulator.harness import ADMIN_TOKEN, VIEWER_TOKEN
from reliability.helpers import ACME, BIN_DIR, base_env, build_playbook, run_playbook

WRONG_TOKEN = "applivery-wrong-token-0f9e8d7c6b5a"
SECRETS = (ADMIN_TOKEN, VIEWER_TOKEN, WRONG_TOKEN)
LINK_RE = re.compile(r"https://mdm\.emulator\.applivery\.invalid/[^\s\"'\\]+")
INPUT_FILES = ("playbook.yml", "secrets.yml")


def _tasks(url):
    conn = {"api_url": url, "api_token": "{{ applivery_api_token }}", "organization": ACME}
    single = dict(conn, platform="apple", user_email="secret-single@example.com", create_user=True, display_name="Secret single")
    return [
        {"name": "single: create", "applivery.mdm.enrollment_token": single},
        {"name": "single: unchanged", "applivery.mdm.enrollment_token": single},
        {"name": "single: recreate on drift", "applivery.mdm.enrollment_token": dict(single, display_name="Renamed", on_drift="recreate")},
        {"name": "single: revoke", "applivery.mdm.enrollment_token": dict(conn, platform="windows", user_email="bob@example.com", state="absent")},
        {"name": "bulk: create", "applivery.mdm.enrollment_token_bulk": dict(
            conn, platform="android", management_mode="DEVICE_OWNER", create_users=True, users=["secret-%d@example.com" % i for i in range(5)])},
        {"name": "bulk: exclusive revoke", "applivery.mdm.enrollment_token_bulk": dict(
            conn, platform="android", management_mode="DEVICE_OWNER", exclusive=True, users=["secret-0@example.com"])},
        {"name": "info", "applivery.mdm.enrollment_token_info": dict(conn, platform="android", user_email=["secret-0@example.com", "alice@example.com"])},
        {"name": "viewer token on a write", "ignore_errors": True,
         "applivery.mdm.enrollment_token": dict(conn, platform="apple", user_email="dave@example.com", api_token="{{ applivery_viewer_token }}")},
        {"name": "wrong token", "ignore_errors": True,
         "applivery.mdm.enrollment_token_bulk": dict(conn, platform="apple", users=["x@example.com"], api_token="{{ applivery_wrong_token }}")},
    ]


def _write_inputs(workdir, url):
    os.makedirs(workdir, exist_ok=True)
    with open(os.path.join(workdir, "secrets.yml"), "w", encoding="utf-8") as handle:
        json.dump({"applivery_api_token": ADMIN_TOKEN, "applivery_viewer_token": VIEWER_TOKEN, "applivery_wrong_token": WRONG_TOKEN}, handle)
    modules_play = build_playbook(_tasks(url))[0]
    modules_play["vars_files"] = [os.path.join(workdir, "secrets.yml")]
    role_play = {"name": "role", "hosts": "localhost", "connection": "local", "gather_facts": False,
                 "vars_files": [os.path.join(workdir, "secrets.yml")],
                 "vars": {"applivery_api_url": url, "applivery_organization": ACME, "applivery_onboarding_report_dir": os.path.join(workdir, "reports"),
                          "applivery_onboarding_users": [{"email": "role-1@example.com", "platform": "apple"},
                                                         {"email": "role-2@example.com", "platform": "windows"},
                                                         {"email": "role-3@example.com", "platform": "aosp"}]},
                 "roles": [{"role": "applivery.mdm.device_onboarding"}]}
    return [modules_play, role_play]


def _walk(root, skip=()):
    for base, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(base, name)
            if os.path.relpath(path, root) not in skip:
                yield path


def _read(path):
    with open(path, "rb") as handle:
        return handle.read().decode("utf-8", "replace")


def _diffs_of(result):
    """Every diff a task result carries (a loop's items included)."""
    found = []
    if isinstance(result, dict):
        if "diff" in result:
            found.append(result["diff"])
        for item in result.get("results") or []:
            if isinstance(item, dict) and "diff" in item:
                found.append(item["diff"])
    return found


def _rendered_diffs(text):
    """The diff blocks the default callback prints (from ``--- before`` to the next task line)."""
    return re.findall(r"^--- before.*?(?=^(?:TASK|PLAY|ok:|changed:|fatal:|skipping:|RUNNING HANDLER)|\Z)", text, re.S | re.M)


class SecretsRuns:
    """Both runs and what they left behind."""

    def __init__(self, run, runner, work, runner_dir, artifacts, events):
        self.run = run
        self.runner = runner
        self.work = work
        self.runner_dir = runner_dir
        self.artifacts = artifacts
        self.events = events


@pytest.fixture(scope="module")
def runs(tmp_path_factory, emulator):
    """The modules and the role at -vvvv --diff, with ansible-playbook and then with ansible-runner."""
    if not os.path.exists(os.path.join(BIN_DIR, "ansible-runner")):
        message = "ansible-runner is not installed; `make reliability` installs tests/requirements-reliability.txt"
        if os.environ.get("RELIABILITY_REQUIRE_RUNNER"):
            pytest.fail(message)
        pytest.skip(message)
    ctl = emulator.control
    ctl.reset()
    url = emulator.url
    tmp_path = tmp_path_factory.mktemp("secrets")
    env_extra = {"ANSIBLE_CALLBACKS_ENABLED": "ansible.builtin.junit,ansible.builtin.tree", "ANSIBLE_LOAD_CALLBACK_PLUGINS": "true"}
    work = str(tmp_path / "playbook")
    playbook = _write_inputs(work, url)
    env = dict(env_extra, ANSIBLE_LOG_PATH=os.path.join(work, "ansible.log"), JUNIT_OUTPUT_DIR=os.path.join(work, "junit"),
               ANSIBLE_CALLBACK_TREE_DIR=os.path.join(work, "tree"), ANSIBLE_LOCAL_TEMP=os.path.join(work, "tmp-local"),
               ANSIBLE_REMOTE_TEMP=os.path.join(work, "tmp-remote"), ANSIBLE_PIPELINING="false")
    run = run_playbook(work, playbook, args=["-vvvv", "--diff"], env=env, timeout=900)
    assert run.rc == 0, run.describe()
    for name, text in (("stdout", run.stdout), ("stderr", run.stderr)):
        with open(os.path.join(work, name + ".txt"), "w", encoding="utf-8") as handle:
            handle.write(text)

    # ansible-runner, the engine of AWX / AAP: its artifacts hold every event as JSON
    ctl.reset()
    runner_dir = str(tmp_path / "runner")
    os.makedirs(os.path.join(runner_dir, "project"))
    runner_play = _write_inputs(os.path.join(runner_dir, "project"), url)
    with open(os.path.join(runner_dir, "project", "playbook.yml"), "w", encoding="utf-8") as handle:
        json.dump(runner_play, handle)
    start = time.monotonic()
    runner = subprocess.run([os.path.join(BIN_DIR, "ansible-runner"), "run", runner_dir, "-p", "playbook.yml", "--ident", "secrets",
                             "--cmdline=--diff", "-vvvv"], env=base_env(env_extra), capture_output=True, text=True, timeout=900, check=False)
    print("secrets: ansible-playbook %.1f s, ansible-runner %.1f s" % (run.elapsed, time.monotonic() - start))
    artifacts = os.path.join(runner_dir, "artifacts", "secrets")
    assert runner.returncode == 0, (runner.stdout[-3000:], runner.stderr[-2000:])
    events = [json.loads(_read(p)) for p in _walk(os.path.join(artifacts, "job_events")) if p.endswith(".json")]
    assert len(events) > 20, "ansible-runner wrote too few job events to prove anything"
    return SecretsRuns(run, runner, work, runner_dir, artifacts, events)


def test_no_token_anywhere(runs):  # pylint: disable=redefined-outer-name
    """Every file either run left behind, and both processes' output: no API token (Admin, Viewer or wrong)."""
    outputs = list(_walk(runs.work, skip=INPUT_FILES)) + list(_walk(runs.artifacts))
    outputs += list(_walk(os.path.join(runs.runner_dir, "project"), skip=INPUT_FILES))
    checked = 0
    for path in outputs:
        text = _read(path)
        checked += len(text)
        for secret in SECRETS:
            assert secret not in text, "LEAK: %s appears in %s" % (secret[:12] + "...", path)
    for secret in SECRETS:
        assert secret not in runs.runner.stdout + runs.runner.stderr
    for required in ("ansible.log", "stdout.txt", "junit", "tree", "result-4.json", os.path.join("reports", "onboarding.json"), "job_events"):
        assert any(required in p and os.path.getsize(p) > 0 for p in outputs), "nothing captured in %s: the grep proves nothing" % required
    assert os.path.getsize(os.path.join(runs.artifacts, "stdout")) > 0
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in runs.run.stdout, "at -vvvv the invocation must show, masked"
    print("secrets: %d files, %d characters checked for %d secrets: no leak" % (len(outputs), checked, len(SECRETS)))


def _links(runs):
    links = set()
    for result in runs.run.results:
        links.update(LINK_RE.findall(json.dumps(result)))
    assert len(links) >= 6, "the results should carry enrollment links; found %s" % links
    return links, set(link.rstrip("/").rsplit("/", 1)[-1] for link in links)


def _assert_no_links(diffs, codes):
    for diff in diffs:
        assert not LINK_RE.search(diff), "an enrollment link is in a diff: %s" % diff[:600]
        for code in codes:
            assert code not in diff, "an enrollment code is in a diff: %s" % diff[:600]
        assert "enrollment_link" not in diff and "enroll_code" not in diff and "qr_code" not in diff, diff[:600]


def _event_diffs(runs, ours):
    """Diffs in the runner's job events: of applivery.mdm modules (ours=True) or of every other task."""
    found = []
    for event in runs.events:
        data = event.get("event_data") or {}
        action = data.get("resolved_action") or data.get("task_action") or ""
        if action.startswith("applivery.mdm.") == ours:
            found.extend(json.dumps(d) for d in _diffs_of(data.get("res")))
    return found


def _printed_diffs(runs, reports):
    printed = _rendered_diffs(runs.run.stdout) + _rendered_diffs(_read(os.path.join(runs.artifacts, "stdout")))
    return [d for d in printed if ("/reports/onboarding." in d) == reports]


def test_links_never_in_module_diffs(runs):  # pylint: disable=redefined-outer-name
    """Every module's diff (registered, in the job events, and as printed): no enrollment link, code or QR code."""
    _links_found, codes = _links(runs)
    diffs = [json.dumps(d) for r in runs.run.results for d in _diffs_of(r)] + _event_diffs(runs, ours=True)
    printed = _printed_diffs(runs, reports=False)
    assert len(diffs) >= 12 and len(printed) >= 5, "too few diffs to prove anything (%d structured, %d printed)" % (len(diffs), len(printed))
    _assert_no_links(diffs + printed, codes)
    print("secrets: %d module diffs, %d printed diff blocks: no enrollment link" % (len(diffs), len(printed)))


def test_links_never_in_role_report_diffs(runs):  # pylint: disable=redefined-outer-name
    """The role's report-writing tasks must not print the reports (which hold the links) in --diff output."""
    _links_found, codes = _links(runs)
    _assert_no_links(_event_diffs(runs, ours=False) + _printed_diffs(runs, reports=True), codes)


def test_reports_hold_the_links_and_are_private(runs):  # pylint: disable=redefined-outer-name
    """The JSON and CSV reports hold the enrollment links, mode 0600 in a 0700 directory."""
    for where in (os.path.join(runs.work, "reports"), os.path.join(runs.runner_dir, "project", "reports")):
        assert stat.S_IMODE(os.stat(where).st_mode) == 0o700, where
        for name in ("onboarding.json", "onboarding.csv"):
            path = os.path.join(where, name)
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, "%s is mode %o" % (path, stat.S_IMODE(os.stat(path).st_mode))
            assert LINK_RE.search(_read(path)) or re.search(r"[0-9A-F]{16}", _read(path)), "%s holds no enrollment link or code" % path
