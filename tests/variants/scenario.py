"""One §8.1 variant (V1-V10) played end to end: the people, the playbooks, and what the emulator says happened.

Per variant, against the shared emulator (reset, then the variant's preset):

1. ``prepare``: tokens that exist before the runs are injected through the control API. Named people with a
   matching, an expired, an expiring, a drifted or a duplicated token, people who enrolled (DONE or PROCESSING,
   with a device id), people with ``devices: 2`` or ``reinvite``; and people named in NO task who have tokens.
2. ``run 1``: per platform the single module's check mode, create and re-run, and the single module for a person who
   enrolled; then the bulk module on every platform (one ansible-playbook, one host per platform, so a step runs on
   the four platforms at once). At the same time, in a second ansible-playbook, the role onboards its own people in
   another organization (ROLE_ORG): the request log's paths name the organization, so both are still read exactly.
3. Between the runs some named people enroll through the emulator (``POST /_emulator/state/tokens/enroll``).
4. ``run 2``: per platform the single module's absent and absent again, absent for the enrolled person; the bulk
   module again; the role again. Everything in run 2 must write nothing.

Every module task sits between two markers (``/_emulator/requests/summary``, read by a lookup on the controller and
never logged), so each task's writes are read from the request log. Nothing here believes a module result: each
per-person result is checked against the emulator's state (``/_emulator/state``, always in the default shape).
"""

from __future__ import annotations

import json
import os
import re
import sys
import time

import yaml

from reliability.helpers import finish_playbook, start_playbook

ACME = "acme"
# The role runs in its own organization, at the same time as the single and bulk steps: the request log's paths say
# which organization each request is for, so each part's writes are still read exactly.
ROLE_ORG = "other-org"
ROLE_TOKEN = "applivery-emu-other-org-token"
ADMIN_TOKEN = "applivery-emu-admin-token"
VARIANT_ORDER = ("V1", "V2", "V3", "V4", "V5", "V6", "V7", "V8", "V9", "V10")
PLATFORMS = ("android", "apple", "windows", "aosp")
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
VALID, ENROLLED = "PENDING", ("DONE", "PROCESSING")
DEVICE_FIELD = {"android": "emmDevice", "apple": "admDevice", "windows": "winDeviceId", "aosp": "aosDeviceId"}
POLICY = {"android": "64b100000000000000000001", "apple": "64b200000000000000000001",
          "windows": "64b300000000000000000001", "aosp": "64b400000000000000000003"}
# The seed gives other-org no policies: the suite's emulator copies acme's there under these ids (see seed_with_role_policies).
ROLE_POLICY = dict((p, "64b%s%020x" % (pid[3], 0x300 + int(pid[-2:]))) for p, pid in POLICY.items())
ORG_POLICY = {ACME: POLICY, ROLE_ORG: ROLE_POLICY}
POLICY_NAME = {"android": "Corporate Standard", "apple": "Corporate Standard", "windows": "Corporate Standard", "aosp": "Kiosk"}
DAY = 86400
WEEK = 7 * DAY
BULK_MARKER = "matrix:bulk"
ROLE_MARKER = "managed-by:applivery.mdm"
TOKEN_PATH = re.compile(r"/mdm/(android|apple|windows|aosp)/enterprise/enrollment-tokens(?:/(bulk|[0-9a-fA-F]{24}))?$")

