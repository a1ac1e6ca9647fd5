"""Bad input catalogue: every row must fail with a message naming the field and the problem, and write nothing.

The module rows run as tasks of ONE playbook (fast), each between two reads of the emulator's request
sequence number, so every row's requests are told apart. The role rows fail the play, so each is its own run.
A row's ``expect`` strings must all appear in its error message; ``writes`` is the number of write requests
allowed in its part of the request log: 0 everywhere, except the Viewer row, whose single write the API
refuses (403) — the module cannot know the account's role before it asks.
"""

from __future__ import annotations

import json
import os

import pytest

from reliability.helpers import ACME, PLATFORMS, WRITE_METHODS, connection, run_playbook

DROP = object()  # a connection option left out
LONG = "x" * 129
USER = "bad-input@example.com"

# (id, module, args, expected substrings of the error message)
MODULE_CASES = [
    # emails
    ("bulk-malformed-email", "enrollment_token_bulk", {"platform": "apple", "users": ["not-an-email"]}, ["users[0]", "'not-an-email' is not a valid email"]),
    ("bulk-empty-email", "enrollment_token_bulk", {"platform": "apple", "users": ["  "]}, ["users[0]", "email is empty"]),
    ("bulk-overlong-email", "enrollment_token_bulk", {"platform": "apple", "users": ["a" * 130 + "@example.com"]},
     ["users[0]", "longer than 128 characters"]),
    ("bulk-unicode-email", "enrollment_token_bulk", {"platform": "apple", "users": ["j\u00fcrgen@example.com"]}, ["users[0]", "non-ASCII"]),
    ("bulk-dict-without-email", "enrollment_token_bulk", {"platform": "apple", "users": [{"display_name": "Nobody"}]}, ["users[0]", "email is empty"]),
    ("single-malformed-email", "enrollment_token", {"platform": "apple", "user_email": "bob@"}, ["user_email", "'bob@' is not a valid email"]),
    ("single-unicode-email", "enrollment_token", {"platform": "android", "user_email": "\u00e5sa@example.com"}, ["user_email", "non-ASCII"]),
    ("single-overlong-email", "enrollment_token", {"platform": "apple", "user_email": "b" * 200 + "@example.com"}, ["user_email", "longer than 128"]),
    ("info-malformed-email", "enrollment_token_info", {"platform": "apple", "user_email": ["ok@example.com", "nope"]},
     ["user_email", "'nope' is not a valid email"]),
    ("bulk-duplicate-conflicting", "enrollment_token_bulk",
     {"platform": "apple", "users": [{"email": "dup@example.com", "display_name": "A"}, {"email": " DUP@example.com", "display_name": "B"}]},
     ["users[1]", "dup@example.com appears more than once with different settings"]),
    ("bulk-unknown-user-key", "enrollment_token_bulk", {"platform": "apple", "users": [{"email": USER, "colour": "red"}]},
     ["users[0]", "unknown key(s) colour"]),
    # platform and options
    ("bulk-unknown-platform", "enrollment_token_bulk", {"platform": "blackberry", "users": [USER]}, ["platform", "blackberry"]),
    ("single-unknown-platform", "enrollment_token", {"platform": "symbian", "user_email": USER}, ["platform", "symbian"]),
    ("info-unknown-platform", "enrollment_token_info", {"platform": "ios"}, ["platform", "ios"]),
    ("single-perpetual-on-android", "enrollment_token", {"platform": "android", "user_email": USER, "perpetual": True},
     ["perpetual is not valid for platform android"]),
    ("bulk-profiles-on-windows", "enrollment_token_bulk", {"platform": "windows", "users": [USER], "profiles": ["64b300000000000000000001"]},
     ["profiles is not valid for platform windows"]),
    ("bulk-management-mode-wrong-platform", "enrollment_token_bulk", {"platform": "aosp", "users": [USER], "management_mode": "COPE"},
     ["management_mode COPE is not valid for platform aosp"]),
    # the bulk module refuses on_drift=update on android only when someone has drift (issue 12): the single module at once
    ("single-on-drift-update-android", "enrollment_token", {"platform": "android", "user_email": USER, "on_drift": "update"},
     ["on_drift=update", "only possible on windows"]),
    ("bulk-chunk-size-zero", "enrollment_token_bulk", {"platform": "apple", "users": [USER], "chunk_size": 0}, ["chunk_size", "between 1 and 1000"]),
    ("bulk-marker-too-long", "enrollment_token_bulk", {"platform": "apple", "users": [USER], "marker_tag": LONG}, ["marker_tag", "129 characters", "128"]),
    ("single-no-user", "enrollment_token", {"platform": "apple"}, ["user_email", "user_id"]),
    ("info-bad-state", "enrollment_token_info", {"platform": "apple", "state": ["ACTIVE"]}, ["state", "ACTIVE"]),
    ("info-bad-query", "enrollment_token_info", {"platform": "apple", "query": "[?state=="}, ["query is not a valid JMESPath expression"]),
    # policies
    ("bulk-policy-no-match", "enrollment_token_bulk", {"platform": "apple", "users": [USER], "policy": "No Such Policy"},
     ["policy 'No Such Policy'", "matches no apple policy"]),
    ("bulk-policy-two-matches", "enrollment_token_bulk", {"platform": "android", "users": [USER], "policy": "Duplicate Name"},
     ["policy 'Duplicate Name'", "matches 2 android policies", "give the id instead"]),
    ("single-policy-two-matches", "enrollment_token", {"platform": "windows", "user_email": USER, "policy": "Duplicate Name"},
     ["policy 'Duplicate Name'", "matches 2 windows policies"]),
    ("bulk-user-policy-no-match", "enrollment_token_bulk", {"platform": "apple", "users": [{"email": USER, "policy": "Nope"}]},
     ["policy 'Nope'", "matches no apple policy"]),
    ("info-policy-bad-id", "enrollment_token_info", {"platform": "apple", "policy": "64b2-not-hex"},
     ["policy", "'64b2-not-hex' is not a 24-character hexadecimal id"]),
    ("single-user-id-bad-format", "enrollment_token", {"platform": "apple", "user_id": "12345"}, ["user_id", "not a 24-character hexadecimal id"]),
    ("bulk-vpp-location-bad-id", "enrollment_token_bulk", {"platform": "apple", "users": [USER], "vpp_location": "xyz"},
     ["vpp_location", "not a 24-character hexadecimal id"]),
    # durations
    ("bulk-duration-too-short", "enrollment_token_bulk", {"platform": "apple", "users": [USER], "duration": 30}, ["duration", "outside the allowed"]),
    ("bulk-duration-too-long", "enrollment_token_bulk", {"platform": "windows", "users": [USER], "duration": "31d"},
     ["duration", "31d", "outside the allowed"]),
    ("single-duration-unparseable", "enrollment_token", {"platform": "apple", "user_email": USER, "duration": "soon"},
     ["duration", "'soon' is not a duration"]),
    ("single-duration-negative", "enrollment_token", {"platform": "apple", "user_email": USER, "duration": "-5m"}, ["duration", "'-5m' is not a duration"]),
    ("bulk-renew-before-unparseable", "enrollment_token_bulk", {"platform": "apple", "users": [USER], "renew_before": "a while"},
     ["renew_before", "not a duration"]),
    # tags and display names
    ("bulk-tag-too-long", "enrollment_token_bulk", {"platform": "apple", "users": [USER], "tags": ["ok", LONG]},
     ["tags", "129 characters long; the limit is 128"]),
    ("bulk-user-tag-too-long", "enrollment_token_bulk", {"platform": "apple", "users": [{"email": USER, "tags": [LONG]}]},
     ["users[0].tags", "129 characters long"]),
    ("single-tag-empty", "enrollment_token", {"platform": "apple", "user_email": USER, "tags": [""]}, ["tags", "a tag is empty"]),
    ("single-display-name-too-long", "enrollment_token", {"platform": "android", "user_email": USER, "display_name": "d" * 129},
     ["display_name is 129 characters long", "limit on android is 128"]),
    ("bulk-user-display-name-too-long", "enrollment_token_bulk", {"platform": "aosp", "users": [{"email": USER, "display_name": "d" * 257}],
                                                                  "management_mode": "DEVICE_OWNER"},
     ["users[0].display_name is 257 characters long", "limit is 256"]),
    # a person's own settings (users items) are checked as the options are, and name the item
    ("bulk-user-management-mode-wrong-platform", "enrollment_token_bulk", {"platform": "aosp", "users": [{"email": USER, "management_mode": "COPE"}]},
     ["users[0].management_mode COPE is not valid for platform aosp"]),
    ("bulk-user-duration-too-long", "enrollment_token_bulk", {"platform": "windows", "users": ["ok@example.com", {"email": USER, "duration": "31d"}]},
     ["users[1].duration", "31d", "outside the allowed"]),
    ("bulk-user-language-unknown", "enrollment_token_bulk", {"platform": "apple", "users": [{"email": USER, "language": "klingon"}]},
     ["users[0]", "language must be one of", "klingon"]),
    ("bulk-user-send-email-not-bool", "enrollment_token_bulk", {"platform": "android", "users": [{"email": USER, "send_email": "perhaps"}]},
     ["users[0]", "send_email", "not a valid boolean"]),
    ("bulk-user-duration-within-renew-window", "enrollment_token_bulk",
     {"platform": "apple", "renew_before": "2h", "users": [{"email": USER, "duration": "1h"}]},
     ["users[0]", "renew_before 2h", "duration 1h"]),
    # connection
    ("bulk-missing-token", "enrollment_token_bulk", {"platform": "apple", "users": [USER], "api_token": DROP}, ["api_token"]),
    ("single-blank-token", "enrollment_token", {"platform": "apple", "user_email": USER, "api_token": "   "}, ["api_token is empty"]),
    ("bulk-wrong-token", "enrollment_token_bulk", {"platform": "apple", "users": [USER], "api_token": "not-a-real-token"},
     ["4004", "Invalid Token", "check 'api_token'"]),
    ("single-wrong-token", "enrollment_token", {"platform": "apple", "user_email": "alice@example.com", "api_token": "not-a-real-token"},
     ["4004", "check 'api_token'"]),
    ("bulk-viewer-token-write", "enrollment_token_bulk",
     {"platform": "apple", "users": [USER], "create_users": True, "api_token": "applivery-emu-viewer-token"},
     ["4010", "Permission denied", "api_token", "Admin or Developer"]),
    ("single-viewer-token-write", "enrollment_token", {"platform": "apple", "user_email": "dave@example.com", "api_token": "applivery-emu-viewer-token"},
     ["4010", "Permission denied", "api_token", "Admin or Developer"]),
    ("bulk-unknown-organization", "enrollment_token_bulk", {"platform": "apple", "users": [USER], "organization": "no-such-org"},
     ["3001", "check 'organization'"]),
    ("info-unknown-organization", "enrollment_token_info", {"platform": "apple", "organization": "other-org"}, ["3001", "check 'organization'"]),
    ("single-malformed-organization", "enrollment_token", {"platform": "apple", "user_email": USER, "organization": "a b"},
     ["organization 'a b' is neither a 24-hex id nor a slug"]),
    ("bulk-api-url-not-http", "enrollment_token_bulk", {"platform": "apple", "users": [USER], "api_url": "ftp://api.example.com"},
     ["api_url 'ftp://api.example.com' is not an http(s) URL"]),
    ("info-api-url-refused", "enrollment_token_info", {"platform": "apple", "api_url": "http://127.0.0.1:9", "retries": 1},
     ["connection failed", "check 'api_url'"]),
    ("single-timeout-zero", "enrollment_token", {"platform": "apple", "user_email": USER, "timeout": 0}, ["timeout must be a positive number"]),
    ("bulk-retries-too-many", "enrollment_token_bulk", {"platform": "apple", "users": [USER], "retries": 11}, ["retries must be between 0 and 10"]),
]

