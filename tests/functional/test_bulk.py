# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bulk reconcile (enrollment_token_bulk's run) against the emulator over HTTP, under the section 8.1 variants.

The token rhythm: create, re-run with no write, a person enrolls and gets nothing, absent revokes only what can still
enroll, absent again writes nothing; and no write ever touches a token of someone not named.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import itertools

import pytest

from ansible_collections.applivery.mdm.plugins.module_utils._bulk.run import reconcile
from ansible_collections.applivery.mdm.plugins.module_utils._client import AppliveryClient
from ansible_collections.applivery.mdm.plugins.module_utils._platforms import PLATFORM_NAMES
from ansible_collections.applivery.mdm.plugins.module_utils._tokens import normalize_token
from ansible_collections.applivery.mdm.tests.unit.fake_api import bulk_params

ADMIN = "applivery-emu-admin-token"
ORG = "acme"
RUNS = itertools.count()
CASES = [("apple", variant) for variant in ["default"] + ["V%d" % n for n in range(1, 11)]] + [
    (platform, variant) for platform in PLATFORM_NAMES if platform != "apple" for variant in ("default", "V1", "V3")]


class Module:
    """What reconcile() uses of an AnsibleModule."""

    def __init__(self, client, params):
        self.client, self.params, self.check_mode, self.warnings = client, params, False, []

    def warn(self, message):
        self.warnings.append(message)

    def fail_json(self, **result):
        raise AssertionError(result["msg"])


def run(emu, platform, emails, **options):
    """One run of the bulk module's code; ``(result, writes)``."""
    client = AppliveryClient(ADMIN, ORG, api_url=emu.url, backoff_factor=0.01)
    mark = emu.control.last_seq()
    result = reconcile(Module(client, bulk_params(platform, emails, create_users=True, confirm_timeout=20, **options)))
    return result, emu.control.writes_since(mark)


def tokens_of(emu, platform, email):
    return [normalize_token(raw, platform) for raw in emu.control.state_tokens(ORG, platform, email)]


def actions(result):
    return dict((entry["email"], entry["action"]) for entry in result["results"])


@pytest.mark.parametrize("platform, variant", CASES)
def test_token_rhythm_under_each_variant(emu, platform, variant):
    if variant != "default":
        emu.control.set_variant(variant)
    people = ["fn%d-%s@example.com" % (next(RUNS), name) for name in ("ann", "bob", "cid")]
    created, writes = run(emu, platform, people)
    assert set(actions(created).values()) == {"created"}, created["msg"]
    assert all([t["state"] for t in tokens_of(emu, platform, email)] == ["PENDING"] for email in people)
    ours = set(t["id"] for email in people for t in tokens_of(emu, platform, email))

    again, writes = run(emu, platform, people)
    assert (again["changed"], writes) == (False, 0), again["msg"]

    emu.control.enroll_token(ORG, platform, tokens_of(emu, platform, people[0])[0]["id"], device_id="64d0000000000000000000ff")
    enrolled, writes = run(emu, platform, people)
    assert (actions(enrolled)[people[0]], writes) == ("enrolled", 0)

    absent, writes = run(emu, platform, people, state="absent")
    assert actions(absent) == {people[0]: "absent", people[1]: "revoked", people[2]: "revoked"}
    assert len(writes) == 2 and all(w["method"] == "DELETE" and w["path"].rsplit("/", 1)[1] in ours for w in writes)
    assert [t["state"] for t in tokens_of(emu, platform, people[0])] == ["DONE"], "revoking never touches an enrolled device"
    again, writes = run(emu, platform, people, state="absent")
    assert (again["changed"], writes) == (False, 0)