# Results a real run may give per case, for the expected-action check (truth is checked separately, for every action).
BULK_CASES = {
    # case: (how many people, own settings, tokens before run 1, expected action in run 1, expected action in run 2)
    "new": (8, {}, [], "created", "unchanged"),
    "user": (3, {}, ["deleted"], "created", "unchanged"),
    "ok": (4, {}, ["match"], "unchanged", "unchanged"),
    "expired": (2, {}, ["expired"], "renewed", "unchanged"),
    "expiring": (1, {}, ["expiring"], "renewed", "unchanged"),
    "drift": (2, {}, ["drift"], "recreated", "unchanged"),
    "dup": (1, {}, ["match", "match"], "unchanged", "unchanged"),
    "enrolled": (1, {}, ["done"], "enrolled", "enrolled"),
    "processing": (1, {}, ["processing"], "enrolled", "enrolled"),
    "two": (1, {"devices": 2}, [], "created", "unchanged"),
    "twodone": (1, {"devices": 2}, ["done"], "created", "unchanged"),
    "reinvite": (1, {"reinvite": True}, ["done"], "created", "unchanged"),
    "named": (1, {"display_name": "Matrix person"}, [], "created", "unchanged"),
}
ROLE_CASES = {
    "new": (3, {}, [], "created", "unchanged"),
    "ok": (1, {}, ["match"], "unchanged", "unchanged"),
    "expired": (1, {}, ["expired"], "renewed", "unchanged"),
    "two": (1, {"devices": 2}, [], "created", "unchanged"),
    "enrolled": (1, {}, ["done"], "enrolled", "enrolled"),
}
# V3 only: a second bulk task whose confirm_timeout (1 s) is shorter than the emulator's delay (2 s). Its people are
# reported unconfirmed, their requests are never resent, and run 2 finds their tokens and writes nothing.
LATE_CASES = {"late": (3, {}, [], "unconfirmed", "unchanged")}
LATE_MARKER = "matrix:late"
PART_CASES = {"bulk": BULK_CASES, "role": ROLE_CASES, "late": LATE_CASES}
# Who enrolls between run 1 and run 2: (case, person index, state, how many of the person's valid tokens).
BULK_ENROLLS = (("new", 0, "DONE", 1), ("ok", 0, "DONE", 1), ("ok", 1, "PROCESSING", 1), ("two", 0, "DONE", 1))
ROLE_ENROLLS = (("new", 0, "DONE", 1), ("two", 0, "DONE", 1))
# Rows whose run 2 reads under another flavour of the same difference (§8.1 names several): the tokens run 1 made
# under the preset must read as right under this one too.
RUN2_SETTINGS = {"V2": {"list_order": "ignore_sort"}, "V5": {"expiry_shape": "none"}, "V7": {"echo": "assignments_only"},
                 "V9": {"page_cap": 50}}
# People named in no task: their tokens must never be written.
OTHER_TOKENS = (("pending", ["match"]), ("tagged", ["match"]), ("done", ["done"]), ("expired", ["expired"]))
# After run 2, these reported "enrolled" and must have no valid token left (everyone else: devices - enrolled, or 1).
ENROLLED_AFTER = {"bulk": {("new", 0), ("ok", 0), ("ok", 1), ("enrolled", 0), ("processing", 0)},
                  "role": {("new", 0), ("enrolled", 0)}, "late": set()}


def email(kind, platform, case, index=0):
    return "%s-%s-%s-%02d@example.com" % (kind, platform, case, index)


# ---------------------------------------------------------------------------------------------------- settings
def bulk_args(platform):
    """Options of the bulk task on ``platform``: every reconcile option set (policies, tags, expiry, drift, duplicates)."""
    args = {"platform": platform, "policy": POLICY_NAME[platform], "tags": ["matrix"], "duration": "7d", "renew_before": "1d",
            "on_drift": "update" if platform == "windows" else "recreate", "revoke_duplicates": True, "exclusive": True,
            "marker_tag": BULK_MARKER, "create_users": True, "chunk_size": 10, "fail_on_error": False}
    if platform in ("android", "aosp"):
        args["management_mode"] = "DEVICE_OWNER"
    if platform in ("apple", "aosp"):  # the bulk pages of Android and Windows do not document segmentId
        args["segment_id"] = 1
    return args


def single_args(platform):
    args = {"platform": platform, "policy": POLICY_NAME[platform], "tags": ["single"], "display_name": "Matrix %s" % platform,
            "duration": "7d", "renew_before": "1d", "on_drift": "update" if platform == "windows" else "recreate",
            "revoke_duplicates": True, "create_user": True}
    if platform in ("android", "aosp"):
        args["management_mode"] = "DEVICE_OWNER"
    if platform != "android":  # the Android create page does not document segmentId
        args["segment_id"] = 1
    return args


def role_platforms():
    settings = dict((p, {"policy": POLICY_NAME[p], "tags": ["role"], "duration": "7d"}) for p in PLATFORMS)
    settings["android"]["management_mode"] = settings["aosp"]["management_mode"] = "DEVICE_OWNER"
    return settings


