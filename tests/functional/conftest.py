# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the functional tests: the collection's Python code against the API emulator over real HTTP on loopback.

``make functional`` runs them (mk/functional.mk)::

    PYTHONPATH=tests APPLIVERY_COLLECTIONS_PATH=build python -m pytest tests/functional

The collection is imported as ``ansible_collections.applivery.mdm`` from APPLIVERY_COLLECTIONS_PATH (the staged
copy, default ``build/``), and the emulator needs tests/requirements-emulator.txt. The pure tests are in tests/unit.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys

import pytest

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS_PATH = os.environ.get("APPLIVERY_COLLECTIONS_PATH") or os.path.join(os.path.dirname(TESTS_DIR), "build")
for _path in (TESTS_DIR, COLLECTIONS_PATH):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from emulator.harness import EmulatorProcess  # noqa: E402  pylint: disable=wrong-import-position,import-error

_EMULATOR = {}


def pytest_sessionstart(session):  # pylint: disable=unused-argument
    """Start one emulator per pytest process, before any test runs, in the process that runs the tests.

    A hook rather than a session fixture: under a forking runner (pytest-forked, as ansible-test uses) a session
    fixture would be set up in every forked child and never torn down.
    """
    process = EmulatorProcess(python=os.environ.get("APPLIVERY_EMULATOR_PYTHON") or sys.executable)
    process.start()
    _EMULATOR["process"], _EMULATOR["owner"] = process, os.getpid()


def pytest_sessionfinish(session, exitstatus):  # pylint: disable=unused-argument
    """Stop the emulator in the process that started it (never in a forked child)."""
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
