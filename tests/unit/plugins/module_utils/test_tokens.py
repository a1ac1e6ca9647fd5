# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""normalize_token turns every documented vendor variant into one canonical dict."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest

from ansible_collections.applivery.mdm.plugins.module_utils import _tokens as tokens
from ansible_collections.applivery.mdm.plugins.module_utils._platforms import PLATFORMS

USER = "64a0000000000000000000u1".replace("u", "a")
POLICY_A = "64b000000000000000000001"
POLICY_B = "64b000000000000000000002"

CANONICAL_KEYS = {"id", "platform", "state", "user_id", "user_email", "display_name", "tags", "policy_id", "policy_assignments",
                  "expires_at", "enrollment_link", "enroll_code", "qr_code", "qrcode_url", "device_id", "created_at"}


def test_apple_token_with_user_object_and_expire_at():
    raw = {
        "id": "64c000000000000000000001", "organization": "64a000000000000000000001", "state": "PENDING",
        "mdmUser": {"id": USER, "email": "Alice@Example.com "}, "displayName": "Alice's Mac", "tags": ["a", "b"],
        "policyId": POLICY_A, "admPolicyAssignments": [{"admPolicyId": POLICY_B, "priority": 5}, {"admPolicyId": POLICY_A, "priority": 1}],
        "expireAt": "2026-11-23T14:00:00.000Z", "enrollmentLink": "https://enroll.example/x", "enrollCode": "ABCD1234",
        "createdAt": "2026-11-22T14:00:00.000Z",
    }
    token = tokens.normalize_token(raw, "apple")
    assert CANONICAL_KEYS <= set(token)
    assert token["state"] == "PENDING"
    assert token["user_id"] == USER
    assert token["user_email"] == "alice@example.com"
    assert token["policy_id"] == POLICY_A
    assert token["policy_assignments"] == [{"policy_id": POLICY_A, "priority": 1}, {"policy_id": POLICY_B, "priority": 5}]
    assert token["expires_at"] == "2026-11-23T14:00:00Z"
    assert token["enrollment_link"] == "https://enroll.example/x"
    assert token["enroll_code"] == "ABCD1234"


def test_aosp_token_with_status_user_id_and_summary_expiry():
    raw = {
        "id": "64c000000000000000000002", "organizationId": "64a000000000000000000001", "mdmUserId": USER, "status": "pending",
        "state": "SOMETHING_ELSE", "summary": {"expirationTimestamp": "2026-11-23T15:30:00+01:00", "managementMode": "DEVICE_OWNER"},
        "aosPolicyAssignments": [{"aosPolicyId": POLICY_A, "aosPolicy": {"id": POLICY_A, "name": "x"}, "priority": 0}],
        "config": {"oneTimeToken": "otp-1", "qrCode": {"k": "v"}}, "perpetual": False,
    }
    token = tokens.normalize_token(raw, PLATFORMS["aosp"])
    assert token["state"] == "PENDING", "AOSP reads its lifecycle from `status`"
    assert token["user_id"] == USER and token["user_email"] is None
    assert token["expires_at"] == "2026-11-23T14:30:00Z", "offsets are converted to UTC"
    assert token["policy_id"] is None
    assert token["policy_assignments"] == [{"policy_id": POLICY_A, "priority": 0}]
    assert token["enroll_code"] == "otp-1"
    assert token["qr_code"] == '{"k": "v"}'
    assert token["management_mode"] == "DEVICE_OWNER"


def test_windows_policy_key_and_nested_assignment_ids():
    raw = {"id": "x", "state": "DONE", "winPolicyId": POLICY_B,
           "winPolicyAssignments": [{"winPolicy": {"id": POLICY_A, "name": "n"}, "priority": 2}]}
    token = tokens.normalize_token(raw, "windows")
    assert token["policy_id"] == POLICY_B
    assert token["policy_assignments"] == [{"policy_id": POLICY_A, "priority": 2}]


@pytest.mark.parametrize("text, expected", [
    ("2026-11-22T14:00:00Z", datetime.datetime(2026, 11, 22, 14)),
    ("2026-11-22T14:00:00.250Z", datetime.datetime(2026, 11, 22, 14, 0, 0, 250000)),
    ("2026-11-22T14: 22:00Z", datetime.datetime(2026, 11, 22, 14, 22)),  # the vendor docs' stray space
    ("2026-11-22T16:00:00+02:00", datetime.datetime(2026, 11, 22, 14)),
    (None, None),
])
def test_parse_time(text, expected):
    assert tokens.parse_time(text) == expected


