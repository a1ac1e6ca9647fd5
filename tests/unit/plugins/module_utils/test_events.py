# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Change detection of the enrollment_events source: pure, no network, no ansible-rulebook."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import os
import stat

import pytest

from ansible_collections.applivery.mdm.plugins.module_utils import _events as ev
from ansible_collections.applivery.mdm.plugins.module_utils._client import ApiError

NOW = datetime.datetime(2026, 11, 30, 12, 0, 0)
ORG = "acme"
U1 = "64c000000000000000000001"
U2 = "64c000000000000000000002"
T1 = "64d000000000000000000001"
T2 = "64d000000000000000000002"
T3 = "64d000000000000000000003"
DEV = "64e000000000000000000001"
SECRETS = ("https://enroll.example/secret-link", "SECRET-CODE-1", "one-time-secret", '{"qr": "secret"}')


def iso(delta_hours):
    return (NOW + datetime.timedelta(hours=delta_hours)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def apple(token_id=T1, state="PENDING", user=U1, email="alice@example.com", expires_in=24, device=None, created=-1):
    raw = {"id": token_id, "state": state, "mdmUser": {"id": user, "email": email}, "expireAt": iso(expires_in),
           "createdAt": iso(created), "updatedAt": iso(-0.5), "displayName": "Alice Mac", "tags": ["sales"],
           "enrollmentLink": SECRETS[0], "enrollCode": SECRETS[1]}
    if device:
        raw["admDevice"] = device
    return ev.observe(raw, ev.PLATFORMS["apple"])


def detector(**kwargs):
    kwargs.setdefault("expiring_within", 2 * 3600)
    return ev.ChangeDetector(ORG, **kwargs)


def types(events):
    return [(e["type"], e["token_id"]) for e in events]


def baseline(tokens, **kwargs):
    events, records = detector(**kwargs).diff("apple", None, tokens, NOW)
    return events, records


# ------------------------------------------------------------------ first start


def test_first_start_emits_nothing_by_default():
    events, records = baseline([apple(T1), apple(T2, state="DONE", device=DEV), apple(T3, state="DELETED")])
    assert events == []
    assert set(records) == {T1, T2, T3}
    assert records[T2]["s"] == "DONE"


def test_first_start_with_emit_existing_emits_the_current_state_once():
    tokens = [apple(T1, created=-3), apple(T2, state="DONE", device=DEV, created=-2), apple(T3, state="DELETED", created=-1)]
    events, dummy = baseline(tokens, emit_existing=True)
    assert types(events) == [("token_created", T1), ("device_enrolled", T2), ("token_revoked", T3)]
    assert all(e["initial"] for e in events)


def test_first_start_marks_tokens_already_expiring_so_they_do_not_fire_later():
    dummy, records = baseline([apple(T1, expires_in=1)])
    events, dummy = detector().diff("apple", records, [apple(T1, expires_in=1)], NOW)
    assert events == []


def test_first_start_with_emit_existing_includes_expiring():
    events, dummy = baseline([apple(T1, expires_in=1)], emit_existing=True)
    assert types(events) == [("token_created", T1), ("token_expiring", T1)]


# ------------------------------------------------------------------ transitions


def test_new_token_then_enrolled_then_revoked():
    dummy, records = baseline([])
    events, records = detector().diff("apple", records, [apple(T1)], NOW)
    assert types(events) == [("token_created", T1)]
    event = events[0]
    assert event["email"] == "alice@example.com" and event["user_id"] == U1 and event["platform"] == "apple"
    assert event["at"] == "2026-11-30T11:00:00Z" and event["initial"] is False
    assert event["event_id"] == "apple:%s:token_created" % T1

    events, records = detector().diff("apple", records, [apple(T1, state="DONE", device=DEV)], NOW)
    assert types(events) == [("device_enrolled", T1)]
    assert events[0]["device_id"] == DEV and events[0]["previous_state"] == "PENDING" and events[0]["state"] == "DONE"

    events, records = detector().diff("apple", records, [apple(T1, state="DONE", device=DEV)], NOW)
    assert events == [], "no change, no event"

    events, records = detector().diff("apple", records, [apple(T1, state="DELETED", device=DEV)], NOW)
    assert types(events) == [("token_revoked", T1)]


def test_processing_then_done():
    dummy, records = baseline([apple(T1)])
    events, records = detector().diff("apple", records, [apple(T1, state="PROCESSING")], NOW)
    assert types(events) == [("enrollment_started", T1)]
    events, records = detector().diff("apple", records, [apple(T1, state="DONE")], NOW)
    assert types(events) == [("device_enrolled", T1)]


def test_changes_between_two_polls_are_all_emitted_in_order():
    dummy, records = baseline([])
    events, dummy = detector().diff("apple", records, [apple(T1, state="DONE", device=DEV)], NOW)
    assert types(events) == [("token_created", T1), ("device_enrolled", T1)]


def test_expired_by_state_or_by_clock():
    dummy, records = baseline([apple(T1, expires_in=5), apple(T2, expires_in=5)])
    later = NOW + datetime.timedelta(hours=6)
    tokens = [apple(T1, state="EXPIRED", expires_in=5), apple(T2, expires_in=5)]  # T2 still says PENDING, but is past expiry
    events, dummy = detector().diff("apple", records, tokens, later)
    assert types(events) == [("token_expired", T1), ("token_expired", T2)]
    assert events[0]["at"] == "2026-11-30T17:00:00Z"


def test_done_token_that_later_reads_expired_is_not_reported():
    dummy, records = baseline([apple(T1, state="DONE")])
    events, dummy = detector().diff("apple", records, [apple(T1, state="EXPIRED")], NOW)
    assert events == []


# ------------------------------------------------------------------ token_expiring


def test_expiring_once_per_token():
    dummy, records = baseline([])
    events, records = detector().diff("apple", records, [apple(T1, expires_in=30)], NOW)
    assert types(events) == [("token_created", T1)]
    soon = NOW + datetime.timedelta(hours=29)
    events, records = detector().diff("apple", records, [apple(T1, expires_in=30)], soon)
    assert types(events) == [("token_expiring", T1)]
    assert records[T1]["x"] is True
    events, records = detector().diff("apple", records, [apple(T1, expires_in=30)], soon + datetime.timedelta(minutes=1))
    assert events == []


def test_no_expiring_for_someone_enrolled_on_the_platform():
    dummy, records = baseline([apple(T2, state="DONE")])
    events, dummy = detector().diff("apple", records, [apple(T2, state="DONE"), apple(T1, expires_in=1)], NOW)
    assert types(events) == [("token_created", T1)]


def test_no_expiring_for_someone_who_holds_a_fresher_token():
    dummy, records = baseline([apple(T1, expires_in=30)])
    tokens = [apple(T1, expires_in=1, created=-23), apple(T2, expires_in=48)]
    events, dummy = detector().diff("apple", records, tokens, NOW)
    assert types(events) == [("token_created", T2)]


def test_expiring_off_and_perpetual():
    dummy, records = ev.ChangeDetector(ORG, expiring_within=0).diff("apple", None, [], NOW)
    events, dummy = ev.ChangeDetector(ORG, expiring_within=0).diff("apple", records, [apple(T1, expires_in=1)], NOW)
    assert types(events) == [("token_created", T1)]
    aosp = ev.observe({"id": T1, "status": "PENDING", "mdmUserId": U1, "perpetual": True, "createdAt": iso(-1)},
                      ev.PLATFORMS["aosp"])
    events, dummy = detector().diff("aosp", {}, [aosp], NOW)
    assert types(events) == [("token_created", T1)]


# ------------------------------------------------------------------ vanished tokens


def test_a_token_missing_twice_is_revoked_once():
    dummy, records = baseline([apple(T1)])
    events, records = detector().diff("apple", records, [], NOW)
    assert events == [] and records[T1]["m"] == 1
    events, records = detector().diff("apple", records, [], NOW)
    assert types(events) == [("token_revoked", T1)]
    assert events[0]["user_id"] == U1 and events[0]["reason"] == "missing from the list"
    assert records == {}
    events, records = detector().diff("apple", records, [], NOW)
    assert events == []


def test_a_token_missing_once_and_back_is_no_event():
    dummy, records = baseline([apple(T1)])
    dummy, records = detector().diff("apple", records, [], NOW)
    events, records = detector().diff("apple", records, [apple(T1)], NOW)
    assert events == [] and "m" not in records[T1]


# ------------------------------------------------------------------ shapes and secrets


def test_no_secret_in_any_event():
    raw_android = {"id": T1, "state": "DONE", "status": "DONE", "mdmUser": {"id": U1, "email": "a@example.com"},
                   "emmDevice": DEV, "config": {"expirationTimestamp": iso(1), "code": SECRETS[2]}, "qrcodeUrl": SECRETS[0],
                   "enrollmentLink": SECRETS[0], "createdAt": iso(-1)}
    raw_aosp = {"id": T2, "status": "PENDING", "state": "PENDING", "mdmUserId": U2, "createdAt": iso(-1),
                "config": {"oneTimeToken": SECRETS[2], "qrCode": {"qr": "secret"}}, "summary": {"expirationTimestamp": iso(1)}}
    events, dummy = detector(emit_existing=True).diff("android", None, [ev.observe(raw_android, ev.PLATFORMS["android"])], NOW)
    more, dummy = detector(emit_existing=True).diff("aosp", None, [ev.observe(raw_aosp, ev.PLATFORMS["aosp"])], NOW)
    text = json.dumps([ev.wrap(e) for e in events + more])
    assert not [s for s in SECRETS + ("secret",) if s in text]
    assert events[0]["device_id"] == DEV and events[0]["expires_at"] == "2026-11-30T13:00:00Z"
    assert [e["type"] for e in more] == ["token_created", "token_expiring"]


def test_event_shape():
    events, dummy = detector(emit_existing=True).diff("windows", None, [ev.observe(
        {"id": T1, "state": "DONE", "mdmUser": {"id": U1, "email": "a@example.com"}, "winDeviceId": DEV, "createdAt": iso(-1)},
        ev.PLATFORMS["windows"])], NOW)
    wrapped = ev.wrap(events[0])
    assert list(wrapped) == ["applivery"]
    for key in ("type", "platform", "email", "user_id", "token_id", "device_id", "at"):
        assert wrapped["applivery"][key], key
    assert wrapped["applivery"]["device_id"] == DEV


# ------------------------------------------------------------------ configuration


def test_config_from_args_and_environment():
    environ = {"APPLIVERY_API_TOKEN": "t0ken", "APPLIVERY_ORGANIZATION": "acme", "APPLIVERY_API_URL": "http://127.0.0.1:1"}
    config = ev.source_config({"platforms": ["windows", "apple"], "interval": 5, "expiring_within": "1d"}, environ)
    assert config["platforms"] == ["apple", "windows"]
    assert config["interval"] == 5 and config["expiring_within"] == 86400
    assert config["api_url"] == "http://127.0.0.1:1" and config["validate_certs"] is True and config["emit_existing"] is False
    assert ev.source_config({"organization": "other-org"}, environ)["organization"] == "other-org"
    assert ev.source_config({"emit_existing": "yes", "interval": "2"}, environ)["emit_existing"] is True


def test_config_problems_name_every_field_and_never_the_token():
    with pytest.raises(ev.ConfigError) as error:
        ev.source_config({"api_token": "s3cret-t0ken", "organization": "a b", "platforms": ["ios"], "interval": 0,
                          "expiring_within": "soon", "colour": "blue"}, {})
    text = str(error.value)
    for word in ("organization", "platforms", "interval", "expiring_within", "colour"):
        assert word in text
    assert "s3cret" not in text


def test_backoff_doubles_up_to_the_cap():
    assert [ev.backoff_delay(1, n, 10) for n in range(6)] == [1, 2, 4, 8, 10, 10]
    assert ev.backoff_delay(60, 3, 300) == 300
    assert ev.backoff_delay(600, 1, 300) == 600


# ------------------------------------------------------------------ state file


def test_state_file_round_trip_mode_and_organization(tmp_path):
    path = str(tmp_path / "sub" / "state.json")
    state = ev.StateFile(path, ORG).load()
    assert state.platforms == {} and state.outbox == []
    state.platforms["apple"] = {T1: {"s": "PENDING", "u": U1}}
    state.outbox.append({"type": "token_created"})
    state.save()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = ev.StateFile(path, ORG).load()
    assert again.platforms == state.platforms and again.outbox == state.outbox
    with pytest.raises(ev.StateFileError):
        ev.StateFile(path, "other-org").load()
    with open(path, "w") as handle:
        handle.write("{not json")
    with pytest.raises(ev.StateFileError):
        ev.StateFile(path, ORG).load()
    assert os.listdir(str(tmp_path / "sub")) == ["state.json"], "no temporary file left"


# ------------------------------------------------------------------ poller (a fake client, no network)


class FakeClient:
    def __init__(self, pages, users=(), fail=None):
        self.pages = pages
        self.users = list(users)
        self.fail = fail or {}
        self.calls = []

    def org_path(self, suffix):
        return "/organizations/acme/" + suffix

    def server_now(self):
        return NOW

    def paginate(self, path, params=None, page_size=100):
        self.calls.append((path, dict(params or {}), page_size))
        if path.endswith("mdm/users"):
            return iter(self.users)
        platform = path.split("/mdm/")[1].split("/")[0]
        if platform in self.fail:
            raise self.fail[platform]
        return iter(self.pages.get(platform, []))


def test_poller_reads_deleted_too_at_1000_and_resolves_aosp_emails():
    client = FakeClient({"aosp": [{"id": T1, "status": "PENDING", "mdmUserId": U2, "createdAt": iso(-1)}]},
                        users=[{"id": U2, "email": "Bob@Example.com"}])
    state = ev.StateFile(None, ORG)
    poller = ev.Poller(client, state, detector(), ["aosp", "apple"])
    poller.commit(poller.poll())
    assert state.outbox == []
    client.pages["aosp"].append({"id": T2, "status": "PENDING", "mdmUserId": U2, "createdAt": iso(0)})
    result = poller.poll()
    assert state.outbox == [], "poll changes nothing until commit"
    new, errors = poller.commit(result)
    assert errors == {} and types(new) == [("token_created", T2)] and new[0]["email"] == "bob@example.com"
    assert state.outbox == new
    token_reads = [c for c in client.calls if "enrollment-tokens" in c[0]]
    assert all(c[2] == 1000 for c in client.calls)
    assert [c[1] for c in token_reads if "/apple/" in c[0]][0] == {"show-deleted": "true"}
    assert "DELETED" in [c[1] for c in token_reads if "/aosp/" in c[0]][0]["status"]


def test_poller_keeps_the_state_of_a_platform_it_could_not_read():
    client = FakeClient({"apple": [{"id": T1, "state": "PENDING", "mdmUser": {"id": U1, "email": "a@example.com"}}]})
    state = ev.StateFile(None, ORG)
    poller = ev.Poller(client, state, detector(), ["apple"])
    poller.commit(poller.poll())
    client.pages["apple"][0]["state"] = "DONE"
    client.fail["apple"] = ApiError(status=429, code=4029, vendor_message="Too many requests")
    new, errors = poller.commit(poller.poll())
    assert new == [] and ev.retryable(errors["apple"]) and state.platforms["apple"][T1]["s"] == "PENDING"
    del client.fail["apple"]
    new, errors = poller.commit(poller.poll())
    assert types(new) == [("device_enrolled", T1)], "the change made during the failures is not lost"
    assert not ev.retryable(ApiError(status=401, code=4004))


# ------------------------------------------------------------------ the event source's documentation


def _source_docs():
    import ast
    import yaml
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
    path = os.path.join(root, "extensions", "eda", "plugins", "event_source", "enrollment_events.py")
    with open(path) as handle:
        tree = ast.parse(handle.read())
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and node.targets[0].id in ("DOCUMENTATION", "EXAMPLES"):
            found[node.targets[0].id] = yaml.safe_load(node.value.value)
    return found


def test_source_documentation_matches_the_arguments_and_defaults():
    docs = _source_docs()
    options = docs["DOCUMENTATION"]["options"]
    assert set(options) == set(ev.SOURCE_ARGS)
    environ = {"APPLIVERY_API_TOKEN": "t", "APPLIVERY_ORGANIZATION": "acme"}
    config = ev.source_config({}, environ)
    for name in ("api_url", "validate_certs", "timeout", "retries", "interval", "max_backoff", "emit_existing", "platforms"):
        assert config[name] == options[name]["default"], name
    assert ev.source_config({"expiring_within": options["expiring_within"]["default"]}, environ)["expiring_within"] == config["expiring_within"]
    for name, variable in ev.SOURCE_ENV.items():
        assert variable in " ".join(options[name]["description"]), name
    source = docs["EXAMPLES"][0]["sources"][0]["applivery.mdm.enrollment_events"]
    assert set(source) <= set(ev.SOURCE_ARGS)


def test_a_token_with_a_bad_timestamp_is_still_watched():
    token = ev.observe({"id": T1, "state": "DONE", "mdmUser": {"id": U1, "email": "a@example.com"}, "admDevice": DEV,
                        "expireAt": "tomorrow", "createdAt": "2026-13-45T99:00:00Z"}, ev.PLATFORMS["apple"])
    assert token["state"] == "DONE" and token["expires_at"] is None
    dummy, records = baseline([])
    events, dummy = detector().diff("apple", records, [token], NOW)
    assert types(events) == [("token_created", T1), ("device_enrolled", T1)]
    odd = dict(apple(T2), expires_at="soon")
    events, dummy = detector().diff("apple", records, [odd], NOW)
    assert types(events) == [("token_created", T2)]
