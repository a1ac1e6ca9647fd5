# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""tests/unit is pure: no emulator and no network. This file makes that a rule, not a habit.

* The emulator and its web stack cannot be imported here, as if they were not installed: a unit test that
  needs them belongs in tests/functional.
* Every unit test runs with outgoing INET sockets refused: a test that reaches for the network fails, naming
  the address, instead of waiting on a timeout.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import sys

import pytest

# Top-level packages a unit test must not import: the emulator (tests/emulator) and what only it needs.
FORBIDDEN_IMPORTS = ("emulator", "flask", "werkzeug", "openapi_core")


class _ForbiddenImports:
    """A meta path finder that makes FORBIDDEN_IMPORTS unimportable, as if they were not installed."""

    @staticmethod
    def find_spec(fullname, path=None, target=None):  # pylint: disable=unused-argument
        if fullname.split(".")[0] in FORBIDDEN_IMPORTS:
            raise ImportError("%s is not available to unit tests: tests/unit is pure (see tests/unit/conftest.py); "
                              "tests that need the emulator live in tests/functional" % fullname)
        return None


def pytest_configure(config):  # pylint: disable=unused-argument
    if not any(isinstance(finder, _ForbiddenImports) for finder in sys.meta_path):
        sys.meta_path.insert(0, _ForbiddenImports())


class NetworkRefused(AssertionError):
    """A unit test tried to open a network connection."""


_INET = (socket.AF_INET, getattr(socket, "AF_INET6", socket.AF_INET))


def _refuse(original):
    def connect(self, address, *args, **kwargs):
        if self.family in _INET:
            raise NetworkRefused("unit tests are pure: a connection to %r was refused (see tests/unit/conftest.py)" % (address,))
        return original(self, address, *args, **kwargs)
    return connect


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Refuse every outgoing INET connection for the duration of a test."""
    monkeypatch.setattr(socket.socket, "connect", _refuse(socket.socket.connect))
    monkeypatch.setattr(socket.socket, "connect_ex", _refuse(socket.socket.connect_ex))
