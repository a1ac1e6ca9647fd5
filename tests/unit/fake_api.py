# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""FakeApi: the part of AppliveryClient the reconcile code uses, serving canned data from memory. No network.

Tokens are stored in each platform's vendor read shape (see raw_token), so the code under test normalises
them as it would the API's. Every call is logged in ``requests`` as ``(method, path, params or body)``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.applivery.mdm.plugins.module_utils._bulk.input import DEFAULT_MARKER
from ansible_collections.applivery.mdm.plugins.module_utils._client import ApiError
from ansible_collections.applivery.mdm.plugins.module_utils._platforms import PLATFORMS, get_platform
from ansible_collections.applivery.mdm.plugins.module_utils._settings import token_settings_spec
from ansible_collections.applivery.mdm.plugins.module_utils._tokens import format_time

NOW = datetime.datetime(2026, 11, 22, 12, 0, 0)
ORG = "acme"
WRITE_METHODS = ("POST", "PUT", "DELETE")


def object_id(kind, number):
    """A 24-hex id: ``kind`` picks the range (users 64a..., tokens 64c..., policies 64b...)."""
    return "64%s%021x" % (kind, number)


def raw_token(platform, user, token_id, state="PENDING", expires=NOW + datetime.timedelta(days=1), created=NOW, **fields):
    """A vendor token of ``platform`` for ``user`` ({id, email}) in that platform's read shape.

    Android follows seed 001 (status+state, config{expirationTimestamp, code}, qrcodeUrl, no expireAt),
    AOSP carries only mdmUserId and reads its lifecycle from ``status``.
    """
    platform = get_platform(platform)
    raw = {"id": token_id, "tags": [], "createdAt": format_time(created), "enrollmentLink": "https://enroll.example/%s" % token_id}
    expiry = format_time(expires) if expires else None
    if platform.name == "aosp":
        raw.update(mdmUserId=user["id"], status=state, summary={"expirationTimestamp": expiry}, perpetual=False,
                   config={"oneTimeToken": "otp-%s" % token_id})
    elif platform.name == "android":
        raw.update(mdmUser=dict(user), status=state, state=state, config={"expirationTimestamp": expiry, "code": "C-%s" % token_id},
                   qrcodeUrl="https://qr.example/%s" % token_id, perpetual=False)
    else:
        raw.update(mdmUser=dict(user), state=state, expireAt=expiry, enrollCode="C-%s" % token_id)
    raw.update(fields)
    return raw


