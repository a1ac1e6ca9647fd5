# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The example rulebook applivery.mdm.enrollment_events, run by a real ansible-rulebook against the emulator.

What the rules did is read back from their effects: the record playbook's report file, the renewal in the
emulator's state, and the emulator's request log. The source's own log line per event handed over
("applivery event <type>: <platform> token <id>") counts what was emitted.
"""

from __future__ import annotations

import datetime
import json
import os
import stat
import subprocess
import sys
import time

from eda.helpers import ADMIN_TOKEN, ORG, REPO, Rulebook, report, wait_for

PLATFORMS = ("android", "apple", "aosp", "windows")
DEVICE_DAVE = "64e000000000000000000001"
DEVICE_KIM = "64e000000000000000000002"
DEVICE_EVE = "64e000000000000000000003"


def variables(workdir, **extra):
    return dict({
        "applivery_state_file": os.path.join(workdir, "state.json"),
        "applivery_report_file": os.path.join(workdir, "report.jsonl"),
        "applivery_interval": 1,
        "applivery_expiring_within": "2h",
        "applivery_renew_before": "2h",
        "applivery_renew_duration": "1d",
    }, **extra)


def read_state(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def polled(path, platforms):
    """True once the source saved a state file that has every platform (its first poll is done)."""
    try:
        return set(platforms) <= set(read_state(path)["platforms"])
    except (OSError, ValueError):
        return False


def state_of(token):
    return token.get("state") or token.get("status")


def secrets_of(ctl):
    """Every enrollment link, code and QR payload the emulator holds, and the API token."""
    found = {ADMIN_TOKEN}
    for platform in PLATFORMS:
        for token in ctl.state_tokens(ORG, platform):
            config = token.get("config") if isinstance(token.get("config"), dict) else {}
            for value in (token.get("enrollmentLink"), token.get("enrollCode"), token.get("qrCode"), token.get("qrcodeUrl"),
                          config.get("oneTimeToken"), config.get("code"), config.get("enrollmentLink")):
                if isinstance(value, str) and len(value) >= 8:
                    found.add(value)
    return found


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def received(line):
    return datetime.datetime.strptime(line["received"][:19], "%Y-%m-%dT%H:%M:%S")


def test_enrolled_once_renewal_and_restart(ctl, emulator, tmp_path):
    """Created then enrolled -> one record with email and device; near expiry -> renewed; a restart -> no duplicate."""
    work = str(tmp_path)
    settings = variables(work)
    state_file, report_file = settings["applivery_state_file"], settings["applivery_report_file"]
    seq = ctl.last_seq()

    with Rulebook(work, emulator.url, settings, "first") as first:
        wait_for(lambda: polled(state_file, PLATFORMS), 90, "the source's first poll (state file)")
        assert first.emitted() == [], "the first start emits nothing for the tokens that exist"

        # a token is created, then a device enrolls with it
        dave = ctl.inject_tokens(ORG, "apple", [{"email": "dave@example.com"}])[0]
        wait_for(lambda: ("token_created", "apple", dave) in first.emitted(), 30, "token_created for dave")
        ctl.enroll_token(ORG, "apple", dave, device_id=DEVICE_DAVE)
        # AOSP tokens name only the user's id: the email comes from the users list
        kim = ctl.inject_tokens(ORG, "aosp", [{"email": "kim@example.com"}])[0]
        ctl.enroll_token(ORG, "aosp", kim, device_id=DEVICE_KIM)
        # near expiry, not enrolled: renewed; near expiry but enrolled on the platform: left alone
        eve_old = ctl.inject_tokens(ORG, "windows", [{"email": "eve@example.com", "duration": 3600}])[0]
        dave_stale = ctl.inject_tokens(ORG, "apple", [{"email": "dave@example.com", "duration": 3600}])[0]

        wait_for(lambda: len(report(report_file)) >= 2, 60, "two device_enrolled records")

        def renewed():
            tokens = ctl.state_tokens(ORG, "windows", email="eve@example.com")
            new = [t for t in tokens if t["id"] != eve_old and state_of(t) == "PENDING"]
            old = [t for t in tokens if t["id"] == eve_old]
            return new if old and state_of(old[0]) == "DELETED" and new else None
        eve_new = wait_for(renewed, 90, "the renewal of eve's windows token")[0]["id"]
        wait_for(lambda: ("token_created", "windows", eve_new) in first.emitted(), 30, "token_created for the renewed token")
        time.sleep(3)  # three more polls: nothing may come twice
        emitted_first = first.emitted()

    records = report(report_file)
    assert sorted((r["token_id"], r["email"], r["device_id"], r["platform"]) for r in records) == sorted([
        (dave, "dave@example.com", DEVICE_DAVE, "apple"), (kim, "kim@example.com", DEVICE_KIM, "aosp")])
    assert all(r["type"] == "device_enrolled" for r in records)
    assert len(emitted_first) == len(set(emitted_first)), emitted_first
    assert emitted_first.count(("device_enrolled", "apple", dave)) == 1
    assert emitted_first.count(("token_expiring", "windows", eve_old)) == 1
    assert ("token_revoked", "windows", eve_old) in emitted_first
    assert not [e for e in emitted_first if e[2] == dave_stale and e[0] != "token_created"], \
        "no token_expiring for someone who has enrolled"
    assert state_of([t for t in ctl.state_tokens(ORG, "apple") if t["id"] == dave_stale][0]) == "PENDING"
    writes = [(r["method"], r["path"]) for r in ctl.requests(seq)["items"] if r["method"] != "GET"]
    assert ("DELETE", "/v1/organizations/%s/mdm/windows/enterprise/enrollment-tokens/%s" % (ORG, eve_old)) in writes
    assert writes.count(("POST", "/v1/organizations/%s/mdm/windows/enterprise/enrollment-tokens" % ORG)) == 1, writes

    saved = read_state(state_file)
    assert stat.S_IMODE(os.stat(state_file).st_mode) == 0o600
    assert saved["outbox"] == []

    # changes while the source is down
    ctl.enroll_token(ORG, "windows", eve_new, device_id=DEVICE_EVE)
    lee = ctl.inject_tokens(ORG, "android", [{"email": "lee@example.com", "managementMode": "DEVICE_OWNER"}])[0]

    with Rulebook(work, emulator.url, settings, "second") as second:
        wait_for(lambda: ("device_enrolled", "windows", eve_new) in second.emitted(), 90, "device_enrolled after the restart")
        wait_for(lambda: len(report(report_file)) >= 3, 60, "the third record")
        time.sleep(3)
        emitted_second = second.emitted()

    assert sorted(emitted_second) == sorted([("token_created", "android", lee), ("device_enrolled", "windows", eve_new)]), \
        "a restart emits what changed while it was down, and nothing twice"
    records = report(report_file)
    assert len(records) == 3 and len(set(r["token_id"] for r in records)) == 3, records
    assert [(r["email"], r["device_id"]) for r in records if r["token_id"] == eve_new] == [("eve@example.com", DEVICE_EVE)]
    assert len(ctl.state_tokens(ORG, "windows", email="eve@example.com")) == 2, "renewed once, not again after the restart"

    # one page per platform per poll: every token list read asks limit=1000 and fits on page 1
    reads = [r for r in ctl.requests(seq)["items"] if r["method"] == "GET" and r["path"].endswith("/enrollment-tokens")]
    assert reads and all(r["query"].get("limit") == "1000" and r["query"].get("page") == "1" for r in reads), reads[:3]

    # no secret anywhere the rulebook wrote
    written = first.output() + second.output()
    with open(report_file, encoding="utf-8") as handle:
        written += handle.read()
    with open(state_file, encoding="utf-8") as handle:
        written += handle.read()
    leaked = [s for s in secrets_of(ctl) if s in written]
    assert not leaked, "secrets in the output: %d" % len(leaked)
    print("eda: first run emitted %d events, second %d; %d token list reads" % (len(emitted_first), len(emitted_second), len(reads)))


def test_429_storm_delays_events_but_loses_none(ctl, emulator, tmp_path):
    """Every request answered 429 for a while: the changes made meanwhile arrive once, after the storm."""
    work = str(tmp_path)
    settings = variables(work, applivery_platforms=["apple", "windows"], applivery_max_backoff=4)
    state_file, report_file = settings["applivery_state_file"], settings["applivery_report_file"]

    with Rulebook(work, emulator.url, settings, "storm") as storm:
        wait_for(lambda: polled(state_file, ["apple", "windows"]), 90, "the source's first poll (state file)")
        seq = ctl.last_seq()
        ctl.set_faults({"seed": 15, "rates": {"429": 1.0}, "retry_after": 1})
        wait_for(lambda: any(r["fault"] == "429" for r in ctl.requests(seq)["items"]), 30, "a 429 answered to the source")
        # the source sends one request at a time: every request after its first 429 came during the storm
        storm_seq = ctl.last_seq()
        ids = {
            "apple": ctl.inject_tokens(ORG, "apple", [{"email": "storm-a@example.com"}])[0],
            "windows": ctl.inject_tokens(ORG, "windows", [{"email": "storm-b@example.com"}])[0],
        }
        for platform, token_id in ids.items():
            ctl.enroll_token(ORG, platform, token_id, device_id="64e0000000000000000000%s" % ("a1" if platform == "apple" else "b1"))
        time.sleep(6)
        assert storm.emitted() == [] and report(report_file) == [], "nothing can be read during the storm"
        storm_log = ctl.requests(seq)["items"]
        cleared = utcnow()
        ctl.clear_faults()
        wait_for(lambda: len(report(report_file)) >= 2, 60, "both enrollments after the storm")
        time.sleep(3)
        emitted = storm.emitted()

    faults = [r for r in storm_log if r["fault"] == "429"]
    assert len(faults) >= 4 and all(r["status"] == 429 for r in faults)
    assert not [r for r in storm_log if r["seq"] > storm_seq and r["status"] != 429], "the storm answered everything with 429"
    records = report(report_file)
    assert sorted((r["platform"], r["token_id"], r["email"]) for r in records) == sorted([
        ("apple", ids["apple"], "storm-a@example.com"), ("windows", ids["windows"], "storm-b@example.com")])
    assert all(received(r) >= cleared.replace(microsecond=0) for r in records), "the events came after the storm"
    assert sorted(emitted) == sorted([("token_created", "apple", ids["apple"]), ("device_enrolled", "apple", ids["apple"]),
                                      ("token_created", "windows", ids["windows"]), ("device_enrolled", "windows", ids["windows"])])
    print("eda: %d requests answered 429 during the storm; %d events after it" % (len(faults), len(emitted)))


def test_print_rulebook_shows_the_current_state_without_secrets(ctl, emulator, tmp_path):
    """applivery.mdm.print_enrollment_events (emit_existing, no state file): one event per existing token, printed."""
    expected = dict((t["id"], platform) for platform in PLATFORMS for t in ctl.state_tokens(ORG, platform))
    with Rulebook(str(tmp_path), emulator.url, {}, "print", rulebook="applivery.mdm.print_enrollment_events") as printer:
        wait_for(lambda: len(printer.emitted()) >= len(expected), 90, "one event per existing token")
        time.sleep(1)
        emitted = printer.emitted()
        output = printer.output()
    assert sorted((token_id, platform) for dummy, platform, token_id in emitted) == sorted(expected.items())
    assert all(token_id in output for token_id in expected), "print_event printed every event"
    assert "'initial': True" in output or '"initial": true' in output
    assert not [s for s in secrets_of(ctl) if s in output]


def test_a_token_the_api_refuses_stops_the_source_without_showing_it(ctl, emulator, tmp_path):
    """Every platform answers 401 on the first poll: the source stops and says why; the token is not in the output."""
    bad_token = "not-a-real-token-5f3a9c"
    rulebook = Rulebook(str(tmp_path), emulator.url, variables(str(tmp_path)), "refused", api_token=bad_token).start()
    try:
        wait_for(lambda: "no platform could be read" in rulebook.output(), 60, "the source's error")
    finally:
        rulebook.stop()
    output = rulebook.output()
    assert "4004" in output and bad_token not in output
    assert not os.path.exists(os.path.join(str(tmp_path), "report.jsonl"))


def test_decision_environment_builds_and_is_the_one_in_the_guide(tmp_path):
    """extensions/eda/decision-environment.yml is a valid ansible-builder definition, shown as is in the EDA guide."""
    definition = os.path.join(REPO, "extensions", "eda", "decision-environment.yml")
    with open(definition, encoding="utf-8") as handle:
        text = handle.read()
    with open(os.path.join(REPO, "docs", "docsite", "rst", "guide_eda.rst"), encoding="utf-8") as handle:
        guide = handle.read()
    assert "\n".join(("   " + line) if line else "" for line in text.splitlines()) in guide
    builder = os.path.join(os.path.dirname(sys.executable), "ansible-builder")
    assert os.access(builder, os.X_OK), "ansible-builder (tests/requirements-ci.txt) is missing from %s" % builder
    done = subprocess.run([builder, "create", "--file", definition, "--context", str(tmp_path / "context"),
                           "--output-filename", "Containerfile"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    with open(str(tmp_path / "context" / "_build" / "bindep.txt"), encoding="utf-8") as handle:
        assert "java-17-openjdk-headless" in handle.read()
