# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""is_expired compares canonical expiry texts without parsing them: the same answers as comparing datetimes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest

from ansible_collections.applivery.mdm.plugins.module_utils._tokens import canonical_time, effective_state, is_expired, parse_time

NOW = datetime.datetime(2026, 11, 30, 12, 0, 0, 500000)
EXPIRIES = ["2026-11-30T11:59:59Z", "2026-11-30T12:00:00Z", "2026-11-30T12:00:01Z", "2026-11-30T12:00:00.400Z",
            "2026-11-30T12:00:00.600Z", "2026-11-30T13:00:00+01:00", "2026-11-30T13:00:01+01:00", "2025-01-01T00:00:00Z",
            "2027-01-01T00:00:00Z"]
NOWS = [NOW, NOW.replace(microsecond=0), datetime.datetime(2026, 11, 30, 11, 59, 59, 999999), datetime.datetime(1, 1, 1)]


@pytest.mark.parametrize("now", NOWS)
@pytest.mark.parametrize("expires", EXPIRIES)
def test_is_expired_is_the_datetime_comparison(expires, now):
    for value in (canonical_time(expires), expires):  # the canonical form (fast path) and the raw one
        token = {"state": "PENDING", "perpetual": False, "expires_at": value}
        assert is_expired(token, now) == (parse_time(value) <= now)
        assert effective_state(token, now) == ("EXPIRED" if parse_time(value) <= now else "PENDING")


def test_perpetual_and_unknown_expiry_never_expire():
    assert not is_expired({"state": "PENDING", "perpetual": True, "expires_at": "2000-01-01T00:00:00Z"}, NOW)
    assert not is_expired({"state": "PENDING", "perpetual": None, "expires_at": None}, NOW)
    assert is_expired({"state": "EXPIRED", "expires_at": None}, NOW)
