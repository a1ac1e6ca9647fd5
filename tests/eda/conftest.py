# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the EDA tests: one emulator for the session, the staged collection, real ansible-rulebook processes.

Run with ``make eda`` (it installs ansible-rulebook into .venv-eda and a Java 17 runtime when ``java`` is missing).
"""

from __future__ import annotations

import os

import pytest

from eda.helpers import EDA_BIN, STAGED
from emulator.harness import EmulatorProcess  # pylint: disable=import-error


@pytest.fixture(scope="session", autouse=True)
def tools():
    """The staged collection and ansible-rulebook must be there; a missing tool fails, it is never skipped."""
    if not os.path.isfile(os.path.join(STAGED, "galaxy.yml")):
        pytest.fail("no staged collection in %s: run `make stage` first" % STAGED)
    if not os.access(os.path.join(EDA_BIN, "ansible-rulebook"), os.X_OK):
        pytest.fail("no ansible-rulebook in %s: run `make eda-venv` first (or set EDA_BIN)" % EDA_BIN)


@pytest.fixture(scope="session")
def emulator():
    """One emulator (bundled seed) for every test of the suite."""
    with EmulatorProcess() as proc:
        yield proc


@pytest.fixture
def ctl(emulator):  # pylint: disable=redefined-outer-name
    """Control client of the session's emulator, reset to the startup seed."""
    emulator.control.reset()
    return emulator.control
