"""Fixtures of the variant matrix: the staged collection, ONE emulator for every variant, and the matrix it measures.

``make variants`` (mk/variants.mk) runs it after ``make stage`` with APPLIVERY_COLLECTIONS_PATH=build. Without that
variable the suite stages its own copy into a temporary directory (tests/ci/stage.py), so that a ``make stage`` of
someone else, which rewrites build/, never changes the collection under a run.

At the end the table (variant x single, bulk, role) is printed and written to VARIANTS_MATRIX (default
build/variants/matrix.md).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

import pytest

from emulator.harness import EmulatorProcess  # pylint: disable=import-error
from variants.checks import matrix_markdown
from variants.scenario import VARIANT_ORDER, seed_with_role_policies

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MATRIX_PATH = os.environ.get("VARIANTS_MATRIX") or os.path.join(ROOT, "build", "variants", "matrix.md")
WORK_DIR = os.path.join(os.path.dirname(MATRIX_PATH), "work")
ROWS = {}


@pytest.fixture(scope="session")
def collections_path():
    """The directory holding ansible_collections/applivery/mdm: APPLIVERY_COLLECTIONS_PATH, else a private stage."""
    path = os.environ.get("APPLIVERY_COLLECTIONS_PATH")
    if path:
        if not os.path.isfile(os.path.join(path, "ansible_collections", "applivery", "mdm", "galaxy.yml")):
            pytest.fail("no staged collection in %s: run `make stage` first" % path)
        yield os.path.abspath(path)
        return
    path = tempfile.mkdtemp(prefix="variants-stage-")
    try:
        subprocess.run([sys.executable, os.path.join(ROOT, "tests", "ci", "stage.py"),
                        os.path.join(path, "ansible_collections", "applivery", "mdm")], check=True, stdout=subprocess.DEVNULL)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def emulator():
    """One emulator process for the whole matrix (the bundled seed, plus policies for the role's organization);
    each variant resets it and sets its preset."""
    with EmulatorProcess(seed=seed_with_role_policies(os.path.join(ROOT, "tests", "emulator", "seed.yml"))) as process:
        yield process


@pytest.fixture(scope="session")
def playbook_env(collections_path):  # pylint: disable=redefined-outer-name
    return {"ANSIBLE_COLLECTIONS_PATH": collections_path, "ANSIBLE_FORKS": "5"}


@pytest.fixture
def workdir(request):
    """build/variants/work/<variant>: the playbooks, inventories, saved results and role reports of the last run."""
    path = os.path.join(WORK_DIR, request.node.callspec.params["variant"])
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


@pytest.fixture(scope="session")
def matrix_rows():
    """variant -> the row it measured (filled by the tests, printed and written at the end of the session)."""
    return ROWS


def pytest_terminal_summary(terminalreporter):
    if not ROWS:
        return
    rows = [ROWS[name] for name in VARIANT_ORDER if name in ROWS]
    missing = [name for name in VARIANT_ORDER if name not in ROWS]
    note = "Not measured in this run: %s." % ", ".join(missing) if missing else ""
    text = matrix_markdown(rows, note)
    os.makedirs(os.path.dirname(MATRIX_PATH), exist_ok=True)
    with open(MATRIX_PATH, "w", encoding="utf-8") as handle:
        handle.write(text)
    terminalreporter.section("variant matrix (%s)" % os.path.relpath(MATRIX_PATH, ROOT))
    terminalreporter.write(text)