# (id, role variables, files to write {name: text}, inventory text or None, expected substrings)
ROLE_CASES = [
    ("role-csv-missing-email-column", {"applivery_onboarding_csv": "hr.csv"}, {"hr.csv": "name,platform\nx@example.com,apple\n"}, None,
     ["hr.csv", "has no email column", "name, platform"]),
    ("role-unknown-inventory-group", {"applivery_onboarding_groups": ["nope"]}, {}, "[sales]\nseller@example.com\n",
     ["applivery_onboarding_groups", "group 'nope' is not in the inventory", "sales"]),
    ("role-malformed-email", {"applivery_onboarding_users": ["first.last"]}, {}, None, ["applivery_onboarding_users[0]", "'first.last' is not a valid email"]),
    ("role-unicode-email", {"applivery_onboarding_users": ["z\u00f6e@example.com"]}, {}, None, ["applivery_onboarding_users[0]", "non-ASCII"]),
    ("role-conflicting-sources", {"applivery_onboarding_users": [{"email": "sam@example.com", "platform": "windows", "display_name": "Sam A"}],
                                  "applivery_onboarding_csv": "hr.csv"},
     {"hr.csv": "email,platform,display_name\nsam@example.com,windows,Sam B\n"}, None, ["hr.csv line 2", "sam@example.com on windows", "other settings"]),
    ("role-csv-unknown-platform", {"applivery_onboarding_csv": "hr.csv"}, {"hr.csv": "email,platform\nkim@example.com,blackberry\n"}, None,
     ["hr.csv line 2", "platform 'blackberry' is not one of"]),
    ("role-policy-two-matches", {"applivery_onboarding_users": ["pat@example.com"],
                                 "applivery_onboarding_platforms": {"apple": {"policy": "Duplicate Name"}}}, {}, None,
     ["policy 'Duplicate Name'", "matches 2 apple policies"]),
    ("role-bad-duration", {"applivery_onboarding_users": ["pat@example.com"], "applivery_onboarding_platforms": {"apple": {"duration": "forever"}}}, {}, None,
     ["duration", "'forever' is not a duration"]),
]

