# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""pytest fixtures the emulator-backed suites share: one emulator per session, its control client reset before
every test, and a check that the staged collection is there (a missing one fails, it is never skipped).

A suite's conftest.py imports the fixtures it uses: ``from emulator.fixtures import ctl, emulator``.
"""

from __future__ import annotations

import os

import pytest

from emulator.harness import EmulatorProcess


def require_staged(staged):
    """Fail (never skip) when the staged collection is missing."""
    if not os.path.isfile(os.path.join(staged, "galaxy.yml")):
        pytest.fail("no staged collection in %s: run `make stage` first" % staged)


@pytest.fixture(scope="session")
def emulator():
    """One emulator (bundled seed) on a free loopback port for every test of the session."""
    with EmulatorProcess() as proc:
        yield proc


@pytest.fixture
def ctl(emulator):  # pylint: disable=redefined-outer-name
    """Control client of the session's emulator, reset to the startup seed."""
    emulator.control.reset()
    return emulator.control
