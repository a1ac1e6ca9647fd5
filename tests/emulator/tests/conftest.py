"""Fixtures: one emulator subprocess per session, reset before every test."""

from __future__ import annotations

import pytest

from emulator.harness import EmulatorProcess
from emulator.tests.helpers import Api
from emulator.tests.oas import ResponseValidator


@pytest.fixture(scope="session")
def validator():
    """OpenAPI response validator over the vendored spec."""
    return ResponseValidator()


@pytest.fixture(scope="session")
def emu():
    """The emulator CLI running with the bundled seed on a free loopback port."""
    with EmulatorProcess() as proc:
        yield proc


@pytest.fixture
def ctl(emu):
    """Control client; the emulator is reset to the startup seed first."""
    emu.control.reset()
    return emu.control


@pytest.fixture
def api(emu, ctl, validator):  # pylint: disable=redefined-outer-name,unused-argument
    """Validating vendor client with the Admin token (after a reset)."""
    return Api(emu.url, validator)
