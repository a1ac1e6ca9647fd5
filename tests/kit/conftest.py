"""Fixtures of the onboarding kit tests (make kit): one emulator, a headless Chromium, the staged collection."""

from __future__ import annotations

import os
import shutil

import pytest

from emulator.fixtures import emulator, require_staged  # noqa: F401  pylint: disable=unused-import
from reliability.helpers import REPO, STAGED

CHROMIUM = os.environ.get("KIT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# where the screenshots and PDFs of a run are kept (make kit: build/kit)
OUT_DIR = os.environ.get("KIT_OUT") or os.path.join(REPO, "build", "kit")


@pytest.fixture(scope="session", autouse=True)
def staged_collection():
    require_staged(STAGED)


@pytest.fixture(scope="session")
def chromium():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail("no Chromium at %s: run `make docs-browser`" % CHROMIUM)
    return CHROMIUM


@pytest.fixture(scope="session")
def out_dir():
    shutil.rmtree(OUT_DIR, ignore_errors=True)
    os.makedirs(OUT_DIR)
    return OUT_DIR
