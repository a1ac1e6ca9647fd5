# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""status_report: the four report texts from a status result. No network."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import io
import json
import re

from ansible_collections.applivery.mdm.plugins.filter.status_report import MD_PEOPLE, status_report
from ansible_collections.applivery.mdm.plugins.module_utils._status import ROW_KEYS, summarize


def status(rows):
    counts, funnel = summarize(rows, ["apple", "windows"])
    return {"rows": rows, "counts": counts, "funnel": funnel, "platforms": ["apple", "windows"], "read_at": "2026-11-22T12:00:00Z",
            "fail_reason": None}


def row(email, platform, state, **more):
    base = dict((k, None) for k in ROW_KEYS)
    base.update(email=email, platform=platform, state=state, devices=1, enrolled_devices=0)
    base.update(more)
    return base


ROWS = [row("=cmd@example.com", "apple", "pending", pending_days=3.5, email_sent=True, expires_at="2026-11-23T12:00:00Z"),
        row("ann@example.com", "apple", "enrolled", device_id="d1", enrolled_devices=1),
        row("<b>@example.com", "windows", "not_invited")]


def test_json_has_one_row_per_person_and_platform_and_the_counts():
    data = json.loads(status_report(status(ROWS))["json"])
    assert [(r["email"], r["platform"], r["state"]) for r in data["rows"]] == [(r["email"], r["platform"], r["state"]) for r in ROWS]
    assert set(data["rows"][0]) == set(ROW_KEYS) and data["counts"]["apple"]["pending"] == 1


def test_csv_quotes_formulas():
    lines = list(csv.reader(io.StringIO(status_report(status(ROWS))["csv"])))
    assert tuple(lines[0]) == ROW_KEYS and lines[1][0] == "'=cmd@example.com" and len(lines) == 4


def test_html_is_self_contained_escaped_and_carries_the_counts():
    page = status_report(status(ROWS))["html"]
    assert "default-src 'none'" in page and "<b>@" not in page and "&lt;b&gt;@example.com" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page) and "<link" not in page
    assert 'data-count="apple:pending">1<' in page and 'data-count="all:total">3<' in page
    assert page.count('<svg class="funnel"') == 2 and 'data-stage="enrolled" data-count="1"' in page


def test_markdown_is_short():
    many = [row("p%03d@example.com" % i, "apple", "pending", pending_days=float(i)) for i in range(200)]
    text = status_report(status(many))["md"]
    assert len(text.splitlines()) < MD_PEOPLE + 15 and "and %d more" % (200 - MD_PEOPLE) in text
    assert text.index("p199@") < text.index("p198@")  # the longest waits first
