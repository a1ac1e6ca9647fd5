# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""http_date reads the Date header the way email.utils does, without importing it for the usual form."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import email.utils

import pytest

from ansible_collections.applivery.mdm.plugins.module_utils._client import http_date

HEADERS = ["Mon, 30 Nov 2026 12:55:25 GMT", "Sun, 06 Nov 1994 08:49:37 GMT", "Thu, 29 Feb 2024 23:59:59 GMT",
           "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Mon, 30 Nov 2026 14:55:25 +0200"]


def _reference(header):
    stamp = email.utils.parsedate_to_datetime(header)
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return stamp


@pytest.mark.parametrize("header", HEADERS)
def test_every_form_reads_as_email_utils_reads_it(header):
    assert http_date(header) == _reference(header)


@pytest.mark.parametrize("header", [None, "", "garbage", "Mon, 31 Feb 2026 12:55:25 GMT", "Mon, 30 Xyz 2026 12:55:25 GMT"])
def test_an_absent_or_unreadable_date_is_none(header):
    assert http_date(header) is None