def test_expiry_and_effective_state():
    now = datetime.datetime(2026, 11, 22, 12)
    pending = {"state": "PENDING", "expires_at": "2026-11-22T11:59:59Z", "perpetual": False}
    assert tokens.is_expired(pending, now)
    assert tokens.effective_state(pending, now) == "EXPIRED"
    perpetual = dict(pending, perpetual=True)
    assert not tokens.is_expired(perpetual, now)
    assert tokens.effective_state(perpetual, now) == "PENDING"
    future = dict(pending, expires_at="2026-11-22T12:00:01Z")
    assert tokens.effective_state(future, now) == "PENDING"


def test_android_token_in_the_seed_001_shape():
    """Seed 001's create response: status+state, config{expirationTimestamp, code}, qrcodeUrl, emmPolicyAssignments, emmDevice."""
    raw = {
        "id": "64c000000000000000000003", "organization": "64a000000000000000000001", "emmEnterprise": "e1",
        "emmPolicyAssignments": [{"emmPolicyId": POLICY_B, "emmPolicy": {"id": POLICY_B, "name": "Kiosk"}, "priority": "2"},
                                 {"emmPolicy": {"id": POLICY_A, "name": "Std"}, "priority": 0}],
        "mdmUser": {"id": USER, "email": "Ann@Example.com"}, "emmDevice": "64d000000000000000000001", "displayName": "Ann",
        "tags": ["t"], "status": "DONE", "state": "DONE", "sendEmail": True, "managementMode": "DEVICE_OWNER", "emailText": "Hi",
        "config": {"expirationTimestamp": "2026-11-23T14: 00:00Z", "code": "ENROLL-1"}, "_config": {},
        "summary": {"managementMode": "DEVICE_OWNER", "expirationTimestamp": "2026-11-23T14: 00:00Z"},
        "type": "enrollment", "subType": "standard", "perpetual": False, "updatedAt": "2026-11-22T15:00:00Z",
        "createdAt": "2026-11-22T14:00:00Z", "qrcodeUrl": "https://qr.example/1", "enrollmentLink": "https://enroll.example/1",
    }
    token = tokens.normalize_token(raw, "android")
    assert CANONICAL_KEYS <= set(token)
    assert (token["state"], token["user_id"], token["user_email"]) == ("DONE", USER, "ann@example.com")
    assert token["expires_at"] == "2026-11-23T14:00:00Z", "config.expirationTimestamp, with the vendor docs' stray space"
    assert token["enroll_code"] == "ENROLL-1"
    assert token["qrcode_url"] == "https://qr.example/1" and token["qr_code"] is None
    assert token["device_id"] == "64d000000000000000000001"
    assert token["policy_id"] is None, "the seed 001 read model has no policyId"
    assert token["policy_assignments"] == [{"policy_id": POLICY_A, "priority": 0}, {"policy_id": POLICY_B, "priority": 2}]
    assert token["updated_at"] == "2026-11-22T15:00:00Z"


def test_numbers_echoed_as_strings_are_numbers_and_unechoed_settings_are_unknown():
    token = tokens.normalize_token({"id": "x", "state": "PENDING", "segmentId": "1", "winDeviceId": "dev-9"}, "windows")
    assert token["segment_id"] == 1 and token["device_id"] == "dev-9"
    assert tokens.normalize_token({"id": "x", "segmentId": "one"}, "windows")["segment_id"] is None
    for name in ("tags", "policy_id", "policy_assignments", "display_name", "management_mode", "perpetual"):
        assert token[name] is None, "%s is not echoed: unknown, not a default" % name


def test_apple_policy_may_be_echoed_as_an_object_or_as_null():
    assert tokens.normalize_token({"id": "x", "admPolicy": {"id": POLICY_A, "name": "p"}}, "apple")["policy_id"] == POLICY_A
    assert tokens.normalize_token({"id": "x", "admPolicy": None}, "apple")["policy_id"] is None


@pytest.mark.parametrize("text, expected", [
    ("2026-11-22T14:00:00.123Z", "2026-11-22T14:00:00Z"),
    ("2026-11-22T14:00:00Z", "2026-11-22T14:00:00Z"),
    ("2026-11-22T16:00:00.5+02:00", "2026-11-22T14:00:00Z"),
    ("", None),
])
def test_canonical_time_fast_and_slow_paths_agree(text, expected):
    assert tokens.canonical_time(text) == expected
