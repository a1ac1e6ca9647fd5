# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Enrollment events: what changed between two reads of the token lists.

The Event-Driven Ansible source ``applivery.mdm.enrollment_events``
(extensions/eda/plugins/event_source/enrollment_events.py) is a thin asyncio loop around
this file. Everything that decides which event to emit lives here, with no asyncio and no
ansible-rulebook import, so that it is unit-tested without a network:

* ``source_config`` checks the source's arguments (with the ``APPLIVERY_*`` environment
  fallbacks the modules use);
* ``observe`` turns a vendor token into the few fields an event may carry (never the
  enrollment link, code or QR code);
* ``ChangeDetector.diff`` compares what was seen before with what is listed now;
* ``StateFile`` keeps what was seen, and the events not yet handed over, in a 0600 JSON file
  written atomically, so that a restart emits no duplicate and loses no change;
* ``Poller`` reads the lists (one page per 1,000 tokens per platform, through
  AppliveryClient) and resolves the emails AOSP tokens do not carry.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import os
import tempfile

from ansible_collections.applivery.mdm.plugins.module_utils._client import API_URL_RE, CONNECTION_ENV, DEFAULT_API_URL, ORGANIZATION_RE, ApiError
from ansible_collections.applivery.mdm.plugins.module_utils._platforms import PLATFORM_NAMES, PLATFORMS
from ansible_collections.applivery.mdm.plugins.module_utils._tokens import (
    canonical_time,
    effective_state,
    format_time,
    normalize_token,
    parse_time,
)
from ansible_collections.applivery.mdm.plugins.module_utils._validation import parse_duration

EVENT_KEY = "applivery"
TOKEN_CREATED = "token_created"
ENROLLMENT_STARTED = "enrollment_started"
DEVICE_ENROLLED = "device_enrolled"
TOKEN_EXPIRING = "token_expiring"
TOKEN_EXPIRED = "token_expired"
TOKEN_REVOKED = "token_revoked"
EVENT_TYPES = (TOKEN_CREATED, ENROLLMENT_STARTED, DEVICE_ENROLLED, TOKEN_EXPIRING, TOKEN_EXPIRED, TOKEN_REVOKED)

# The event a token's arrival in a state means.
STATE_EVENTS = {
    "PROCESSING": ENROLLMENT_STARTED,
    "DONE": DEVICE_ENROLLED,
    "EXPIRED": TOKEN_EXPIRED,
    "DELETED": TOKEN_REVOKED,
}
LIVE_STATES = ("PENDING", "PROCESSING")

DEFAULT_INTERVAL = 60
MIN_INTERVAL = 1
DEFAULT_EXPIRING_WITHIN = "12h"
MAX_BACKOFF = 300
# The page size asked for: the API may cap it lower (contract C4 says 100), which only costs more pages.
PAGE_SIZE = 1000
# Polls a token must be missing from its list before it counts as revoked (a list read mid-change can miss one).
MISSING_POLLS = 2
STATE_FILE_VERSION = 1

# Where a token carries timestamps (read without them when one cannot be parsed).
TIME_FIELDS = ("expireAt", "createdAt", "updatedAt", "summary", "config", "enroll")
# Where a token names the device that enrolled with it, per platform (section 2.2 of the API notes).
DEVICE_FIELDS = ("emmDevice", "admDevice", "winDeviceId", "aosDeviceId")

# Source argument -> environment variable it falls back to: the names the modules and the AWX credential use.
SOURCE_ENV = CONNECTION_ENV
SOURCE_ARGS = frozenset(SOURCE_ENV) | frozenset(
    ("platforms", "interval", "state_file", "expiring_within", "emit_existing", "max_backoff"))
_TRUE = ("1", "true", "yes", "on", "y", "t")
_FALSE = ("0", "false", "no", "off", "n", "f")


class ConfigError(Exception):
    """The source's arguments cannot work; the message names every problem (never the api_token)."""


def _bool(value, name, problems):
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    problems.append("%s: '%s' is not a boolean" % (name, value))
    return None


