# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark the status read (enrollment_status_info) for 10,000 people beside the bulk re-run, in one run.

Run with ``make bench`` (beside bench_bulk.py; PYTHONPATH=tests, ANSIBLE_COLLECTIONS_PATH pointing at the staged
collection). It starts its own emulator, onboards N people with enrollment_token_bulk, marks a share of them enrolled
through the emulator's enroll control, then measures, with bench_bulk's probes (wall and CPU time of the
ansible-playbook tree, the module process's own time and peak RSS, GET and write counts from the request log):

* the bulk re-run (nothing to do), the cost the issue compares with;
* the status read of the same people, which must cost about the same and write nothing.

Options: ``--n 10000`` ``--page-caps 100,1000`` ``--repeat 3`` ``--platform apple`` ``--enrolled 1000``.
"""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import sys
import tempfile

from emulator.harness import EmulatorProcess  # pylint: disable=import-error
from perf.bench_bulk import ORG, OURS, _figure, bench_env, measure, median_row, set_page_cap, write_module_wrapper  # pylint: disable=import-error

STATUS = """
- hosts: localhost
  gather_facts: false
  tasks:
    - applivery.mdm.enrollment_status_info:
        platforms: ["{{ platform }}"]
        users: "{{ lookup('ansible.builtin.file', users_file) | from_json }}"
"""
RERUN = "bulk re-run (nothing to do)"
READ = "status read (enrollment_status_info)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--page-caps", default="100,1000")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measured case per page cap (median kept)")
    parser.add_argument("--platform", default="apple")
    parser.add_argument("--enrolled", type=int, default=1000, help="people marked enrolled through the emulator")
    args, dummy = parser.parse_known_args()  # make bench passes BENCH_ARGS to every bench: ignore the others' options
    rows = []
    with EmulatorProcess() as emu:
        control = emu.control
        workdir = tempfile.mkdtemp(prefix="bench-status-")
        env = bench_env(emu.url, workdir)
        users_file = os.path.join(workdir, "users.json")
        with open(users_file, "w") as handle:
            json.dump(["status%06d@bench.example.com" % i for i in range(args.n)], handle)
        extra = {"ansible_python_interpreter": write_module_wrapper(workdir), "platform": args.platform, "users_file": users_file,
                 "chunk_size": 500, "detail": "all"}
        measure(control, "bulk first run", args.n, OURS, extra, env)
        tokens = [t for t in control.state_tokens(ORG, args.platform) if (t.get("mdmUser") or {}).get("email", "").startswith("status")]
        for token in tokens[:args.enrolled]:
            control.enroll_token(ORG, args.platform, token["id"])
        for cap in [int(c) for c in args.page_caps.split(",") if c]:
            if not set_page_cap(control, cap):
                cap = None
            rows.append(median_row([measure(control, RERUN, args.n, OURS, extra, env, cap=cap) for attempt in range(args.repeat)]))
            rows.append(median_row([measure(control, READ, args.n, STATUS, extra, env, cap=cap) for attempt in range(args.repeat)]))
            print("  ... page cap %s done" % cap, file=sys.stderr)
    print("\nstatus read beside the bulk re-run: N=%d on %s, %d enrolled; median of %d runs\n" % (args.n, args.platform, args.enrolled, args.repeat))
    print("%-38s %5s %8s %7s %9s %9s %10s %6s %7s %12s" % (
        "case", "cap", "wall s", "CPU s", "module s", "mod CPU s", "module MB", "GETs", "writes", "÷ bulk re-run"))
    for row in rows:
        base = next(r for r in rows if r["case"] == RERUN and r["cap"] == row["cap"])
        print("%-38s %5s %8.2f %7.2f %9s %9s %10s %6d %7d %12s" % (
            row["case"], row["cap"] or "-", row["seconds"], row["cpu_s"], _figure(row["module_s"], "%.2f"), _figure(row["module_cpu_s"], "%.2f"),
            _figure(row["module_mb"], "%.0f"), row["gets"], row["writes"], "%.2f" % (row["seconds"] / base["seconds"])))
    missed = [r for r in rows if r["case"] == READ and (r["writes"] or r["seconds"] > 1.5 * next(
        b["seconds"] for b in rows if b["case"] == RERUN and b["cap"] == r["cap"]))]
    print("\ntarget: the status read writes nothing and costs at most 1.5x the bulk re-run: %s" % ("MISSED" if missed else "met"))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
