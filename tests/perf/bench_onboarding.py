# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark playbooks/onboard.yml with an inventory of 10,000 people (hosts), against the emulator.

Run with ``make bench`` or ``make onboarding-bench`` (PYTHONPATH=tests, ANSIBLE_COLLECTIONS_PATH pointing at the
staged collection). Generates a YAML inventory of N person hosts in one group per platform (platform and
policy in group vars), runs ``ansible-playbook applivery.mdm.onboard -i people.yml`` twice (first run: everyone
gets a token; re-run: nothing to do), and prints the wall time, the API reads and writes of each run, and
where the time went: start-up and inventory parsing (until the first task starts), then each task.

Each pair of runs is made twice: with Ansible's defaults, and with ANSIBLE_INJECT_FACT_VARS=False. With the
default (True), Ansible's VariableManager cleans the (empty) facts of every host each time a host's variables are
read, which globs the connection plugin directories: about half the cost of reading 10,000 people's hostvars.
The onboarding playbooks gather no facts, so turning it off (as Ansible 2.19 already recommends: top-level fact
variables are deprecated) changes nothing but the time.

Wall time depends on the machine's load; the CPU seconds of the ansible-playbook process tree are printed too.

Measured on the 2-core machine (load average about 2): 18 s for the first run and for the re-run, 20 writes
(4 platforms x 5 chunks of 500) then 0; the largest step is reading the people's hostvars (4.5 s, 2.8 s without
fact injection), then start-up with the 10,000-host inventory (2.5 s) and each platform's bulk call (1.5-2 s).
Under the load of other test suites (load average 5) the same runs took 34-38 s.

Options: ``--people 10000`` ``--target 30`` (seconds a run may take; exit status 1 when any run is slower)
``--configs default,no-inject``.
"""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

from emulator.harness import EmulatorProcess  # pylint: disable=import-error

TOKEN = "applivery-emu-admin-token"
ORG = "acme"
PLATFORMS = (("apple", "Corporate Standard"), ("android", "Corporate Standard"), ("windows", "Corporate Standard Plus"), ("aosp", "Kiosk"))

# A callback that writes when each task started, so that the time per task can be printed.
TIMING_CALLBACK = '''
from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: onboarding_bench_timing
type: aggregate
short_description: task start times for bench_onboarding.py
description: Writes [name, start] per task and the end time to the file in ONBOARDING_BENCH_TIMING.
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "onboarding_bench_timing"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.tasks = []

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.tasks.append([task.get_name(), time.time()])

    def v2_playbook_on_stats(self, stats):
        with open(os.environ["ONBOARDING_BENCH_TIMING"], "w") as handle:
            json.dump({"tasks": self.tasks, "end": time.time()}, handle)
'''


def write_inventory(path, people):
    """A YAML inventory of ``people`` hosts, spread over one group per platform (written as text: fast)."""
    per_platform = dict((platform, []) for platform, _policy in PLATFORMS)
    for index in range(people):
        per_platform[PLATFORMS[index % len(PLATFORMS)][0]].append("person%05d@bench.example.com" % index)
    lines = ["---", "all:", "  children:"]
    for platform, policy in PLATFORMS:
        lines += ["    %s_people:" % platform, "      vars:", "        applivery_platform: %s" % platform,
                  "        applivery_policy: %s" % policy, "      hosts:"]
        lines += ["        %s:" % email for email in per_platform[platform]]
    with open(path, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    return per_platform


def run_playbook(inventory, report_dir, env, timing_file):
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "applivery.mdm.onboard", "-i", inventory,
           "-e", json.dumps({"applivery_onboarding_report_dir": report_dir})]
    start = time.time()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    seconds = time.time() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    if result.returncode != 0:
        raise RuntimeError("the playbook failed (rc %d):\n%s" % (result.returncode, result.stdout[-3000:]))
    if TOKEN in result.stdout + result.stderr:
        raise RuntimeError("the API token appears in the playbook output")
    with open(timing_file) as handle:
        timing = json.load(handle)
    return seconds, cpu, start, timing


def phases(start, timing):
    """[(phase, seconds)]: start-up and inventory until the first task, then each task (tasks of the same name summed)."""
    tasks = timing["tasks"]
    out = [("start-up, inventory, role argument spec", tasks[0][1] - start if tasks else timing["end"] - start)]
    totals = {}
    order = []
    for index, (name, began) in enumerate(tasks):
        ended = tasks[index + 1][1] if index + 1 < len(tasks) else timing["end"]
        if name not in totals:
            order.append(name)
        totals[name] = totals.get(name, 0.0) + ended - began
    out += [(name, totals[name]) for name in order]
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument("--target", type=float, default=30.0)
    parser.add_argument("--configs", default="default,no-inject")
    args = parser.parse_args()
    configs = {"default": {}, "no-inject": {"ANSIBLE_INJECT_FACT_VARS": "False"}}
    workdir = tempfile.mkdtemp(prefix="bench-onboarding-")
    plugin_dir = os.path.join(workdir, "callback_plugins")
    os.mkdir(plugin_dir)
    with open(os.path.join(plugin_dir, "onboarding_bench_timing.py"), "w") as handle:
        handle.write(TIMING_CALLBACK)
    inventory = os.path.join(workdir, "people.yml")
    per_platform = write_inventory(inventory, args.people)
    timing_file = os.path.join(workdir, "timing.json")
    rows = []
    slow = False
    with EmulatorProcess() as emu:
        control = emu.control
        env = dict(os.environ, APPLIVERY_API_URL=emu.url, APPLIVERY_API_TOKEN=TOKEN, APPLIVERY_ORGANIZATION=ORG,
                   ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_CALLBACK_PLUGINS=plugin_dir,
                   ANSIBLE_CALLBACKS_ENABLED="onboarding_bench_timing", ONBOARDING_BENCH_TIMING=timing_file)
        for config in args.configs.split(","):
            control.reset()
            for label in ("first run", "re-run"):
                mark = control.last_seq()
                seconds, cpu, start, timing = run_playbook(inventory, os.path.join(workdir, "reports"), dict(env, **configs[config]), timing_file)
                summary = control.summary(mark)
                with open(os.path.join(workdir, "reports", "onboarding.json")) as handle:
                    report = json.load(handle)
                actions = {}
                for row in report:
                    actions[row["action"]] = actions.get(row["action"], 0) + 1
                rows.append(("%s, %s" % (label, config), seconds, cpu, summary, actions, phases(start, timing)))
                slow = slow or seconds > args.target
                print("  ... %s, %s: %.1f s" % (label, config, seconds), file=sys.stderr)
    load = os.getloadavg()
    print("\n%d people in %s; target %.0f s per run\n" % (
        args.people, ", ".join("%d %s" % (len(v), k) for k, v in per_platform.items()), args.target))
    print("load average at the end: %.1f %.1f %.1f (2 cores)\n" % load)
    print("%-24s %8s %8s %7s %7s  %s" % ("run", "wall s", "cpu s", "reads", "writes", "report actions"))
    for label, seconds, cpu, summary, actions, _phases in rows:
        print("%-24s %8.2f %8.2f %7d %7d  %s" % (label, seconds, cpu, summary["reads"], summary["writes"], actions))
    for label, seconds, _cpu, _summary, _actions, run_phases in rows:
        print("\nwhere the time went, %s:" % label)
        for name, phase_seconds in sorted(run_phases, key=lambda p: -p[1])[:8]:
            print("  %7.2f s  %s" % (phase_seconds, name))
    if slow:
        print("\nSLOWER THAN THE TARGET of %.0f s" % args.target)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