class FakeApi:
    """An organization in memory: MDM users, vendor tokens per platform and policies.

    ``ignore_filters`` plays a server that ignores the list filters (mdm-user, email). ``bulk`` is what a bulk
    POST does: by default it makes one token per email whose user exists, at once, and counts the rest as failed.
    """

    organization = ORG

    def __init__(self, users=(), retries=0, ignore_filters=False, policies=None):
        self.retries = retries
        self.ignore_filters = ignore_filters
        self.users = []
        self.tokens = dict((name, []) for name in PLATFORMS)
        self.policies = dict(policies or {})
        self.requests = []
        self.reads = 0
        self.writes = 0
        self.token_listings = 0
        self.later = []  # (token listing after which it appears, platform, email)
        self.bulk = self.make_now
        self._numbers = {}
        for email in users:
            self.add_user(email)

    # -------------------------------------------------------------- data
    def _next(self, kind):
        self._numbers[kind] = self._numbers.get(kind, 0) + 1
        return object_id(kind, self._numbers[kind])

    def add_user(self, email):
        user = {"id": self._next("a"), "email": email}
        self.users.append(user)
        return user

    def user(self, email):
        return next((u for u in self.users if u["email"] == email), None)

    def add_token(self, platform, email, state="PENDING", **fields):
        """A token of the user ``email`` (made when missing); the raw vendor token."""
        user = self.user(email) or self.add_user(email)
        created = NOW + datetime.timedelta(seconds=sum(len(tokens) for tokens in self.tokens.values()))
        raw = raw_token(platform, user, self._next("c"), state=state, created=fields.pop("created", created), **fields)
        self.tokens[get_platform(platform).name].append(raw)
        return raw

    def make_now(self, platform, emails, body):
        """The default bulk behaviour: a token per email that has a user, now; the counts the API answers."""
        made = [email for email in emails if self.user(email)]
        for email in made:
            self.add_token(platform, email, tags=list(body.get("tags") or []))
        return {"total": len(emails), "success": len(made), "fail": len(emails) - len(made)}

    def make_after(self, listings):
        """A bulk behaviour: answer at once, but each token appears only after ``listings`` more token listings."""
        def bulk(platform, emails, body):  # pylint: disable=unused-argument
            due = self.token_listings + listings
            self.later.extend((due, platform, email) for email in emails)
            return {"total": len(emails), "success": len(emails), "fail": 0}
        return bulk

    def writes_logged(self):
        return [r for r in self.requests if r[0] in WRITE_METHODS]

    # ------------------------------------------------------------ client
    def org_path(self, suffix=""):
        return "/organizations/%s/%s" % (ORG, suffix.lstrip("/"))

    def server_now(self):
        return NOW

    def paginate(self, path, params=None, **kwargs):  # pylint: disable=unused-argument
        yield from self.get(path, params) or []

    def get(self, path, params=None):
        self.reads += 1
        self.requests.append(("GET", path, dict(params or {})))
        route, rest = self._route(path)
        params = {} if self.ignore_filters else dict(params or {})
        if route == "users":
            if rest:
                user = next((u for u in self.users if u["id"] == rest), None)
                if user is None:
                    raise ApiError(status=404, code=3001, vendor_message="Entity not found", method="GET", path=path)
                return user
            return [u for u in self.users if "email" not in params or u["email"] == params["email"]]
        if route == "policies":
            return list(self.policies.get(rest, []))
        return self._list_tokens(rest, params)

    def _list_tokens(self, platform, params):
        self.token_listings += 1
        for due, name, email in [entry for entry in self.later if entry[0] <= self.token_listings]:
            self.later.remove((due, name, email))
            self.add_token(name, email)
        deleted = params.get("show-deleted") == "true" or "DELETED" in params.get("status", "")
        tokens = []
        for raw in self.tokens[platform]:
            owner = raw.get("mdmUserId") or raw["mdmUser"]["id"]
            state = raw.get("status") or raw.get("state")
            if ("mdm-user" in params and owner != params["mdm-user"]) or (state == "DELETED" and not deleted):
                continue
            tokens.append(dict(raw))
        return tokens

    def post(self, path, body):
        self.writes += 1
        self.requests.append(("POST", path, body))
        route, rest = self._route(path)
        if route == "users":
            return self.add_user(body["email"])
        if rest.endswith("/bulk"):
            platform = rest[:-len("/bulk")]
            return self.bulk(platform, list(body["userEmails"]), body)
        user = next(u for u in self.users if u["id"] == body["mdmUserId"])
        return self.add_token(rest, user["email"], tags=list(body.get("tags") or []))

    def put(self, path, body):
        self.writes += 1
        self.requests.append(("PUT", path, body))
        raw = self._token(path)
        raw.update(body)
        return dict(raw)

    def delete(self, path):
        self.writes += 1
        self.requests.append(("DELETE", path, None))
        raw = self._token(path)
        raw["status" if "status" in raw else "state"] = "DELETED"
        raw["state" if "state" in raw else "status"] = "DELETED"
        return {}

    def _token(self, path):
        token_id = path.rsplit("/", 1)[1]
        return next(t for tokens in self.tokens.values() for t in tokens if t["id"] == token_id)

    @staticmethod
    def _route(path):
        """``(kind, rest)``: ("users", user id or ""), ("policies", platform) or ("tokens", platform[/id|/bulk])."""
        suffix = path.split("/organizations/%s/" % ORG, 1)[1]
        if suffix.startswith("mdm/users"):
            return "users", suffix[len("mdm/users/"):]
        if suffix == "mdm/policies":
            return "policies", "windows"
        segment, tail = suffix[len("mdm/"):].split("/enterprise/", 1)
        if tail.startswith("policies"):
            return "policies", segment
        rest = tail[len("enrollment-tokens"):]
        return "tokens", segment + rest


def bulk_params(platform, users, **overrides):
    """The enrollment_token_bulk options as the module hands them on, defaults filled in."""
    params = dict((name, spec.get("default")) for name, spec in token_settings_spec().items())
    params.update(platform=platform, users=list(users), state="present", devices=1, exclusive=False, marker_tag=DEFAULT_MARKER,
                  create_users=False, chunk_size=500, confirm_timeout=30, result_detail="all", report_path=None, fail_on_error=True)
    params.update(overrides)
    return params
