"""Run real ``ansible-playbook`` processes against the emulator and read what they left behind.

Playbooks are generated as JSON (which is YAML) so that module arguments are exact. Every
task under test registers its result, which a second task writes to ``result-<n>.json``; so
a failing task still gives its full result (``msg``, ``results``) to the test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS_DIR = os.environ.get("APPLIVERY_COLLECTIONS_PATH") or os.path.join(REPO, "build")
STAGED = os.path.join(COLLECTIONS_DIR, "ansible_collections", "applivery", "mdm")
BIN_DIR = os.path.dirname(sys.executable)
ANSIBLE_PLAYBOOK = os.path.join(BIN_DIR, "ansible-playbook")

ADMIN_TOKEN = "applivery-emu-admin-token"
ACME = "acme"
TINY = "tiny-shop"
PLATFORMS = ("android", "apple", "windows", "aosp")
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# Settings each platform needs for a create.
PLATFORM_ARGS = {"android": {"management_mode": "DEVICE_OWNER"}, "apple": {}, "windows": {}, "aosp": {"management_mode": "DEVICE_OWNER"}}


def base_env(extra=None):
    """A clean environment for ansible-playbook: no APPLIVERY_* leaking in from the caller."""
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith(("APPLIVERY_", "ANSIBLE_")))
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS_DIR,
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "ANSIBLE_DEPRECATION_WARNINGS": "false",
        "ANSIBLE_PIPELINING": "true",
        "PATH": BIN_DIR + os.pathsep + os.environ.get("PATH", ""),
    })
    env.update(extra or {})
    return env


def connection(url, token=ADMIN_TOKEN, organization=ACME, **extra):
    """Connection options for a module task."""
    return dict({"api_url": url, "api_token": token, "organization": organization}, **extra)


def module_task(module, args, ignore_errors=True, **keywords):
    """One task calling ``applivery.mdm.<module>``."""
    task = {"name": "under test: %s" % module, "applivery.mdm.%s" % module: args, "ignore_errors": ignore_errors}
    task.update(keywords)
    return task


class PlaybookRun:
    """The outcome of one ansible-playbook process."""

    def __init__(self, rc, stdout, stderr, elapsed, workdir, count):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.elapsed = elapsed
        self.workdir = workdir
        self.results = []
        for index in range(count):
            path = os.path.join(workdir, "result-%d.json" % index)
            if os.path.exists(path):
                with open(path, encoding="utf-8") as handle:
                    self.results.append(json.load(handle))
            else:
                self.results.append(None)

    @property
    def result(self):
        """The registered result of the only (or first) task under test."""
        return self.results[0]

    @property
    def output(self):
        return self.stdout + "\n" + self.stderr

    def describe(self):
        """Enough of the run to understand a failed assertion (messages and failed people, not the whole output)."""
        lines = ["rc=%s elapsed=%.1fs" % (self.rc, self.elapsed)]
        for index, result in enumerate(self.results):
            if not result:
                continue
            lines.append("task %d: %s | %s" % (index, str(result.get("msg"))[:1500], result.get("summary")))
            failed = [r for r in result.get("results") or [] if isinstance(r, dict) and r.get("action") == "failed"]
            lines.extend("  failed %s: %s" % (r.get("email"), r.get("error")) for r in failed[:10])
        lines.append("--- stdout (tail)\n%s\n--- stderr (tail)\n%s" % (self.stdout[-1500:], self.stderr[-1500:]))
        return "\n".join(lines)


def build_playbook(tasks, play_vars=None, hosts="localhost", roles=None):
    """A one-play playbook: each task in ``tasks`` is registered and its result saved (unless it is a plain dict with no module)."""
    body = []
    for index, task in enumerate(tasks):
        task = dict(task, register="under_test_%d" % index)
        body.append(task)
        body.append({"name": "save result %d" % index, "ansible.builtin.copy": {
            "content": "{{ under_test_%d | to_json }}" % index, "dest": "{{ playbook_dir }}/result-%d.json" % index, "mode": "0600"},
            "when": "under_test_%d is defined" % index, "diff": False})
    play = {"name": "reliability", "hosts": hosts, "connection": "local", "gather_facts": False, "tasks": body}
    if play_vars:
        play["vars"] = play_vars
    if roles:
        play["roles"] = roles
    return [play]


def start_playbook(workdir, playbook, args=(), env=None, inventory=None, name="playbook.yml", cmd_prefix=None):
    """Write ``playbook`` (a list, or text) into ``workdir`` and start it there; call ``finish_playbook`` on the handle."""
    os.makedirs(workdir, exist_ok=True)
    path = os.path.join(workdir, name)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(playbook if isinstance(playbook, str) else json.dumps(playbook, indent=1))
    cmd = list(cmd_prefix or []) + [ANSIBLE_PLAYBOOK, path]
    if inventory:
        cmd += ["-i", inventory]
    cmd += list(args)
    count = sum(1 for task in (playbook if isinstance(playbook, list) else [{}])[0].get("tasks", []) if "register" in task)
    proc = subprocess.Popen(cmd, cwd=workdir, env=base_env(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,  # pylint: disable=consider-using-with
                            text=True)
    return {"proc": proc, "start": time.monotonic(), "workdir": workdir, "count": count}


def finish_playbook(handle, timeout=1800):
    """Wait for a started playbook; a PlaybookRun."""
    proc = handle["proc"]
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        stdout, stderr = proc.communicate()
    return PlaybookRun(proc.returncode, stdout, stderr, time.monotonic() - handle["start"], handle["workdir"], handle["count"])


def run_playbook(workdir, playbook, args=(), env=None, timeout=1800, inventory=None, name="playbook.yml", cmd_prefix=None):
    """Write ``playbook`` (a list, or text) into ``workdir`` and run it there; a PlaybookRun."""
    handle = start_playbook(workdir, playbook, args=args, env=env, inventory=inventory, name=name, cmd_prefix=cmd_prefix)
    return finish_playbook(handle, timeout=timeout)


def emails(prefix, count, start=0):
    """``count`` distinct, valid emails."""
    return ["%s-%05d@example.com" % (prefix, i) for i in range(start, start + count)]


def pending_by_email(ctl, platform, organization=ACME):
    """``{email: [ids of PENDING tokens]}`` straight from the emulator's state (AOSP: ids mapped through the users)."""
    users = dict((u["id"], u["email"].lower()) for u in ctl.state_users(organization))
    found = {}
    for token in ctl.state_tokens(organization, platform):
        state = token.get("state") or token.get("status")
        if state != "PENDING":
            continue
        user = token.get("mdmUser") or {}
        email = (user.get("email") or users.get(token.get("mdmUserId") or user.get("id")) or "").lower()
        found.setdefault(email, []).append(token["id"])
    return found


def all_token_ids(ctl, platform, organization=ACME):
    """``{id: state}`` of every token of the platform, DELETED included."""
    return dict((t["id"], t.get("state") or t.get("status")) for t in ctl.state_tokens(organization, platform))


def writes(ctl, since):
    """Write requests after ``since`` in the emulator's request log."""
    return [e for e in ctl.requests(since)["items"] if e["method"] in WRITE_METHODS]
