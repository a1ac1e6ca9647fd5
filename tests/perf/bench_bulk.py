# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark enrollment_token_bulk against the emulator, beside a floor and a DIY loop, in one run.

Run with ``make bench`` (PYTHONPATH=tests, ANSIBLE_COLLECTIONS_PATH pointing at the staged
collection). It starts its own emulator on loopback, runs each case as a real
``ansible-playbook``, and prints wall time, peak RSS, GET and write counts, and ratios:

* floor: a playbook with one ansible.builtin.uri call (Ansible's own start-up cost);
* DIY: ansible.builtin.uri looped over N users, what a user would write without us;
* ours: enrollment_token_bulk for each N, as first run, re-run and check mode.

It ends with the issue's targets, each marked met or MISSED, and a chunk_size sweep (first run of
``--sweep-n`` users at each of ``--chunk-sweep``), the evidence for the module's default chunk_size.

Options: ``--sizes 100,1000,10000,100000`` ``--platform apple`` ``--diy 100`` ``--chunk-size N``
``--chunk-sweep 100,250,500,1000`` ``--sweep-n 10000``.
"""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from emulator.harness import EmulatorProcess  # pylint: disable=import-error

TOKEN = "applivery-emu-admin-token"
ORG = "acme"

FLOOR = """
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.uri:
        url: "{{ url }}/v1/organizations/acme/mdm/users?limit=1"
        headers: {Authorization: "Bearer %s"}
""" % TOKEN

DIY = """
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.uri:
        url: "{{ url }}/v1/organizations/acme/mdm/%(platform)s/enterprise/enrollment-tokens/bulk"
        method: POST
        headers: {Authorization: "Bearer %(token)s"}
        body_format: json
        body: {userEmails: ["{{ item }}"], sendEmail: false%(extra)s}
      loop: "{{ lookup('ansible.builtin.file', users_file) | from_json }}"
"""

OURS = """
- hosts: localhost
  gather_facts: false
  tasks:
    - applivery.mdm.enrollment_token_bulk:
        platform: "{{ platform }}"
        users: "{{ lookup('ansible.builtin.file', users_file) | from_json }}"
        create_users: true
        chunk_size: "{{ chunk_size | int }}"
        result_detail: "{{ detail }}"
