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


@pytest.fixture(scope="session")
def emulator():
    """One emulator subprocess for the session. APPLIVERY_EMULATOR_PYTHON names an interpreter with its dependencies."""
    from emulator.harness import EmulatorProcess  # pylint: disable=import-outside-toplevel,import-error

    process = EmulatorProcess(python=os.environ.get("APPLIVERY_EMULATOR_PYTHON") or sys.executable)
    process.start()
    yield process
    process.stop()


@pytest.fixture
def emu(emulator):  # pylint: disable=redefined-outer-name
    """The session's emulator, reset to its seed before each test."""
    emulator.control.reset()
    return emulator
