# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The kit_sheets filter: which registered results (bulk runs, info results, tokens) become kit sheets."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.applivery.mdm.plugins.filter.kit_sheets import kit_sheets

LINK = "https://mdm.example.invalid/apple/enroll/0123456789ABCDEF"
AOSP_QR = json.dumps({"android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE": {"oneTimeToken": "TOKEN1"},
                      "android.app.extra.PROVISIONING_DEVICE_ADMIN_COMPONENT_NAME": "com.applivery.aosp/.AdminReceiver"},
                     sort_keys=True)


BULK_RUN = {
    "__applivery_platform": "apple", "changed": True,
    "results": [
        {"email": "alice@example.com", "action": "created", "error": None,
         "token": {"id": "a1", "state": "PENDING", "expires_at": "2026-12-03T14:00:00Z", "enrollment_link": LINK,
                   "enroll_code": "C1", "qr_code": None}},
        {"email": "gone@example.com", "action": "revoked", "error": None,
         "token": {"id": "a2", "state": "DELETED", "enrollment_link": LINK + "2"}},
        {"email": "bad@example.com", "action": "failed", "error": "boom", "token": None},
        {"email": "planned@example.com", "action": "created", "error": None, "token": None},
    ],
}


def test_kit_sheets_from_bulk_runs_with_the_peoples_names_and_languages():
    people = {"apple": [{"email": "alice@example.com", "display_name": "Alice"}]}
    sheets = kit_sheets([BULK_RUN, {"skipped": True}], people=people, platform_settings={"apple": {"language": "es"}})
    assert sheets == [{"email": "alice@example.com", "platform": "apple", "name": "Alice", "language": "es",
                       "expires_at": "2026-12-03T14:00:00Z", "enrollment_link": LINK, "enroll_code": "C1"}]


def test_kit_sheets_from_info_results_in_a_loop():
    aosp_token = {"id": "b1", "platform": "aosp", "state": "PENDING", "user_email": None, "expires_at": None,
                  "perpetual": True, "enroll_code": "T", "qr_code": AOSP_QR, "enrollment_link": None}
    listing = {"results": [
        {"item": "aosp", "tokens": [aosp_token], "by_email": {"scanner@example.com": aosp_token, "nobody@example.com": None},
         "invocation": {"module_args": {"platform": "aosp"}}},
        {"item": "apple", "tokens": [dict(aosp_token, platform="apple", user_email="ann@example.com", qr_code=None,
                                          perpetual=False, enrollment_link=LINK, state="PENDING")]},
        {"item": "windows", "failed": True, "msg": "nope"},
    ]}
    sheets = kit_sheets(listing, people=["ann@example.com", {"email": "scanner@example.com", "language": "es"}])
    assert [(s["platform"], s["email"]) for s in sheets] == [("aosp", "scanner@example.com"), ("apple", "ann@example.com")]
    assert sheets[0]["perpetual"] is True and sheets[0]["language"] == "es" and sheets[0]["qr_code"] == AOSP_QR
