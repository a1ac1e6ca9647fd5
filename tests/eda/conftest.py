# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the EDA tests: one emulator for the session, the staged collection, real ansible-rulebook processes.

Run with ``make eda`` (it installs ansible-rulebook into .venv-eda and a Java 17 runtime when ``java`` is missing).
"""

from __future__ import annotations

import os

import pytest

from eda.helpers import EDA_BIN, STAGED
from emulator.fixtures import ctl, emulator, require_staged  # noqa: F401  pylint: disable=unused-import,import-error


@pytest.fixture(scope="session", autouse=True)
def tools():
    """The staged collection and ansible-rulebook must be there; a missing tool fails, it is never skipped."""
    require_staged(STAGED)
    if not os.access(os.path.join(EDA_BIN, "ansible-rulebook"), os.X_OK):
        pytest.fail("no ansible-rulebook in %s: run `make eda-venv` first (or set EDA_BIN)" % EDA_BIN)
