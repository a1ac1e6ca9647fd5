# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input checks name the field and the problem."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.applivery.mdm.plugins.module_utils import _validation as validation


@pytest.mark.parametrize("email", ["alice@example.com", " Bob.Smith+mdm@Sub.Example.co.uk "])
def test_good_emails(email):
    assert validation.check_email(email, "users") == []


@pytest.mark.parametrize("email, problem", [
    ("", "users: an email is empty"),
    ("   ", "users: an email is empty"),
    ("not-an-email", "users: 'not-an-email' is not a valid email address"),
    ("a@b", "users: 'a@b' is not a valid email address"),
    ("jos\u00e9@example.com", "non-ASCII"),
    ("a" * 120 + "@example.com", "longer than 128 characters"),
])
def test_bad_emails(email, problem):
    problems = validation.check_email(email, "users")
    assert len(problems) == 1 and problem in problems[0]


@pytest.mark.parametrize("value, seconds", [(60, 60), ("90m", 5400), ("12h", 43200), ("7d", 604800), ("30d", 2592000), ("3600", 3600)])
def test_durations(value, seconds):
    assert validation.check_duration(value, "duration") == (seconds, [])


@pytest.mark.parametrize("value, problem", [
    (59, "outside the allowed"), ("31d", "outside the allowed"), ("soon", "is not a duration"), ("-5m", "is not a duration"),
    (True, "is not a duration"),
])
def test_bad_durations(value, problem):
    seconds, problems = validation.check_duration(value, "duration")
    assert seconds is None and problem in problems[0] and problems[0].startswith("duration: ")


def test_object_ids_and_tags():
    assert validation.check_object_id("64b000000000000000000001", "policy") == []
    assert validation.check_object_id("64b00000000000000000000z", "policy") == ["policy: '64b00000000000000000000z' is not a 24-character hexadecimal id"]
    assert validation.check_tags(["ok"], "tags") == []
    assert "the limit is 128" in validation.check_tags(["x" * 129], "tags")[0]
