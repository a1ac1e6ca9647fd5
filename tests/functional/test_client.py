# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The API client against the emulator over real HTTP: envelopes, errors, retries, pagination, clock."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

import pytest

from ansible_collections.applivery.mdm.plugins.module_utils._client import ApiError, AppliveryClient
from ansible_collections.applivery.mdm.plugins.module_utils._tokens import utcnow

ADMIN = "applivery-emu-admin-token"
TOKENS = "mdm/apple/enterprise/enrollment-tokens"


def client(emu, token=ADMIN, **kwargs):
    kwargs.setdefault("backoff_factor", 0.01)
    return AppliveryClient(token, "acme", api_url=emu.url, **kwargs)


def test_paginate_reads_every_page_once_in_order(emu):
    emu.control.inject_tokens("acme", "apple", [{"email": "page%04d@example.com" % i} for i in range(950)])
    api = client(emu)
    mark = emu.control.last_seq()
    with_read_ahead = [t["id"] for t in api.paginate(api.org_path(TOKENS))]
    gets = emu.control.summary(mark)["reads"]
    sequential = [t["id"] for t in api.paginate(api.org_path(TOKENS), read_ahead=1)]
    assert with_read_ahead == sequential
    assert len(with_read_ahead) == len(set(with_read_ahead)) >= 950
    assert gets == -(-len(sequential) // 100), "one GET per page of 100"
    assert api.reads == 2 * gets


def test_vendor_errors_become_sentences_with_codes(emu):
    with pytest.raises(ApiError) as info:
        AppliveryClient(ADMIN, "no-such-org", api_url=emu.url).get("/organizations/no-such-org")
    assert (info.value.status, info.value.code) == (404, 3001)
    assert str(info.value) == ("Applivery API error 3001 (Entity not found) on GET /organizations/no-such-org: "
                               "check 'organization' and the ids used in the request")
    with pytest.raises(ApiError) as info:
        client(emu, token="not-a-real-token").get("/organizations/acme")
    assert (info.value.status, info.value.code, info.value.vendor_message) == (401, 4004, "Invalid Token")
    viewer = client(emu, token="applivery-emu-viewer-token")
    with pytest.raises(ApiError) as info:
        viewer.post(viewer.org_path("mdm/users"), {"email": "x@example.com"})
    assert (info.value.status, info.value.code) == (403, 4010)
    assert "use an Admin or Developer service-account token" in str(info.value)


def test_get_is_retried_on_503_and_the_count_is_bounded(emu):
    emu.control.set_faults({"seed": 1, "rates": {"503": 1.0}, "methods": ["GET"]})
    api = client(emu, retries=2)
    mark = emu.control.last_seq()
    with pytest.raises(ApiError) as info:
        api.get(api.org_path(TOKENS))
    assert info.value.status == 503 and info.value.retries == 2
    assert "Applivery API returned HTTP 503" in str(info.value) and "after 2 retries" in str(info.value)
    assert emu.control.summary(mark)["reads"] == 3, "the first try and two retries"


def test_post_is_never_retried_by_the_transport(emu):
    emu.control.set_faults({"seed": 1, "rates": {"503": 1.0}, "methods": ["POST"]})
    api = client(emu, retries=5)
    mark = emu.control.last_seq()
    with pytest.raises(ApiError) as info:
        api.post(api.org_path("mdm/users"), {"email": "once@example.com"})
    assert info.value.status == 503
    assert emu.control.summary(mark)["writes"] == 1


def test_retry_after_is_honoured(emu):
    emu.control.set_faults({"seed": 3, "rates": {"429": 0.5}, "retry_after": 1, "methods": ["GET"]})
    api = client(emu, retries=6)
    start = time.monotonic()
    for dummy in range(4):
        api.get(api.org_path(TOKENS))
    injected = emu.control.faults()["counters"]["429"]
    assert injected >= 1
    assert time.monotonic() - start >= injected * 1.0


def test_a_reset_connection_on_get_is_retried(emu):
    emu.control.set_faults({"seed": 7, "rates": {"reset": 0.5}, "methods": ["GET"]})
    api = client(emu, retries=8)
    for dummy in range(6):
        assert api.get(api.org_path("mdm/users"), params={"limit": 1}) is not None
    assert emu.control.faults()["counters"]["reset"] >= 1


def test_a_non_json_proxy_page_is_reported_with_its_status(emu):
    emu.control.set_faults({"seed": 1, "rates": {"502": 1.0}, "methods": ["POST"]})
    api = client(emu)
    with pytest.raises(ApiError) as info:
        api.post(api.org_path("mdm/users"), {"email": "proxy@example.com"})
    assert info.value.status == 502 and info.value.code is None
    assert str(info.value).startswith("Applivery API returned HTTP 502")


def test_timeout_is_bounded_and_said(emu):
    emu.control.set_faults({"seed": 1, "rates": {"latency": 1.0}, "latency_ms": 3000, "methods": ["GET"]})
    api = client(emu, timeout=1, retries=1)
    seq = emu.control.last_seq()
    start = time.monotonic()
    with pytest.raises(ApiError) as info:
        api.get(api.org_path(TOKENS))
    elapsed = time.monotonic() - start
    assert "no answer within the 1 s timeout" in str(info.value)
    # each attempt gives up after 1 s; a third attempt would need 3 s more, far above this loose bound
    assert elapsed < 1 * (1 + 1) + 2.5, "timeout x (1 + retries) plus backoff"
    time.sleep(3.5)  # the emulator logs a request when it answers it, 3 s after it began
    gets = [e for e in emu.control.requests(seq)["items"] if e["method"] == "GET"]
    assert len(gets) == 1 + 1, "one attempt and one retry, got %d" % len(gets)


def test_server_clock_follows_the_date_header(emu):
    api = client(emu)
    emu.control.advance(3 * 86400)
    api.get(api.org_path("mdm/users"), params={"limit": 1})
    skew = (api.server_now() - utcnow()).total_seconds()
    assert 3 * 86400 - 5 < skew < 3 * 86400 + 5
