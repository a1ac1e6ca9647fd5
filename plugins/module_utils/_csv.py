# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Report rows as CSV text, the one way every report file of the collection writes them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import io

# A cell that starts with one of these is a formula to a spreadsheet: it is written with a leading quote.
CSV_RISKY = ("=", "+", "-", "@", "\t", "\r")


def csv_text(columns, rows):
    """``rows`` (dicts) as CSV with a header of ``columns``: None is an empty cell, and no cell is a formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        cells = ["" if row.get(column) is None else str(row.get(column)) for column in columns]
        writer.writerow(["'" + cell if cell.startswith(CSV_RISKY) else cell for cell in cells])
    return out.getvalue()