"""

PLATFORM_EXTRA = {"android": ", managementMode: DEVICE_OWNER", "aosp": ", managementMode: DEVICE_OWNER, duration: 86400"}


def run_playbook(text, extra_vars, env, check=False):
    """``(seconds, peak_rss_mb)`` of one ansible-playbook run (RSS of its largest process)."""
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as handle:
        handle.write(text)
        path = handle.name
    # A child of ours runs the playbook, so RUSAGE_CHILDREN measures this run alone.
    probe = ("import resource, subprocess, sys\n"
             "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc)\n")
    cmd = [sys.executable, "-c", probe, os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), path,
           "-e", json.dumps(extra_vars)] + (["--check"] if check else [])
    start = time.monotonic()
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout.split()
    seconds = time.monotonic() - start
    os.unlink(path)
    if out[1] != "0":
        raise RuntimeError("playbook failed (rc %s)" % out[1])
    return seconds, int(out[0]) / 1024.0


def measure(control, label, n, text, extra_vars, env, check=False):
    mark = control.last_seq()
    seconds, rss = run_playbook(text, extra_vars, env, check)
    summary = control.summary(mark)
    return {"case": label, "n": n, "seconds": seconds, "rss_mb": rss, "gets": summary["reads"], "writes": summary["writes"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000,100000")
    parser.add_argument("--platform", default="apple")
    parser.add_argument("--diy", type=int, default=100)
    parser.add_argument("--chunk-size", type=int, default=500)
    parser.add_argument("--chunk-sweep", default="100,250,500,1000",
                        help="chunk sizes to compare on a first run of --sweep-n users (the evidence for the default); '' skips it")
    parser.add_argument("--sweep-n", type=int, default=10000)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    rows = []
    with EmulatorProcess() as emu:
        control = emu.control
        env = dict(os.environ, APPLIVERY_API_URL=emu.url, APPLIVERY_API_TOKEN=TOKEN, APPLIVERY_ORGANIZATION=ORG,
                   ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
        workdir = tempfile.mkdtemp(prefix="bench-")
        # the floor is the median of three runs: one run on a busy machine can be off by seconds
        floors = [measure(control, "floor: 1 uri call", 1, FLOOR, {"url": emu.url}, env) for attempt in range(3)]
        rows.append(sorted(floors, key=lambda r: r["seconds"])[1])
        diy_file = os.path.join(workdir, "diy.json")
        with open(diy_file, "w") as handle:
            json.dump(["diy-%d@example.com" % i for i in range(args.diy)], handle)
        diy_text = DIY % {"platform": args.platform, "token": TOKEN, "extra": PLATFORM_EXTRA.get(args.platform, "")}
        rows.append(measure(control, "DIY uri loop (create)", args.diy, diy_text, {"url": emu.url, "users_file": diy_file}, env))
        for n in sizes:
            control.reset()
            users_file = os.path.join(workdir, "users-%d.json" % n)
            with open(users_file, "w") as handle:
                json.dump(["user%06d@bench.example.com" % i for i in range(n)], handle)
            extra = {"platform": args.platform, "users_file": users_file, "chunk_size": args.chunk_size, "detail": "all"}
            changes = dict(extra, detail="changes")
            rows.append(measure(control, "ours: check mode (plan all)", n, OURS, extra, env, check=True))
            rows.append(measure(control, "ours: first run (all created)", n, OURS, extra, env))
            rows.append(measure(control, "ours: re-run (nothing to do)", n, OURS, extra, env))
            rows.append(measure(control, "ours: check mode (nothing)", n, OURS, extra, env, check=True))
            rows.append(measure(control, "  result_detail=changes: re-run", n, OURS, changes, env))
            rows.append(measure(control, "  result_detail=changes: check", n, OURS, changes, env, check=True))
            print("  ... N=%d done" % n, file=sys.stderr)
        sweep_rows = []
        sweep_file = os.path.join(workdir, "sweep.json")
        with open(sweep_file, "w") as handle:
            json.dump(["sweep%06d@bench.example.com" % i for i in range(args.sweep_n)], handle)
        for chunk in [int(c) for c in args.chunk_sweep.split(",") if c]:
            control.reset()
            extra = {"platform": args.platform, "users_file": sweep_file, "chunk_size": chunk, "detail": "changes"}
            row = measure(control, "sweep", args.sweep_n, OURS, extra, env)
            row["chunk"] = chunk
            sweep_rows.append(row)
            print("  ... chunk_size %d done" % chunk, file=sys.stderr)
    floor = rows[0]["seconds"]
    diy_per_user = (rows[1]["seconds"] - floor) / rows[1]["n"]
    print("\nplatform=%s chunk_size=%d; floor %.2f s; DIY %.1f ms per user above the floor\n"
          % (args.platform, args.chunk_size, floor, diy_per_user * 1000))
    print("%-32s %7s %9s %8s %7s %7s %9s %12s %13s" % ("case", "N", "wall s", "RSS MB", "GETs", "writes", "x floor", "ms/user",
                                                       "DIY/user ÷"))
    for row in rows:
        above = row["seconds"] - floor
        per_user = max(above, 0.0) / row["n"] * 1000 if row["n"] > 1 else 0.0
        # how many times cheaper per person than the DIY loop, both measured above the floor
        if not row["case"].startswith(("ours", "  result")):
            versus_diy = "%13s" % "-"
        elif above < 0.1:
            versus_diy = "%13s" % "at the floor"
        else:
            versus_diy = "%12.0fx" % (diy_per_user / (above / row["n"]))
        print("%-32s %7d %9.2f %8.0f %7d %7d %9.2f %12.3f %s" % (
            row["case"], row["n"], row["seconds"], row["rss_mb"], row["gets"], row["writes"], row["seconds"] / floor, per_user, versus_diy))
    print_targets(rows, floor, args.chunk_size)
    if sweep_rows:
        print("\nchunk_size sweep: first run (all created) of N=%d on %s" % (args.sweep_n, args.platform))
        print("  %-10s %9s %7s %7s" % ("chunk_size", "wall s", "POSTs", "GETs"))
        for row in sweep_rows:
            print("  %-10d %9.2f %7d %7d" % (row["chunk"], row["seconds"], row["writes"], row["gets"]))


def find(rows, case, n):
    return next((r for r in rows if r["case"] == case and r["n"] == n), None)


def print_targets(rows, floor, chunk_size):
    """The issue's targets, each with its measured figure and met / MISSED."""
    first, rerun, big = (find(rows, "ours: first run (all created)", 10000), find(rows, "ours: re-run (nothing to do)", 10000),
                         find(rows, "ours: re-run (nothing to do)", 100000))
    lines = []
    if first:
        lines.append(("10,000 new users: wall <= 10 s", "%.2f s" % first["seconds"], first["seconds"] <= 10))
        limit = -(-10000 // chunk_size)
        lines.append(("10,000 new users: writes <= ceil(10000/%d) = %d" % (chunk_size, limit), "%d" % first["writes"], first["writes"] <= limit))
    if rerun:
        lines.append(("10,000 re-run: wall <= 1.5 x floor (%.2f s)" % (1.5 * floor), "%.2f s = %.2f x" % (rerun["seconds"], rerun["seconds"] / floor),
                      rerun["seconds"] <= 1.5 * floor))
        lines.append(("10,000 re-run: 0 writes", "%d" % rerun["writes"], rerun["writes"] == 0))
    if big:
        lines.append(("100,000 re-run: wall <= 30 s", "%.2f s" % big["seconds"], big["seconds"] <= 30))
        lines.append(("100,000 re-run: peak RSS <= 400 MB", "%.0f MB" % big["rss_mb"], big["rss_mb"] <= 400))
    if lines:
        print("\ntargets (load average now: %s):" % " ".join("%.2f" % x for x in os.getloadavg()))
        for text, figure, met in lines:
            print("  %-52s %-18s %s" % (text, figure, "met" if met else "MISSED"))


if __name__ == "__main__":
    main()