def _number(value, name, problems, minimum):
    try:
        number = float(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        number = None
    if number is None or number < minimum:
        problems.append("%s: '%s' is not a number of at least %s" % (name, value, minimum))
        return None
    return number


def source_config(args, environ=None):
    """The source's settings from its rulebook ``args``, falling back to ``APPLIVERY_*`` variables.

    Raises ConfigError naming every problem at once.
    """
    environ = os.environ if environ is None else environ
    args = dict(args or {})
    problems = []
    unknown = sorted(set(args) - SOURCE_ARGS)
    if unknown:
        problems.append("unknown argument(s) %s; known: %s" % (", ".join(unknown), ", ".join(sorted(SOURCE_ARGS))))

    def value(name, default=None):
        if args.get(name) not in (None, ""):
            return args[name]
        if name in SOURCE_ENV and environ.get(SOURCE_ENV[name]) not in (None, ""):
            return environ[SOURCE_ENV[name]]
        return default

    config = {
        "api_url": str(value("api_url", DEFAULT_API_URL)),
        "api_token": value("api_token"),
        "organization": value("organization"),
        "ca_path": value("ca_path"),
        "state_file": value("state_file"),
    }
    if not API_URL_RE.match(config["api_url"]):
        problems.append("api_url: '%s' is not an http(s) URL such as %s" % (config["api_url"], DEFAULT_API_URL))
    if not str(config["api_token"] or "").strip():
        problems.append("api_token is empty: set it, or the APPLIVERY_API_TOKEN environment variable")
    if not ORGANIZATION_RE.match(str(config["organization"] or "")):
        problems.append("organization: '%s' is neither a 24-hex id nor a slug of 3 or more letters, digits and hyphens"
                        % (config["organization"] or ""))
    config["validate_certs"] = _bool(value("validate_certs", True), "validate_certs", problems)
    config["emit_existing"] = _bool(value("emit_existing", False), "emit_existing", problems)
    config["timeout"] = _number(value("timeout", 30), "timeout", problems, 1)
    retries = _number(value("retries", 3), "retries", problems, 0)
    config["retries"] = int(retries) if retries is not None else None
    config["interval"] = _number(value("interval", DEFAULT_INTERVAL), "interval", problems, MIN_INTERVAL)
    config["max_backoff"] = _number(value("max_backoff", MAX_BACKOFF), "max_backoff", problems, MIN_INTERVAL)

    platforms = value("platforms", list(PLATFORM_NAMES))
    if isinstance(platforms, str):
        platforms = [p.strip() for p in platforms.split(",") if p.strip()]
    if not isinstance(platforms, list) or not platforms:
        problems.append("platforms: give a list of one or more of %s" % ", ".join(PLATFORM_NAMES))
        platforms = []
    wrong = [p for p in platforms if p not in PLATFORMS]
    if wrong:
        problems.append("platforms: %s not one of %s" % (", ".join(str(p) for p in wrong), ", ".join(PLATFORM_NAMES)))
    config["platforms"] = [p for p in PLATFORM_NAMES if p in platforms]

    window = value("expiring_within", DEFAULT_EXPIRING_WITHIN)
    seconds, duration_problems = parse_duration(window, "expiring_within")
    problems.extend(duration_problems)
    if seconds is not None and seconds < 0:
        problems.append("expiring_within must not be negative")
    config["expiring_within"] = seconds

    if config["state_file"] is not None:
        config["state_file"] = os.path.abspath(os.path.expanduser(str(config["state_file"])))
    if problems:
        raise ConfigError("applivery.mdm.enrollment_events: " + "; ".join(problems))
    return config


def backoff_delay(interval, failures, max_backoff=MAX_BACKOFF):
    """Seconds to wait before the next poll after ``failures`` failed polls in a row (0: the interval)."""
    if failures <= 0:
        return interval
    return min(max(max_backoff, interval), interval * (2 ** min(failures, 16)))


def _device_id(raw):
    for field in DEVICE_FIELDS:
        value = raw.get(field)
        if isinstance(value, dict):
            value = value.get("id")
        if value not in (None, ""):
            return str(value)
    return None


def _expiry(raw, token):
    """The token's expiry; Android's seed-001 shape carries it only in ``config`` (no expireAt)."""
    if token.get("expires_at"):
        return token["expires_at"]
    config = raw.get("config") if isinstance(raw.get("config"), dict) else {}
    try:
        return canonical_time(config.get("expirationTimestamp"))
    except (TypeError, ValueError):
        return None


def observe(raw, platform):
    """What an event may say about one vendor token of ``platform``: no enrollment link, code or QR code."""
    try:
        token = normalize_token(raw, platform.name)
    except (TypeError, ValueError):  # a timestamp that is not one: the token without its times still has its state
        token = normalize_token(dict((k, v) for k, v in raw.items() if k not in TIME_FIELDS), platform.name)
    return {
        "id": token["id"],
        "state": token["state"],
        "user_id": token["user_id"],
        "email": token["user_email"],
        "device_id": token.get("device_id") or _device_id(raw),
        "display_name": token["display_name"],
        "management_mode": token.get("management_mode"),
        "tags": list(token.get("tags") or []),
        "perpetual": bool(token.get("perpetual")),
        "expires_at": _expiry(raw, token),
        "created_at": token["created_at"],
        "updated_at": token["updated_at"],
    }


def _when(value):
    """A timestamp as a naive UTC datetime; None when absent or not a timestamp (an event is never lost to a bad date)."""
    try:
        return parse_time(value)
    except (TypeError, ValueError):
        return None


def _state_now(token, now):
    try:
        return effective_state({"state": token.get("state"), "perpetual": token.get("perpetual"),
                                "expires_at": token.get("expires_at")}, now)
    except (TypeError, ValueError):
        return token.get("state")


def _expires_within(token, now, window):
    expiry = _when(token.get("expires_at"))
    if not window or token.get("perpetual") or expiry is None:
        return False
    return expiry - now <= datetime.timedelta(seconds=window)


class ChangeDetector:
    """Decides the events between what was seen (records) and what the list says now (observations).

    A record is ``{"s": state, "u": user_id}`` plus ``"x": True`` once token_expiring was emitted for
    the token and ``"m": n`` while it has been missing from ``n`` lists in a row.
    """

    def __init__(self, organization, expiring_within=12 * 3600, emit_existing=False):
        self.organization = organization
        self.expiring_within = expiring_within
        self.emit_existing = emit_existing

    def diff(self, platform, previous, tokens, now):
        """``(events, records)`` for one platform.

        ``previous`` is the platform's records from the last poll, or None when the platform was never
        read (first start: nothing is emitted for what exists unless ``emit_existing``). ``tokens`` is
        every token of the platform, DELETED included, as ``observe`` returns them. ``now`` is the API's
        current time (naive UTC).
        """
        first = previous is None
        previous = previous or {}
        states = dict((t["id"], _state_now(t, now)) for t in tokens)
        enrolled = set(t["user_id"] for t in tokens if states[t["id"]] == "DONE" and t["user_id"])
        # the latest expiry of each person's PENDING tokens: someone who holds a fresh token needs no renewal
        freshest = {}
        for token in tokens:
            if states[token["id"]] == "PENDING" and token["user_id"]:
                expiry = None if token.get("perpetual") else _when(token.get("expires_at"))
                expiry = datetime.datetime.max if expiry is None else expiry
                freshest[token["user_id"]] = max(expiry, freshest.get(token["user_id"], datetime.datetime.min))

        events = []
        records = {}
        for token in sorted(tokens, key=lambda t: (t.get("created_at") or "", t["id"] or "")):
            if not token["id"]:
                continue
            state = states[token["id"]]
            before = previous.get(token["id"])
            record = {"s": state, "u": token["user_id"]}
            if before and before.get("x"):
                record["x"] = True
            records[token["id"]] = record

            emit = _Emitter(self, events, platform, token, state, now)

            if first:
                if not self.emit_existing:
                    if state == "PENDING" and _expires_within(token, now, self.expiring_within):
                        record["x"] = True  # it was already expiring before the source started
                    continue
                if state in STATE_EVENTS:
                    emit(STATE_EVENTS[state], initial=True)
                else:
                    emit(TOKEN_CREATED, at=token.get("created_at"), initial=True)
            elif before is None:
                emit(TOKEN_CREATED, at=token.get("created_at"))
                if state in STATE_EVENTS:
                    emit(STATE_EVENTS[state], previous_state="PENDING")
            elif before.get("s") != state and state in STATE_EVENTS:
                if not (state == "EXPIRED" and before.get("s") in ("DONE", "DELETED")):
                    emit(STATE_EVENTS[state], previous_state=before.get("s"))

            if (state == "PENDING" and not record.get("x") and _expires_within(token, now, self.expiring_within)
                    and token["user_id"] not in enrolled and not self._has_fresher(token, freshest, now)):
                record["x"] = True
                emit(TOKEN_EXPIRING, initial=first)

        for token_id, before in previous.items():
            if token_id in records:
                continue
            missing = int(before.get("m", 0)) + 1
            if missing < MISSING_POLLS:
                records[token_id] = dict(before, m=missing)
            elif before.get("s") in LIVE_STATES:
                gone = {"id": token_id, "user_id": before.get("u"), "email": None, "device_id": None}
                events.append(self.event(TOKEN_REVOKED, platform, gone, "DELETED", before.get("s"), None, now, False,
                                         reason="missing from the list"))
        return events, records

    def _has_fresher(self, token, freshest, now):
        latest = freshest.get(token["user_id"])
        mine = _when(token.get("expires_at"))
        return latest is not None and mine is not None and latest > mine and latest - now > datetime.timedelta(seconds=self.expiring_within)

    def event(self, kind, platform, token, state, previous_state, at, now, initial, reason=None):
        if at is None:
            expiry = _when(token.get("expires_at"))
            if kind == TOKEN_EXPIRED and expiry is not None and expiry <= now:
                at = token["expires_at"]
            elif kind in (ENROLLMENT_STARTED, DEVICE_ENROLLED, TOKEN_REVOKED) and token.get("updated_at"):
                at = token["updated_at"]
            else:
                at = format_time(now)
        event = {
            "type": kind,
            "event_id": "%s:%s:%s" % (platform, token["id"], kind),
            "organization": self.organization,
            "platform": platform,
            "token_id": token["id"],
            "user_id": token.get("user_id"),
            "email": token.get("email"),
            "device_id": token.get("device_id"),
            "state": state,
            "previous_state": previous_state,
            "display_name": token.get("display_name"),
            "management_mode": token.get("management_mode"),
            "tags": list(token.get("tags") or []),
            "expires_at": token.get("expires_at"),
            "created_at": token.get("created_at"),
            "at": at,
            "detected_at": format_time(now),
            "initial": bool(initial),
        }
        if reason:
            event["reason"] = reason
        return event


class _Emitter:
    """Appends the events of one token to a list."""

    def __init__(self, detector, events, platform, token, state, now):
        self.detector = detector
        self.events = events
        self.platform = platform
        self.token = token
        self.state = state
        self.now = now

    def __call__(self, kind, at=None, previous_state=None, initial=False):
        self.events.append(self.detector.event(kind, self.platform, self.token, self.state, previous_state, at, self.now, initial))


def wrap(event):
    """The event as the rulebook sees it: under the top-level key ``applivery``."""
    return {EVENT_KEY: event}


class StateFileError(Exception):
    """The state file cannot be read, or belongs to another organization."""


class StateFile:
    """What the source has seen, per platform, and the events it has not handed over yet.

    ``{"version", "organization", "platforms": {name: {token_id: record}}, "outbox": [event, ...]}``,
    written atomically (temporary file, fsync, rename) with mode 0600. Without a path it lives in memory
    only, and a restart starts afresh.
    """

    def __init__(self, path, organization):
        self.path = path
        self.organization = organization
        self.platforms = {}
        self.outbox = []

    def load(self):
        if not self.path or not os.path.exists(self.path):
            return self
        try:
            with open(self.path) as handle:
                data = json.load(handle)
        except (OSError, ValueError) as error:
            raise StateFileError("state_file %s cannot be read (%s); move it away to start afresh" % (self.path, error))
        if not isinstance(data, dict) or data.get("version") != STATE_FILE_VERSION:
            raise StateFileError("state_file %s is not a version %d state file of this source" % (self.path, STATE_FILE_VERSION))
        if data.get("organization") != self.organization:
            raise StateFileError("state_file %s belongs to organization '%s', not '%s'; use one state file per organization"
                                 % (self.path, data.get("organization"), self.organization))
        self.platforms = dict(data.get("platforms") or {})
        self.outbox = list(data.get("outbox") or [])
        return self

    def save(self):
        if not self.path:
            return
        directory = os.path.dirname(self.path) or "."
        if not os.path.isdir(directory):
            os.makedirs(directory, 0o700)
        data = {"version": STATE_FILE_VERSION, "organization": self.organization,
                "platforms": self.platforms, "outbox": self.outbox}
        handle, tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(self.path), dir=directory)  # mode 0600
        try:
            with os.fdopen(handle, "w") as stream:
                json.dump(data, stream, sort_keys=True, separators=(",", ":"))
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise


