# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for unit tests that talk to the Applivery API emulator over real HTTP on loopback."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys

import pytest

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if TESTS_DIR not in sys.path:
    sys.path.insert(0, TESTS_DIR)

ADMIN_TOKEN = "applivery-emu-admin-token"
VIEWER_TOKEN = "applivery-emu-viewer-token"


_EMULATOR = {}


def pytest_sessionstart(session):  # pylint: disable=unused-argument
    """Start one emulator per pytest process, before any test runs.

    ansible-test runs each unit test in a forked child (pytest-forked). A session fixture would be set
    up inside that child, once per test, and never torn down, because the child leaves with os._exit.
    Started here, in the process that forks, it is shared by every test and stopped exactly once.
    """
    from emulator.harness import EmulatorProcess  # pylint: disable=import-outside-toplevel,import-error

    process = EmulatorProcess(python=os.environ.get("APPLIVERY_EMULATOR_PYTHON") or sys.executable)
    process.start()
    _EMULATOR["process"], _EMULATOR["owner"] = process, os.getpid()


def pytest_sessionfinish(session, exitstatus):  # pylint: disable=unused-argument
    """Stop the emulator in the process that started it (never in a forked test child)."""
    if _EMULATOR.get("owner") == os.getpid():
        _EMULATOR.pop("process").stop()


@pytest.fixture(scope="session")
def emulator():
    """The emulator subprocess of this pytest process. APPLIVERY_EMULATOR_PYTHON names an interpreter with its dependencies."""
    return _EMULATOR["process"]


@pytest.fixture
def emu(emulator):  # pylint: disable=redefined-outer-name
    """The session's emulator, reset to its seed before each test."""
    emulator.control.reset()
    return emulator