# The request log position, read on the controller (a lookup, no module run): cheap enough for every row.
SEQ_LOOKUP = "{{ (lookup('ansible.builtin.url', emulator ~ '/_emulator/requests/summary?since=999999999999', split_lines=false) | from_json).last_seq }}"


def _args(url, args):
    merged = connection(url)
    merged.update(args)
    return dict((k, v) for k, v in merged.items() if v is not DROP)


@pytest.fixture(scope="module")
def module_batch(tmp_path_factory, emulator):
    """Run every module row in one playbook; ``{id: (result, request log entries of that row)}``."""
    ctl = emulator.control
    ctl.reset()
    before = dict((p, ctl.state_tokens(ACME, p)) for p in PLATFORMS)
    users_before = ctl.state_users(ACME)
    tasks = []
    for index, (case_id, module, args, _expect) in enumerate(MODULE_CASES):
        tasks.append({"name": "position before %s" % case_id, "ansible.builtin.set_fact": {"seq_%d" % index: SEQ_LOOKUP}})
        tasks.append({"name": case_id, "applivery.mdm.%s" % module: _args(emulator.url, args), "ignore_errors": True, "register": "case_%d" % index})
    tasks.append({"name": "position at the end", "ansible.builtin.set_fact": {"seq_end": SEQ_LOOKUP}})
    rows = ", ".join("{'seq': seq_%d | int, 'result': case_%d}" % (i, i) for i in range(len(MODULE_CASES)))
    save = {"content": "{{ {'rows': [%s], 'end': seq_end | int} | to_json }}" % rows, "dest": "{{ playbook_dir }}/rows.json", "mode": "0600"}
    tasks.append({"name": "save every row", "ansible.builtin.copy": save, "diff": False})
    playbook = [{"name": "bad input", "hosts": "localhost", "connection": "local", "gather_facts": False,
                 "vars": {"emulator": emulator.url}, "tasks": tasks}]
    workdir = str(tmp_path_factory.mktemp("bad-input"))
    run = run_playbook(workdir, playbook, timeout=900)
    assert run.rc == 0, run.describe()
    print("bad input: %d module rows in one playbook, %.1f s" % (len(MODULE_CASES), run.elapsed))
    log = ctl.requests(0)["items"]
    with open(os.path.join(workdir, "rows.json"), encoding="utf-8") as handle:
        saved = json.load(handle)
    rows = saved["rows"]
    ends = [row["seq"] for row in rows[1:]] + [saved["end"]]
    batch = {}
    for (case_id, _module, _args_, _expect), row, end in zip(MODULE_CASES, rows, ends):
        batch[case_id] = (row["result"], [e for e in log if row["seq"] < e["seq"] <= end])
    assert dict((p, ctl.state_tokens(ACME, p)) for p in PLATFORMS) == before, "the bad input changed the emulator's tokens"
    assert ctl.state_users(ACME) == users_before, "the bad input changed the emulator's users"
    return batch


