# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the collection's example rulebook in a real ansible-rulebook process and read what its actions did."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS_DIR = os.environ.get("APPLIVERY_COLLECTIONS_PATH") or os.path.join(REPO, "build")
STAGED = os.path.join(COLLECTIONS_DIR, "ansible_collections", "applivery", "mdm")
EDA_BIN = os.environ.get("EDA_BIN") or os.path.join(REPO, ".venv-eda", "bin")
ADMIN_TOKEN = "applivery-emu-admin-token"
ORG = "acme"
RULEBOOK = "applivery.mdm.enrollment_events"
# the source's own log line for each event it hands to the rulebook
EMITTED_RE = re.compile(r"applivery event (\w+): (\w+) token ([0-9a-f]{24})")


def wait_for(condition, timeout, what, step=0.2):
    """Poll ``condition`` until it returns something truthy; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %s s waiting for %s" % (timeout, what))
        time.sleep(step)


class Rulebook:
    """One ``ansible-rulebook --rulebook applivery.mdm.enrollment_events`` process, its output in a log file."""

    def __init__(self, workdir, url, variables, name="run", rulebook=RULEBOOK, api_token=ADMIN_TOKEN):
        self.workdir = workdir
        self.url = url
        self.variables = variables
        self.name = name
        self.rulebook = rulebook
        self.api_token = api_token
        self.log_path = os.path.join(workdir, "%s.log" % name)
        self.proc = None

    def start(self):
        vars_file = os.path.join(self.workdir, "%s-vars.yml" % self.name)
        with open(vars_file, "w", encoding="utf-8") as handle:
            yaml.safe_dump(self.variables, handle)
        inventory = os.path.join(self.workdir, "inventory.yml")
        with open(inventory, "w", encoding="utf-8") as handle:
            yaml.safe_dump({"all": {"hosts": {"localhost": {
                "ansible_connection": "local", "ansible_python_interpreter": os.path.join(EDA_BIN, "python")}}}}, handle)
        env = dict((k, v) for k, v in os.environ.items() if not k.startswith(("APPLIVERY_", "ANSIBLE_")))
        env.update({
            "APPLIVERY_API_URL": self.url,
            "APPLIVERY_API_TOKEN": self.api_token,
            "APPLIVERY_ORGANIZATION": ORG,
            "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS_DIR,
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_LOCALHOST_WARNING": "false",
            "PATH": EDA_BIN + os.pathsep + env.get("PATH", ""),
        })
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
                [os.path.join(EDA_BIN, "ansible-rulebook"), "--rulebook", self.rulebook, "-i", inventory, "--vars", vars_file, "-v"],
                cwd=self.workdir, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True)
        return self

    def output(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as handle:
            return handle.read()

    def emitted(self):
        """``[(type, platform, token_id)]`` the source handed to the rulebook, in order."""
        return EMITTED_RE.findall(self.output())

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=30):
        """SIGTERM the process group (ansible-rulebook and its playbook runs); SIGKILL after ``timeout``."""
        if not self.alive():
            return self.proc.returncode if self.proc else None
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            return self.proc.wait(10)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def report(path):
    """The lines the record playbook appended: one JSON object per device_enrolled it handled."""
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
