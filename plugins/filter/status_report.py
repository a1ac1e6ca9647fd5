# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: status_report
short_description: The enrollment status report files (JSON, CSV, Markdown and a self-contained HTML page)
version_added: 0.1.0
author:
  - applivery.mdm contributors (@applivery-mdm)
description:
  - Takes the result of M(applivery.mdm.enrollment_status_info) and returns the texts of the four report files the
    C(applivery.mdm.status) playbook writes, made in Python in one pass.
  - C(json) has the counts, the funnel and one row per person and platform; C(csv) one row per person and platform;
    C(md) the counts per platform and state and the first people who need attention, short enough for a pull-request
    comment or a CI job summary; C(html) one page with the counts, an invited to enrolled funnel per platform drawn as
    inline SVG and a sortable table of people. The page loads nothing from the network (its Content-Security-Policy
    forbids it) and holds no enrollment link.
options:
  _input:
    description: The registered result of M(applivery.mdm.enrollment_status_info).
    type: dict
    required: true
  title:
    description: The title of the Markdown and HTML reports.
    type: str
    default: Enrollment status
"""

EXAMPLES = r"""
- name: The status page
  ansible.builtin.copy:
    dest: reports/status.html
    content: "{{ (status | applivery.mdm.status_report).html }}"
    mode: "0600"
"""

RETURN = r"""
_value:
  description: A dict with C(json), C(csv), C(md) and C(html), the texts of the files.
  type: dict
"""

import json
from html import escape

from ansible_collections.applivery.mdm.plugins.module_utils._csv import csv_text as rows_csv
from ansible_collections.applivery.mdm.plugins.module_utils._status import ROW_KEYS, STATES

COLOURS = {"enrolled": "#2e7d32", "pending": "#ef8f00", "expired": "#8d6e63", "revoked": "#607d8b",
           "not_invited": "#c62828", "orphaned": "#6a1b9a"}
MD_PEOPLE = 15  # people needing attention listed in status.md

_CSS = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1d2330;background:#f6f7fb}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}.meta{color:#5b6478;margin-bottom:16px}
table{border-collapse:collapse;background:#fff;box-shadow:0 1px 2px #0002}
th,td{padding:5px 8px;border-bottom:1px solid #e3e6ee;text-align:left;white-space:nowrap}th{background:#eef1f7;font-weight:600}
td.n{text-align:right;font-variant-numeric:tabular-nums}.zero{color:#b3b9c6}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px}
.funnels{display:flex;flex-wrap:wrap;gap:16px}.funnel{background:#fff;box-shadow:0 1px 2px #0002;padding:10px}
#people th{cursor:pointer;user-select:none}#people th:after{content:" \\2195";color:#9aa3b5}
"""

_SCRIPT = """
(function(){var t=document.getElementById('people');if(!t)return;var hs=t.tHead.rows[0].cells;
for(var i=0;i<hs.length;i++){(function(c){hs[c].addEventListener('click',function(){
var b=t.tBodies[0],r=Array.prototype.slice.call(b.rows),d=hs[c].getAttribute('data-dir')==='asc'?-1:1,num=hs[c].hasAttribute('data-num');
r.sort(function(x,y){var p=x.cells[c].getAttribute('data-v')||x.cells[c].textContent,q=y.cells[c].getAttribute('data-v')||y.cells[c].textContent;
if(num){p=parseFloat(p);q=parseFloat(q);p=isNaN(p)?-1:p;q=isNaN(q)?-1:q;return (p-q)*d;}return p.localeCompare(q)*d;});
for(var k=0;k<r.length;k++)b.appendChild(r[k]);for(var j=0;j<hs.length;j++)hs[j].removeAttribute('data-dir');
hs[c].setAttribute('data-dir',d===1?'asc':'desc');});})(i);}})();
"""


def _text(value):
    return "" if value is None else str(value)


def _when(value):
    """An ISO-8601 UTC time as the table shows it, to the minute: ``2026-12-20 13:24`` (sorts as the time does)."""
    return value[:16].replace("T", " ") if isinstance(value, str) and len(value) >= 16 else _text(value)


def json_text(status):
    data = dict((key, status.get(key)) for key in ("read_at", "platforms", "counts", "funnel", "fail_reason"))
    data["rows"] = [dict((k, row.get(k)) for k in ROW_KEYS) for row in status.get("rows") or []]
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def csv_text(rows):
    return rows_csv(ROW_KEYS, rows)


def md_text(status, title="Enrollment status"):
    platforms, counts = status.get("platforms") or [], status.get("counts") or {}
    lines = ["## %s" % title, "", "Read %s." % _text(status.get("read_at")), "",
             "| platform | " + " | ".join(STATES) + " | total |", "|---|" + "---:|" * (len(STATES) + 1)]
    for name in list(platforms) + (["all"] if len(platforms) > 1 else []):
        lines.append("| %s | " % name + " | ".join(str(counts.get(name, {}).get(s, 0)) for s in STATES + ("total",)) + " |")
    waiting = [r for r in status.get("rows") or [] if r["state"] != "enrolled"]
    waiting.sort(key=lambda r: (STATES.index(r["state"]), -(r.get("pending_days") or 0), r["platform"], r["email"] or ""))
    if waiting:
        lines += ["", "Not enrolled (%d):" % len(waiting), ""]
        for row in waiting[:MD_PEOPLE]:
            days = ", %g days" % row["pending_days"] if row.get("pending_days") is not None else ""
            lines.append("- `%s` %s: %s%s" % (row["email"], row["platform"], row["state"], days))
        if len(waiting) > MD_PEOPLE:
            lines.append("- and %d more (see status.csv)" % (len(waiting) - MD_PEOPLE))
    if status.get("fail_reason"):
        lines += ["", "**Failed:** %s" % status["fail_reason"]]
    return "\n".join(lines) + "\n"