def _absent(per_platform):
    return dict((platform, dict(args, state="absent")) for platform, args in per_platform.items())


def seed_with_role_policies(path):
    """The emulator's bundled seed with acme's policies copied to the role's organization (ids ``ROLE_POLICY``'s form)."""
    with open(path, encoding="utf-8") as handle:
        seed = yaml.safe_load(handle)
    orgs = dict((org["slug"], org) for org in seed["organizations"])
    orgs[ROLE_ORG]["policies"] = [dict(p, id="64b%s%020x" % (p["id"][3], 0x300 + int(p["id"][-2:]))) for p in orgs[ACME]["policies"]]
    return seed


def _token_spec(platform, address, kind, tags, org=ACME):
    """An injected token of ``kind`` (match, drift, expired, expiring, deleted, done, processing)."""
    spec = {"email": address, "tags": list(tags), "policyId": ORG_POLICY[org][platform], "duration": WEEK, "createdOffsetSeconds": -3600}
    if platform in ("android", "aosp"):
        spec["managementMode"] = "DEVICE_OWNER"
    if platform in ("apple", "aosp"):
        spec["segmentId"] = 1
    if kind == "drift":
        spec["tags"] = ["old"] + [t for t in tags if t not in ("matrix", "role")]
    elif kind == "expired":
        spec.update(duration=DAY, createdOffsetSeconds=-2 * DAY)
    elif kind == "expiring":
        spec["createdOffsetSeconds"] = -(WEEK - 12 * 3600)  # 12 hours left: inside renew_before 1d
    elif kind == "deleted":
        spec["state"] = "DELETED"
    return spec


# ---------------------------------------------------------------------------------------------------- state
class State:
    """The emulator's real state of acme on every platform: ``tokens[platform][id]`` as plain dicts."""

    def __init__(self, ctl, org=ACME):
        self.now = ctl.clock()["now"]
        self.emails = dict((u["id"], u["email"].lower()) for u in ctl.state_users(org))
        self.tokens = {}
        for platform in PLATFORMS:
            self.tokens[platform] = {}
            for raw in ctl.state_tokens(org, platform):
                user = raw.get("mdmUser") or {}
                owner = (user.get("email") or self.emails.get(raw.get("mdmUserId") or user.get("id")) or "").lower()
                self.tokens[platform][raw["id"]] = {
                    "id": raw["id"], "email": owner, "state": raw.get("state") or raw.get("status"),
                    "device": raw.get(DEVICE_FIELD[platform]), "created": raw.get("createdAt"), "tags": raw.get("tags") or []}

    def of(self, platform, address):
        return [t for t in self.tokens[platform].values() if t["email"] == address]

    def valid(self, platform, address):
        return [t for t in self.of(platform, address) if t["state"] == VALID]

    def enrolled(self, platform, address):
        return [t for t in self.of(platform, address) if t["state"] in ENROLLED]


# ---------------------------------------------------------------------------------------------------- playbooks
def _lookup_mark(control_url):
    return ("{{ lookup('ansible.builtin.url', '%s/_emulator/requests/summary?since=1000000000000', split_lines=False, "
            "use_proxy=False) | from_json | combine({'at': now(utc=true).timestamp()}) }}" % control_url)