def _expected_writes(case_id):
    return 1 if "viewer" in case_id else 0


@pytest.mark.parametrize("case", MODULE_CASES + ROLE_CASES, ids=[c[0] for c in MODULE_CASES + ROLE_CASES])
def test_bad_input(case, module_batch, emulator, tmp_path):  # pylint: disable=redefined-outer-name
    """One row of the catalogue: a clear error naming the field and the problem, and no write."""
    case_id = case[0]
    if len(case) == 4:
        result, log = module_batch[case_id]
        message = result.get("msg", "")
        assert result.get("failed") is True, "%s did not fail: %s" % (case_id, result)
    else:
        log, message = _run_role_case(case, emulator, tmp_path)
    for expected in case[-1]:
        assert expected in message, "%s: the error does not say %r:\n%s" % (case_id, expected, message[:3000])
    assert "Traceback" not in message and "MODULE FAILURE" not in message, message[:3000]
    written = [e for e in log if e["method"] in WRITE_METHODS]
    assert len(written) == _expected_writes(case_id), "%s wrote: %s" % (case_id, written)
    assert all(e["status"] == 403 for e in written), "%s: a write went through: %s" % (case_id, written)


def _run_role_case(case, emulator, tmp_path):
    case_id, role_vars, files, inventory, _expect = case
    ctl = emulator.control
    ctl.reset()
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    args = []
    if inventory:
        (tmp_path / "inventory.ini").write_text(inventory, encoding="utf-8")
        args = ["-i", str(tmp_path / "inventory.ini")]
    play_vars = {"applivery_api_url": emulator.url, "applivery_api_token": "applivery-emu-admin-token", "applivery_organization": ACME,
                 "applivery_onboarding_report_dir": str(tmp_path / "reports")}
    play_vars.update(role_vars)
    playbook = [{"name": case_id, "hosts": "localhost", "connection": "local", "gather_facts": False, "vars": play_vars,
                 "roles": [{"role": "applivery.mdm.device_onboarding"}]}]
    seq = ctl.last_seq()
    run = run_playbook(str(tmp_path), playbook, args=args, timeout=300)
    assert run.rc != 0, "%s: the role did not fail\n%s" % (case_id, run.describe())
    return ctl.requests(seq)["items"], run.output
