"""Fixtures of the status tests (make status): one emulator and the staged collection (as the kit tests have them),
and an output directory."""

from __future__ import annotations

import os
import shutil

import pytest

from kit.conftest import emulator, staged_collection  # noqa: F401  pylint: disable=unused-import  # the same fixtures
from reliability.helpers import REPO

# where the screenshot of status.html and the reports of a run are kept (make status: build/status)
OUT_DIR = os.environ.get("STATUS_OUT") or os.path.join(REPO, "build", "status")


@pytest.fixture(scope="session")
def out_dir():
    shutil.rmtree(OUT_DIR, ignore_errors=True)
    os.makedirs(OUT_DIR)
    return OUT_DIR
