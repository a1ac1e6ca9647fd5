"""Fixtures: the staged collection, one emulator per session (reset before every test), and a work directory."""

from __future__ import annotations

import pytest

from emulator.fixtures import ctl, emulator, require_staged  # noqa: F401  pylint: disable=unused-import
from reliability.helpers import STAGED


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: a long test; `make test` runs it at 2,000 users, `make test-reliability` at RELIABILITY_LONG_USERS")


@pytest.fixture(scope="session", autouse=True)
def staged_collection():
    """The tests run the staged copy (``make stage``), as a user would after installing the collection."""
    require_staged(STAGED)


@pytest.fixture
def url(emulator, ctl):  # pylint: disable=redefined-outer-name,unused-argument
    """Base URL of the (reset) emulator."""
    return emulator.url