def _funnel_svg(platform, stages, width=360, height=26):
    listed = max(stages.get("listed") or 0, 1)
    parts = ['<svg class="funnel" data-funnel="%s" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img" '
             'aria-label="%s: invited to enrolled">' % (escape(platform), width, 3 * (height + 8) + 30, escape(platform)),
             '<text x="0" y="16" font-size="14" font-weight="600">%s</text>' % escape(platform)]
    colours = {"listed": "#9aa3b5", "invited": "#ef8f00", "enrolled": "#2e7d32"}
    for index, stage in enumerate(("listed", "invited", "enrolled")):
        count = stages.get(stage) or 0
        span = int(round((width - 150) * count / float(listed)))
        y = 26 + index * (height + 8)
        x = 80 + (width - 150 - span) // 2
        share = "" if stage == "listed" else " (%d%%)" % round(100.0 * count / listed)
        parts.append('<text x="0" y="%d" font-size="12">%s</text>' % (y + height * 2 // 3, stage))
        parts.append('<rect x="%d" y="%d" width="%d" height="%d" rx="3" fill="%s"/>' % (x, y, max(span, 2), height, colours[stage]))
        parts.append('<text x="%d" y="%d" font-size="12" data-stage="%s" data-count="%d">%d%s</text>'
                     % (width - 64, y + height * 2 // 3, stage, count, count, share))
    return "".join(parts) + "</svg>"


def html_text(status, title="Enrollment status"):
    platforms, counts, funnel = status.get("platforms") or [], status.get("counts") or {}, status.get("funnel") or {}
    out = ['<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
           '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; '
           'script-src \'unsafe-inline\'; img-src data:; base-uri \'none\'; form-action \'none\'">',
           '<meta name="viewport" content="width=device-width, initial-scale=1"><title>%s</title>' % escape(title),
           '<style>%s</style></head><body>' % _CSS,
           '<h1>%s</h1><div class="meta">Read %s from the API; %d people and platforms.%s</div>'
           % (escape(title), escape(_text(status.get("read_at"))), len(status.get("rows") or []),
              ' <strong>%s</strong>' % escape(status["fail_reason"]) if status.get("fail_reason") else ""),
           '<h2>Counts per platform and state</h2><table id="counts"><thead><tr><th>platform</th>']
    out += ['<th><span class="badge" style="background:%s">%s</span></th>' % (COLOURS[s], s) for s in STATES]
    out.append('<th>total</th></tr></thead><tbody>')
    for name in list(platforms) + ["all"]:
        shown = counts.get(name, {})
        cells = "".join('<td class="n%s" data-count="%s:%s">%d</td>' % ("" if shown.get(s) else " zero", escape(name), s, shown.get(s, 0))
                        for s in STATES + ("total",))
        out.append('<tr><th>%s</th>%s</tr>' % (escape(name), cells))
    out.append('</tbody></table><h2>Invited &rarr; enrolled</h2><div class="funnels">')
    out += [_funnel_svg(name, funnel.get(name) or {}) for name in platforms]
    out.append('</div><h2>People</h2><table id="people"><thead><tr><th>email</th><th>platform</th><th>state</th>'
               '<th data-num>days pending</th><th>expires (UTC)</th><th>email sent</th><th>device</th><th>enrolled at (UTC)</th></tr></thead><tbody>')
    for row in status.get("rows") or []:
        days, sent, state = row.get("pending_days"), row.get("email_sent"), row["state"]
        expires = row.get("expires_at") if state != "enrolled" else None  # a used token's expiry means nothing
        out.append('<tr data-state="%s"><td>%s</td><td>%s</td><td data-v="%d"><span class="badge" style="background:%s">%s</span></td>'
                   '<td class="n" data-v="%s">%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>'
                   % (state, escape(_text(row["email"])), escape(row["platform"]), STATES.index(state), COLOURS[state], state,
                      "" if days is None else days, "" if days is None else "%g" % days, escape(_when(expires)),
                      "" if sent is None else ("yes" if sent else "no"), escape(_text(row.get("device_id"))), escape(_when(row.get("enrolled_at")))))
    out.append('</tbody></table><script>%s</script></body></html>\n' % _SCRIPT)
    return "".join(out)


def status_report(status, title="Enrollment status"):
    rows = status.get("rows") or []
    return {"json": json_text(status), "csv": csv_text(rows), "md": md_text(status, title), "html": html_text(status, title)}


class FilterModule:
    """applivery.mdm filters."""

    def filters(self):
        return {"status_report": status_report}
