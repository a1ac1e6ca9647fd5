"""Shared constants and the validating vendor-API client used by the emulator tests."""

from __future__ import annotations

import re

import requests

from emulator.harness import ADMIN_TOKEN

ACME = "acme"
ACME_ID = "64a000000000000000000001"
TINY = "tiny-shop"
TINY_ID = "64a000000000000000000002"
OTHER = "other-org"
PLATFORMS = ("android", "apple", "windows", "aosp")
DIGIT = {"android": 1, "apple": 2, "windows": 3, "aosp": 4}

ALICE = "64c000000000000000000001"
BOB = "64c000000000000000000002"
CAROL = "64c000000000000000000003"
DAVE = "64c000000000000000000004"
ERIN = "64c000000000000000000011"
UNKNOWN_ID = "0123456789abcdef01234567"

POLICY_NAMES = ("Corporate Standard", "Corporate Standard Plus", "Kiosk", "Duplicate Name", "Duplicate Name", "BYOD Light")
ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
OID_RE = re.compile(r"^[0-9a-f]{24}$")


def policy_id(platform: str, n: int) -> str:
    """Seeded acme policy id (n = 1..6 in POLICY_NAMES order)."""
    return f"64b{DIGIT[platform]}{n:020x}"


def seeded_token(platform: str, n: int) -> str:
    """Seeded acme token id: 1 = alice, 2 = bob, 3 = carol."""
    return f"64d{DIGIT[platform]}{n:020x}"


def tokens_path(org: str, platform: str, suffix: str = "") -> str:
    """``/organizations/{org}/mdm/{platform}/enterprise/enrollment-tokens[suffix]``."""
    return f"/organizations/{org}/mdm/{platform}/enterprise/enrollment-tokens{suffix}"


def create_body(platform: str, user_id: str, **extra) -> dict:
    """Minimal valid single-create body."""
    body = {"mdmUserId": user_id}
    if platform != "aosp":
        body["sendEmail"] = False
    if platform in ("android", "aosp"):
        body["managementMode"] = "DEVICE_OWNER"
    body.update(extra)
    return body


def bulk_body(platform: str, emails: list, **extra) -> dict:
    """Minimal valid bulk body."""
    body = create_body(platform, "x", **extra)
    del body["mdmUserId"]
    body["userEmails"] = emails
    if platform == "aosp" and "duration" not in body and not body.get("perpetual"):
        body["duration"] = 86400
    return body


class Api:
    """Vendor API client: every response is validated against the vendored OpenAPI spec."""

    def __init__(self, url: str, validator, token=ADMIN_TOKEN, session=None, verify=True) -> None:
        self.url = url
        self.validator = validator
        self.token = token
        self.session = session or requests.Session()
        self.verify = verify

    def as_token(self, token) -> "Api":
        """Same client with another bearer token (None = no Authorization header)."""
        return Api(self.url, self.validator, token, self.session, self.verify)

    def request(self, method: str, path: str, params=None, json=None, headers=None, validate: bool = True):
        """Send ``method /v1{path}`` and validate the response."""
        hdrs = dict(headers or {})
        if self.token is not None:
            hdrs["Authorization"] = f"Bearer {self.token}"
        resp = self.session.request(method, f"{self.url}/v1{path}", params=params, json=json, headers=hdrs, timeout=30, verify=self.verify)
        if validate:
            self.validator.validate(method, f"/v1{path}", params, resp)
        return resp

    def get(self, path: str, **kw):
        """GET."""
        return self.request("GET", path, **kw)

    def post(self, path: str, json=None, **kw):
        """POST."""
        return self.request("POST", path, json=json, **kw)

    def put(self, path: str, json=None, **kw):
        """PUT."""
        return self.request("PUT", path, json=json, **kw)

    def delete(self, path: str, **kw):
        """DELETE."""
        return self.request("DELETE", path, **kw)

    def data(self, method: str, path: str, **kw):
        """Send, assert HTTP 200 + ``status: true``, return ``data``."""
        resp = self.request(method, path, **kw)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["status"] is True
        return body["data"]

    def create_token(self, org: str, platform: str, user_id: str, **extra) -> dict:
        """Create one token and return it."""
        return self.data("POST", tokens_path(org, platform), json=create_body(platform, user_id, **extra))

    def list_tokens(self, org: str, platform: str, **params) -> dict:
        """List page ``data``."""
        return self.data("GET", tokens_path(org, platform), params=params)


def assert_error(resp, http_status: int, code: int, message: str | None = None) -> dict:
    """Assert the vendor error envelope."""
    assert resp.status_code == http_status, resp.text
    body = resp.json()
    assert body["status"] is False
    assert body["error"]["code"] == code, body
    if message is not None:
        assert body["error"]["message"] == message, body
    return body["error"]
