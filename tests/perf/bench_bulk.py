# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark enrollment_token_bulk against the emulator, beside a floor and a DIY loop, in one run.

Run with ``make bench`` (PYTHONPATH=tests, ANSIBLE_COLLECTIONS_PATH pointing at the staged
collection). It starts its own emulator on loopback, runs each case as a real
``ansible-playbook``, and prints wall time, peak RSS, GET and write counts, and ratios:

* floor: a playbook with one ansible.builtin.uri call (Ansible's own start-up cost);
* DIY: ansible.builtin.uri looped over N users, what a user would write without us;
* ours: enrollment_token_bulk for each N, as first run, re-run and check mode.

Options: ``--sizes 100,1000,10000,100000`` ``--platform apple`` ``--diy 100`` ``--chunk-size N``.
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
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    rows = []
    with EmulatorProcess() as emu:
        control = emu.control
        env = dict(os.environ, APPLIVERY_API_URL=emu.url, APPLIVERY_API_TOKEN=TOKEN, APPLIVERY_ORGANIZATION=ORG,
                   ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
        workdir = tempfile.mkdtemp(prefix="bench-")
        rows.append(measure(control, "floor: 1 uri call", 1, FLOOR, {"url": emu.url}, env))
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
    floor = rows[0]["seconds"]
    diy_per_user = (rows[1]["seconds"] - floor) / rows[1]["n"]
    print("\nplatform=%s chunk_size=%d; floor %.2f s; DIY %.1f ms per user above the floor\n"
          % (args.platform, args.chunk_size, floor, diy_per_user * 1000))
    print("%-32s %7s %9s %8s %7s %7s %9s %12s" % ("case", "N", "wall s", "RSS MB", "GETs", "writes", "x floor", "ms/user"))
    for row in rows:
        per_user = (row["seconds"] - floor) / row["n"] * 1000 if row["n"] > 1 else 0.0
        print("%-32s %7d %9.2f %8.0f %7d %7d %9.2f %12.3f" % (
            row["case"], row["n"], row["seconds"], row["rss_mb"], row["gets"], row["writes"], row["seconds"] / floor, per_user))
    print("\nDIY per-user cost / ours (first run) per-user cost, above the floor:")
    for row in rows:
        if row["case"].startswith("ours: first run") and row["seconds"] > floor:
            print("  N=%-7d %.0fx" % (row["n"], diy_per_user / ((row["seconds"] - floor) / row["n"])))


if __name__ == "__main__":
    main()