class UserDirectory:
    """MDM user id -> email, read from ``GET /mdm/users`` when a token names only its user's id (AOSP).

    The list is read at most once per poll, and only when an event needs an email that is not known yet.
    """

    def __init__(self, client):
        self.client = client
        self.emails = {}
        self._fresh = False

    def new_poll(self):
        self._fresh = False

    def email(self, user_id):
        if user_id and user_id not in self.emails and not self._fresh:
            self._fresh = True
            for user in self.client.paginate(self.client.org_path("mdm/users"), page_size=PAGE_SIZE):
                if user.get("id"):
                    self.emails[user["id"]] = (user.get("email") or "").strip().lower() or None
        return self.emails.get(user_id)


class Poller:
    """One poll: read each platform's token list, compare it with the state, queue the events in the outbox.

    Blocking (AppliveryClient is synchronous): the event source runs ``poll`` in a thread.
    """

    def __init__(self, client, state, detector, platforms):
        self.client = client
        self.state = state
        self.detector = detector
        self.platforms = platforms
        self.users = UserDirectory(client)

    def read(self, name):
        platform = PLATFORMS[name]
        params = platform.list_params(include_deleted=True)
        if isinstance(params, tuple):  # (params, client_side) from older _platforms
            params = params[0]
        return [observe(raw, platform) for raw in self.client.paginate(
            self.client.org_path(platform.tokens_path), params=params, page_size=PAGE_SIZE)]

    def poll(self):
        """Read and compare every platform; a PollResult, with nothing changed in the state yet.

        A platform whose list could not be read whole is left out; its state stays, and the next poll
        compares again, so a failed read loses no change.
        """
        self.users.new_poll()
        result = PollResult()
        for name in self.platforms:
            try:
                tokens = self.read(name)
                now = self.client.server_now()
                previous = self.state.platforms.get(name)
                events, records = self.detector.diff(name, previous, tokens, now)
                for event in events:
                    if event["email"] is None and event["user_id"]:
                        event["email"] = self.users.email(event["user_id"])
            except ApiError as error:
                result.errors[name] = error
                continue
            result.platforms[name] = records
            result.events.extend(events)
            result.changed = result.changed or records != previous
        return result

    def commit(self, result):
        """Apply a PollResult to the state; ``(new_events, errors)``. The caller saves the state file."""
        self.state.platforms.update(result.platforms)
        self.state.outbox.extend(result.events)
        return result.events, result.errors


class PollResult:
    """What one poll found: records per platform read, the events, the errors per platform not read."""

    def __init__(self):
        self.platforms = {}
        self.events = []
        self.errors = {}
        self.changed = False


def retryable(error):
    """True for failures a later poll may get past: no answer, 429 or 5xx."""
    return error.status is None or error.status == 429 or error.status >= 500
