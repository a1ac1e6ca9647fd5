# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input checks that run before any request. Each returns a list of sentences naming the field and the problem."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.applivery.mdm.plugins.module_utils._platforms import MAX_DURATION, MIN_DURATION

OBJECT_ID_RE = re.compile(r"^[a-fA-F0-9]{24}$")
# Deliberately plain: one @, a dot in the domain, no spaces, ASCII only (the API stores ASCII emails).
EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
EMAIL_MAX = 128
TAG_MAX = 128
DURATION_RE = re.compile(r"^\s*(\d+)\s*([smhdw]?)\s*$")
DURATION_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class InputError(Exception):
    """Options or input that cannot work, found before any write. Every module fails on it the same way (_module.py)."""

    def __init__(self, problems):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super(InputError, self).__init__("; ".join(self.problems))


def check_email(email, field):
    """Problems with one email address (already trimmed and lower-cased by the caller, or not)."""
    if not isinstance(email, str) or not email.strip():
        return ["%s: an email is empty" % field]
    text = email.strip()
    if len(text) > EMAIL_MAX:
        return ["%s: '%s...' is longer than %d characters" % (field, text[:40], EMAIL_MAX)]
    if not EMAIL_RE.match(text):
        if any(ord(ch) > 127 for ch in text):
            return ["%s: '%s' contains non-ASCII characters, which the API does not accept in emails" % (field, text)]
        return ["%s: '%s' is not a valid email address" % (field, text)]
    return []


def check_emails(emails, field):
    problems = []
    for email in emails:
        problems.extend(check_email(email, field))
    return problems


def check_object_id(value, field):
    if not OBJECT_ID_RE.match(value or ""):
        return ["%s: '%s' is not a 24-character hexadecimal id" % (field, value)]
    return []


def parse_duration(value, field):
    """``(seconds, problems)`` for an int of seconds or a string such as ``90m``, ``12h``, ``7d``."""
    if isinstance(value, bool):
        return None, ["%s: %r is not a duration; use seconds or a string such as 90m, 12h or 7d" % (field, value)]
    if isinstance(value, int):
        seconds = value
    else:
        match = DURATION_RE.match(str(value).lower())
        if not match:
            return None, ["%s: '%s' is not a duration; use seconds or a string such as 90m, 12h or 7d" % (field, value)]
        seconds = int(match.group(1)) * DURATION_UNITS[match.group(2)]
    return seconds, []


def check_duration(value, field, minimum=MIN_DURATION, maximum=MAX_DURATION):
    """``(seconds, problems)``: a parsed duration that must lie within [minimum, maximum] seconds."""
    seconds, problems = parse_duration(value, field)
    if problems:
        return None, problems
    if not minimum <= seconds <= maximum:
        return None, ["%s: %s is %d seconds, outside the allowed %d s to %d s" % (field, value, seconds, minimum, maximum)]
    return seconds, []


def check_tags(tags, field):
    problems = []
    for tag in tags or []:
        if not isinstance(tag, str) or not tag.strip():
            problems.append("%s: a tag is empty" % field)
        elif len(tag) > TAG_MAX:
            problems.append("%s: tag '%s...' is %d characters long; the limit is %d" % (field, tag[:40], len(tag), TAG_MAX))
    return problems
