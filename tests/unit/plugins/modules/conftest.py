# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a module's ``main()`` with patched arguments, as community.hashi_vault does, and with a fake API client.

``exit_json`` and ``fail_json`` raise instead of printing and exiting; ``run_module`` returns the result either way,
with ``failed`` set. The API client the module base builds is replaced: by a FakeApi (``api``), or by a client on
which any use fails the test (the default), so that input refused "before any request" is proven so.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import json

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.applivery.mdm.plugins.module_utils import _module
from ansible_collections.applivery.mdm.tests.unit.fake_api import FakeApi

try:  # ansible-core 2.19 and later
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # older ansible-core: the classic way
    from unittest import mock

    @contextlib.contextmanager
    def patch_module_args(args=None):
        args = dict(args or {}, _ansible_remote_tmp="/tmp", _ansible_keep_remote_files=False)
        with contextlib.ExitStack() as stack:
            stack.enter_context(mock.patch.object(basic, "_ANSIBLE_ARGS", to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args}))))
            if hasattr(basic, "_ANSIBLE_PROFILE"):  # 2.19+ without the testing helper: the profile patch_module_args sets
                stack.enter_context(mock.patch.object(basic, "_ANSIBLE_PROFILE", "legacy"))
            yield

CONNECTION = {"api_url": "https://api.example.invalid", "api_token": "secret-token", "organization": "acme"}


class AnsibleExitJson(Exception):
    """exit_json was called: the module's result is the exception's only argument."""


class AnsibleFailJson(Exception):
    """fail_json was called: the module's result is the exception's only argument."""


def _exit_json(self, **kwargs):  # pylint: disable=unused-argument
    kwargs.setdefault("changed", False)
    kwargs.setdefault("failed", False)
    raise AnsibleExitJson(kwargs)


def _fail_json(self, msg, **kwargs):  # pylint: disable=unused-argument
    kwargs.update(failed=True, msg=msg)
    raise AnsibleFailJson(kwargs)


class Untouchable:
    """A client that fails the test on any use: the module must refuse its input before any request."""

    def __getattr__(self, name):
        raise AssertionError("the module used the API client (%s) although its input is bad" % name)


@pytest.fixture(autouse=True)
def module_harness(monkeypatch):
    """exit_json/fail_json raise; no APPLIVERY_* variable leaks in; the client is Untouchable unless a test sets one."""
    monkeypatch.setattr(basic.AnsibleModule, "exit_json", _exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", _fail_json)
    for variable in _module.CONNECTION_ENV.values():
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(_module, "AppliveryClient", lambda **kwargs: Untouchable())


@pytest.fixture
def api(monkeypatch):
    """A FakeApi that the modules get as their client; the client's keyword arguments are in ``api.options``."""
    fake = FakeApi()

    def client(**kwargs):
        fake.options = kwargs
        return fake
    monkeypatch.setattr(_module, "AppliveryClient", client)
    return fake


@pytest.fixture
def run_module():
    """``run_module(module, args, check_mode=False, connection=True)``: the result of ``module.main()``, ``failed`` set."""
    def run(module, args, check_mode=False, connection=True):
        args = dict(CONNECTION if connection else {}, **args)
        if check_mode:
            args["_ansible_check_mode"] = True
        with patch_module_args(args):
            try:
                module.main()
            except (AnsibleExitJson, AnsibleFailJson) as outcome:
                return outcome.args[0]
        raise AssertionError("main() returned without exit_json or fail_json")
    return run


@pytest.fixture
def refused(run_module):
    """``refused(module, args, message)``: the module fails with ``message`` in its msg (before any request, by default)."""
    def check(module, args, message, **kwargs):
        result = run_module(module, args, **kwargs)
        assert result["failed"] and message in result["msg"], result["msg"]
        return result
    return check
