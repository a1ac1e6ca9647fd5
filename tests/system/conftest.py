# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the system tests: the emulator, the staged collection, and the way AWX injects a credential.

Run with ``make onboarding-system`` (or ``PYTHONPATH=tests .venv/bin/python -m pytest tests/system`` after
``make stage``). The playbooks run against the staged copy of the collection (ANSIBLE_COLLECTIONS_PATH, else
build/), as an installed collection would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from types import SimpleNamespace

import pytest
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

from emulator.harness import ADMIN_TOKEN, EmulatorProcess  # pylint: disable=import-error

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CREDENTIAL_TYPE = os.path.join(ROOT, "docs", "awx", "credential_type.yml")
ORGANIZATION = "acme"
BIN = os.path.dirname(sys.executable)


def collections_path():
    """The directory that holds ansible_collections/applivery/mdm (the staged copy)."""
    path = os.environ.get("ANSIBLE_COLLECTIONS_PATH") or os.path.join(ROOT, "build")
    path = os.path.abspath(path.split(os.pathsep)[0])
    if not os.path.isfile(os.path.join(path, "ansible_collections", "applivery", "mdm", "galaxy.yml")):
        raise RuntimeError("the collection is not staged under %s: run `make stage` first" % path)
    return path


def load_credential_type():
    with open(CREDENTIAL_TYPE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def inject_credential(credential_type, inputs, private_data_dir):
    """The environment AWX gives a job for a credential of ``credential_type`` with ``inputs``.

    Mirrors AWX's injection: fields left empty are missing from the template namespace (Jinja renders them
    as ''), a boolean field left unset is False, each ``file`` injector is rendered into a mode 0600 file under
    ``private_data_dir/env`` and its name is ``tower.filename.<label>``, and every ``env`` injector is set.
    """
    namespace = dict((key, value) for key, value in inputs.items() if isinstance(value, bool) or value)
    for field in credential_type["inputs"]["fields"]:
        if field.get("type") == "boolean" and field["id"] not in inputs:
            namespace[field["id"]] = False
    sandbox = ImmutableSandboxedEnvironment()
    env_dir = os.path.join(private_data_dir, "env")
    os.makedirs(env_dir, exist_ok=True)
    files = {}
    for label, template in credential_type["injectors"].get("file", {}).items():
        path = os.path.join(env_dir, "credential-" + label.split(".")[-1])
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(sandbox.from_string(template).render(**namespace))
        os.chmod(path, 0o600)
        files[label.split(".")[-1]] = path
    namespace["tower"] = SimpleNamespace(filename=SimpleNamespace(**files))
    return dict((name, sandbox.from_string(template).render(**namespace))
                for name, template in credential_type["injectors"]["env"].items())


def ansible_env(extra=None):
    """os.environ without APPLIVERY_*, with the staged collection and quiet, colourless output."""
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith("APPLIVERY_"))
    env.update(
        ANSIBLE_COLLECTIONS_PATH=collections_path(),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
        ANSIBLE_RETRY_FILES_ENABLED="false",
        PATH=BIN + os.pathsep + os.environ.get("PATH", ""),
    )
    env.update(extra or {})
    return env


def run(cmd, env, cwd=None, timeout=600, shell=False):
    """Run a command; return the CompletedProcess (stdout and stderr as text)."""
    return subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, shell=shell, check=False)


@pytest.fixture(scope="session")
def emulator():
    with EmulatorProcess() as emu:
        yield emu


@pytest.fixture
def emu(emulator):
    """The session's emulator, reset to its seed."""
    emulator.control.reset()
    return emulator


@pytest.fixture
def credential_env(emu, tmp_path):
    """The APPLIVERY_* environment of an AWX credential for the emulator (only the required fields filled)."""
    return inject_credential(load_credential_type(), {"api_url": emu.url, "api_token": ADMIN_TOKEN, "organization": ORGANIZATION},
                             str(tmp_path / "awx-private"))


def people_inventory(path, groups, all_vars=None):
    """Write a YAML inventory of people: ``groups`` maps a group to (platform, [emails])."""
    children = {}
    for group, (platform, emails) in groups.items():
        children[group] = {"vars": {"applivery_platform": platform}, "hosts": dict((email, None) for email in emails)}
    inventory = {"all": {"children": children}}
    if all_vars:
        inventory["all"]["vars"] = all_vars
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(inventory, handle, default_flow_style=False, sort_keys=True)
    return path