class Playbook:
    """Steps on the four platform hosts at once (one host per platform), or the role on one host (``controller``).

    Every step sits between two markers (a ``run_once`` lookup on the controller), and a last task per host saves
    every registered result and the markers. A step's module options come per host from ``matrix_args``.
    """

    def __init__(self, control_url, workdir):
        self.control_url = control_url
        self.workdir = workdir
        self.names = []
        self.args = {}
        self.tasks = {"platforms": [self._mark(0)], "role": []}
        self.role_vars = None

    def _mark(self, index):
        return {"name": "mark %d" % index, "run_once": True, "ansible.builtin.set_fact": {"matrix_mark_%d" % index: _lookup_mark(self.control_url)}}

    def step(self, name, module, per_platform, check_mode=False):
        """``module`` on every platform host at once, with ``per_platform[platform]`` as its options."""
        index = len(self.names)
        self.args[name] = per_platform
        options = sorted(set(k for args in per_platform.values() for k in args))
        task = {"name": name, "applivery.mdm.%s" % module: dict(
            (k, "{{ matrix_args[%s][inventory_hostname].%s | default(omit) }}" % (json.dumps(name), k)) for k in options),
            "register": "matrix_result_%d" % index, "ignore_errors": True}
        if check_mode:
            task["check_mode"] = True
        self.tasks["platforms"] += [task, self._mark(index + 1)]
        self.names.append(name)

    def role(self, name, role_vars):
        """The role on the ``role`` host, in a block, so that a failure in it still lets the results be saved."""
        index = len(self.names)
        self.role_vars = role_vars
        self.tasks["role"] += [
            {"name": name, "block": [{"name": "the role", "ansible.builtin.include_role": {"name": "applivery.mdm.device_onboarding"}}],
             "rescue": [{"name": "keep the failure", "ansible.builtin.set_fact": {
                 "matrix_result_%d" % index: {"failed": True, "msg": "{{ ansible_failed_result.msg | default('') }}"}}}]},
            {"name": "keep the role's result", "ansible.builtin.set_fact": {
                "matrix_result_%d" % index: "{{ matrix_result_%d | default(applivery_onboarding_result | default({})) }}" % index}},
            self._mark(index + 1)]
        self.names.append(name)

    def _save(self, indexes):
        results = ", ".join("%s: matrix_result_%d | default(None)" % (json.dumps(self.names[i]), i) for i in indexes)
        marks = ", ".join("%d: [matrix_mark_%d.last_seq, matrix_mark_%d.at]" % (i, i, i) for i in sorted(set(indexes + [j + 1 for j in indexes])))
        return {"name": "save the results", "ansible.builtin.copy": {
            "content": "{{ {'results': {%s}, 'marks': {%s}} | to_json }}" % (results, marks),
            "dest": os.path.join(self.workdir, "matrix-{{ inventory_hostname }}.json"), "mode": "0600"}, "diff": False}

    def document(self):
        role_index = [i for i, n in enumerate(self.names) if n not in self.args]
        steps = [i for i, n in enumerate(self.names) if n in self.args]
        plays = []
        if steps:
            plays.append({"name": "steps on every platform", "hosts": "platforms", "gather_facts": False, "vars": {"matrix_args": self.args},
                          "tasks": self.tasks["platforms"] + [self._save(steps)]})
        if self.tasks["role"]:
            plays.append({"name": "the role", "hosts": "controller", "gather_facts": False, "vars": self.role_vars,
                          "tasks": [self._mark(role_index[0])] + self.tasks["role"] + [self._save(role_index)]})
        return plays

    def inventory(self, python):
        path = os.path.join(self.workdir, "inventory.ini")
        os.makedirs(self.workdir, exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("[platforms]\n%s\n[controller]\nrole\n[all:vars]\nansible_connection=local\nansible_python_interpreter=%s\n"
                         % ("\n".join(PLATFORMS), python))
        return path


class Segment:
    """One task's slice of the request log: its writes, and the token ids they touched."""

    def __init__(self, name, entries, org=ACME):
        self.name = name
        self.writes = [e for e in entries if e["method"] in WRITE_METHODS and e["path"].startswith("/v1/organizations/%s/" % org)]
        self.token_writes = []  # (method, platform, token id or "bulk" or None)
        for entry in self.writes:
            match = TOKEN_PATH.search(entry["path"])
            if match:
                self.token_writes.append((entry["method"], match.group(1), match.group(2)))

    def touched(self, platform):
        """Ids of existing tokens of ``platform`` that a PUT or DELETE addressed."""
        return [t for m, p, t in self.token_writes if p == platform and t not in (None, "bulk")]

    def count(self, platform=None):
        """Writes in all, or those on ``platform``'s paths (a user created, /mdm/users, is on no platform's)."""
        return len(self.of(platform))

    def of(self, platform=None):
        return [e for e in self.writes if platform is None or "/mdm/%s/" % platform in e["path"]]


# ---------------------------------------------------------------------------------------------------- the scenario
class Scenario:
    """Everything one variant does and measures. ``problems`` lists every failed check, by part."""

    def __init__(self, variant, emulator, workdir, env):
        self.variant = variant
        self.url = emulator.url
        self.ctl = emulator.control
        self.workdir = workdir
        self.env = env
        self.problems = {"single": [], "bulk": [], "role": []}
        self.metrics = {}
        self.people = {"bulk": {}, "role": {}, "late": {}}  # part -> platform -> [(case, index, email, own settings)]
        self.others = dict((p, []) for p in PLATFORMS)
        self.enrolled_single = {}                 # platform -> email of the single person who enrolled before
        self.timings = {}

    # ------------------------------------------------------------------ prepare
    def prepare(self):
        self.ctl.reset()
        preset = self.ctl.variants()[self.variant]["settings"]
        self.ctl.set_variant(self.variant)
        self.metrics["settings"] = [dict(preset), dict(preset, **RUN2_SETTINGS.get(self.variant, {}))]
        for platform in PLATFORMS:
            batch, role_batch = [], []
            self._prepare_part(batch, "bulk", "b", platform, BULK_CASES, ["matrix", BULK_MARKER])
            self._prepare_part(role_batch, "role", "r", platform, ROLE_CASES, ["role", ROLE_MARKER])
            self._inject(platform, role_batch, ROLE_ORG)
            if self.variant == "V3":
                self._prepare_part(batch, "late", "l", platform, LATE_CASES, [])
            for case, kinds in OTHER_TOKENS:
                address = email("o", platform, case)
                batch.extend((address, kind, ["matrix"] if case == "tagged" else ["other"]) for kind in kinds)
                self.others[platform].append(address)
            self.enrolled_single[platform] = email("s", platform, "enrolled")
            batch.append((self.enrolled_single[platform], "done", ["single"]))
            self._inject(platform, batch)

    def second_run_settings(self):
        """Run 2 of some rows reads under the row's other flavour (``RUN2_SETTINGS``): what run 1 made, seen another way."""
        if self.variant in RUN2_SETTINGS:
            self.ctl.set_settings(**RUN2_SETTINGS[self.variant])

    def _prepare_part(self, batch, part, kind, platform, cases, tags):
        people = self.people[part].setdefault(platform, [])
        for case, (count, own, kinds, _first, _second) in sorted(cases.items()):
            for index in range(count):
                address = email(kind, platform, case, index)
                people.append((case, index, address, own))
                batch.extend((address, token_kind, tags) for token_kind in kinds)

    def _inject(self, platform, batch, org=ACME):
        """Inject ``[(email, kind, tags)]`` in one call; enrolled kinds are injected PENDING, then enrolled (a device id)."""
        specs = [_token_spec(platform, address, "match" if kind in ("done", "processing") else kind, tags, org) for address, kind, tags in batch]
        ids = self.ctl.inject_tokens(org, platform, specs)
        for token_id, (_address, kind, _tags) in zip(ids, batch):
            if kind in ("done", "processing"):
                self.ctl.enroll_token(org, platform, token_id, state=kind.upper())

    # ------------------------------------------------------------------ playbooks
    def _connection(self):
        return {"api_url": self.url, "api_token": ADMIN_TOKEN, "organization": ACME}

    def _bulk_users(self, platform, part="bulk"):
        return [dict(own, email=address) if own else address for _case, _index, address, own in self.people[part][platform]]

    def _role_vars(self, run):
        users = []
        for platform in PLATFORMS:
            for _case, _index, address, own in self.people["role"][platform]:
                users.append(dict(own, email=address, platform=platform))
        return {"applivery_api_url": self.url, "applivery_api_token": ROLE_TOKEN, "applivery_organization": ROLE_ORG,
                "applivery_onboarding_users": users, "applivery_onboarding_platforms": role_platforms(),
                "applivery_onboarding_renew_before": "1d", "applivery_onboarding_on_drift": "recreate",
                "applivery_onboarding_chunk_size": 5, "applivery_onboarding_fail_on_error": False,
                "applivery_onboarding_report_dir": os.path.join(self.workdir, "reports"),
                "applivery_onboarding_report_name": "role-run%d" % run}

    def playbooks(self, run):
        """Run ``run``'s two playbooks: the single and bulk steps on the four platform hosts (acme), and the role (ROLE_ORG)."""
        steps = Playbook(self.url, os.path.join(self.workdir, "run%d" % run))
        rhythm = dict((p, dict(single_args(p), user_email=email("s", p, "rhythm"), **self._connection())) for p in PLATFORMS)
        enrolled = dict((p, dict(single_args(p), user_email=self.enrolled_single[p], **self._connection())) for p in PLATFORMS)
        if run == 1:
            steps.step("single:check", "enrollment_token", rhythm, check_mode=True)
            steps.step("single:create", "enrollment_token", rhythm)
            steps.step("single:rerun", "enrollment_token", rhythm)
            steps.step("single:enrolled", "enrollment_token", enrolled)
        else:
            steps.step("single:absent", "enrollment_token", _absent(rhythm))
            steps.step("single:absent_again", "enrollment_token", _absent(rhythm))
            steps.step("single:enrolled_absent", "enrollment_token", _absent(enrolled))
        steps.step("bulk", "enrollment_token_bulk", dict(
            (p, dict(bulk_args(p), users=self._bulk_users(p), **self._connection())) for p in PLATFORMS))
        if self.people["late"]:
            steps.step("late", "enrollment_token_bulk", dict(
                (p, dict(bulk_args(p), users=self._bulk_users(p, "late"), confirm_timeout=1, marker_tag=LATE_MARKER, **self._connection()))
                for p in PLATFORMS))
        role = Playbook(self.url, os.path.join(self.workdir, "run%d-role" % run))
        role.role("role", self._role_vars(run))
        return ((steps, PLATFORMS, ACME), (role, ("role",), ROLE_ORG))

    def run(self, run):
        """Both playbooks of ``run`` at once; ``(results[step][host], segments[step], processes)``."""
        books = self.playbooks(run)
        started = time.monotonic()
        handles = [start_playbook(book.workdir, book.document(), env=self.env, inventory=book.inventory(sys.executable))
                   for book, _hosts, _org in books]
        procs = [finish_playbook(handle, timeout=900) for handle in handles]
        self.timings["run%d" % run] = time.monotonic() - started
        results, segments = {}, {}
        for (book, hosts, org), proc in zip(books, procs):
            marks, stamps = {}, {}
            for host in hosts:
                path = os.path.join(book.workdir, "matrix-%s.json" % host)
                if not os.path.exists(path):
                    raise AssertionError("run %d saved no results for %s:\n%s" % (run, host, proc.describe()))
                with open(path, encoding="utf-8") as handle:
                    saved = json.load(handle)
                for name, result in saved["results"].items():
                    results.setdefault(name, {})[host] = result
                for index, (seq, at) in saved["marks"].items():
                    marks[int(index)] = max(marks.get(int(index), seq), seq)
                    stamps[int(index)] = at
            log = self.ctl.requests(marks[0])["items"]
            for index, name in enumerate(book.names):
                low, high = marks[index], marks[index + 1]
                segments[name] = Segment(name, [e for e in log if low < e["seq"] <= high], org)
                self.timings["run%d %s" % (run, name)] = stamps[index + 1] - stamps[index]
            outside = [e for e in log if e["seq"] > marks[len(book.names)] and e["path"].startswith("/v1/organizations/%s/" % org)]
            if outside:
                raise AssertionError("requests for %s after its last marker: %s" % (org, outside[:5]))
        return results, segments, procs

    def settle_jobs(self):
        """Wait for bulk jobs still running (V3) so that the state is final; the number that were pending."""
        pending = self.ctl.jobs()
        deadline = time.monotonic() + 30
        while self.ctl.jobs() and time.monotonic() < deadline:
            time.sleep(0.2)
        return pending

    def enroll_between(self, state, role_state):
        """Named people enroll a device between the runs: ``{(part, platform, case, index): [token ids]}``."""
        done = {}
        for part, plan, kind, state, org in (("bulk", BULK_ENROLLS, "b", state, ACME), ("role", ROLE_ENROLLS, "r", role_state, ROLE_ORG)):
            for platform in PLATFORMS:
                for case, index, new_state, count in plan:
                    tokens = sorted(state.valid(platform, email(kind, platform, case, index)), key=lambda t: (t["created"], t["id"]))
                    chosen = [t["id"] for t in tokens[:count]]
                    for token_id in chosen:
                        self.ctl.enroll_token(org, platform, token_id, state=new_state)
                    done[(part, platform, case, index)] = chosen
        return done
