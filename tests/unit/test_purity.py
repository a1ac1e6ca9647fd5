# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""tests/unit is pure: the emulator and its web stack are not loaded, and no test can open a network connection."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import socket
import sys

import pytest


@pytest.mark.parametrize("name", ["flask", "werkzeug", "emulator"])
def test_the_emulator_and_flask_are_not_loaded_and_cannot_be(name):
    assert not [module for module in sys.modules if module == name or module.startswith(name + ".")]
    with pytest.raises(ImportError, match="tests/functional"):
        importlib.import_module(name)


@pytest.mark.parametrize("family, address", [(socket.AF_INET, ("127.0.0.1", 9)), (socket.AF_INET, ("192.0.2.1", 443))])
def test_network_connections_are_refused(family, address):
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        with pytest.raises(AssertionError, match="unit tests are pure"):
            sock.connect(address)
        with pytest.raises(AssertionError, match="unit tests are pure"):
            sock.connect_ex(address)
    finally:
        sock.close()
