"""Stateful emulator of the Applivery MDM REST API (test and demo infrastructure).

Run it with ``PYTHONPATH=tests python -m emulator --port 0``; see README.md in this folder.
"""

from __future__ import annotations

__version__ = "1.0.0"
