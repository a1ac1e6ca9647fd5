"""Fixtures: the staged collection, one emulator per session (reset before every test), and a work directory."""

from __future__ import annotations

import os

import pytest

from emulator.harness import EmulatorProcess
from reliability.helpers import STAGED


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: a long test; `make test` runs it at 2,000 users, `make test-reliability` at RELIABILITY_LONG_USERS")


@pytest.fixture(scope="session", autouse=True)
def staged_collection():
    """The tests run the staged copy (``make stage``), as a user would after installing the collection."""
    if not os.path.isfile(os.path.join(STAGED, "galaxy.yml")):
        pytest.fail("no staged collection in %s: run `make stage` first" % STAGED)


@pytest.fixture(scope="session")
def emulator():
    """The emulator CLI with the bundled seed on a free loopback port."""
    with EmulatorProcess() as proc:
        yield proc


@pytest.fixture
def ctl(emulator):  # pylint: disable=redefined-outer-name
    """Control client of the session's emulator, reset to the startup seed."""
    emulator.control.reset()
    return emulator.control


@pytest.fixture
def url(emulator, ctl):  # pylint: disable=redefined-outer-name,unused-argument
    """Base URL of the (reset) emulator."""
    return emulator.url
