"""Fixtures of the status tests (make status): one emulator, the staged collection, an output directory."""

from __future__ import annotations

import os
import shutil

import pytest

from emulator.harness import EmulatorProcess
from reliability.helpers import REPO, STAGED

# where the screenshot of status.html and the reports of a run are kept (make status: build/status)
OUT_DIR = os.environ.get("STATUS_OUT") or os.path.join(REPO, "build", "status")


@pytest.fixture(scope="session", autouse=True)
def staged_collection():
    if not os.path.isfile(os.path.join(STAGED, "galaxy.yml")):
        pytest.fail("no staged collection in %s: run `make stage` first" % STAGED)


@pytest.fixture(scope="session")
def emulator():
    with EmulatorProcess() as proc:
        yield proc


@pytest.fixture(scope="session")
def out_dir():
    shutil.rmtree(OUT_DIR, ignore_errors=True)
    os.makedirs(OUT_DIR)
    return OUT_DIR
