"""Process and transport: CLI/harness lifecycle, TLS, keep-alive, concurrency, spec coverage."""

from __future__ import annotations

import http.client
import os
import threading
import urllib.parse

import pytest
import requests
import yaml

from emulator.certificates import write_self_signed
from emulator.harness import ADMIN_TOKEN, EmulatorProcess
from emulator.tests.helpers import ACME, ALICE, DAVE, Api, assert_error, seeded_token, tokens_path
from emulator.tests.oas import SPEC_PATH, RawResponse

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def test_tls_mode_serves_https(tmp_path, validator):
    cert, key = write_self_signed(tmp_path)
    with EmulatorProcess(tls_cert=cert, tls_key=key) as emu:
        assert emu.url.startswith("https://127.0.0.1:")
        api = Api(emu.url, validator, verify=str(cert))
        assert api.data("GET", "/organizations/acme")["slug"] == ACME
        assert emu.control.clock()["offset_seconds"] == 0
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(emu.url + "/v1/organizations/acme", headers=AUTH, timeout=10, verify=True)
        emu.control.set_faults(seed=1, rates={"reset": 1.0})
        with pytest.raises(requests.exceptions.ConnectionError):
            api.session.get(emu.url + "/v1/organizations/acme", headers=AUTH, timeout=10, verify=str(cert))
        assert emu.stop() == 0


def test_sigterm_exits_cleanly_and_custom_seed(tmp_path, validator):
    seed_file = tmp_path / "seed.yml"
    seed_file.write_text(yaml.safe_dump({
        "serviceAccounts": [{"token": "t", "role": "Viewer", "organizations": ["s1"]}],
        "organizations": [{"id": "64a0000000000000000000bb", "slug": "s1", "name": "S1"}],
    }))
    emu = EmulatorProcess(seed=seed_file).start()
    try:
        resp = requests.get(emu.url + "/v1/organizations", headers={"Authorization": "Bearer t"}, timeout=10)
        validator.validate("GET", "/v1/organizations", None, resp)
        assert [o["slug"] for o in resp.json()["data"]["items"]] == ["s1"]
    finally:
        assert emu.stop() == 0


def test_bad_seed_fails_fast(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("organizations: [{slug: x}]\n")
    proc = EmulatorProcess(seed=bad, startup_timeout=20)
    with pytest.raises(RuntimeError) as info:
        proc.start()
    assert "organization needs a 24-hex id" in str(info.value)
    assert proc.proc.returncode == 2
    os.unlink(proc.log_path)  # a failed start keeps its log for debugging; this one was expected


def test_http11_keep_alive(emu, ctl, validator):  # pylint: disable=unused-argument
    parsed = urllib.parse.urlsplit(emu.url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)

    def call(method, path, body=None, headers=None):
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        raw = RawResponse(resp.status, resp.getheaders(), resp.read())
        validator.validate(method, path, None, raw)
        assert resp.version == 11
        return raw

    try:
        conn.connect()
        sock = conn.sock
        for _n in range(5):
            resp = call("GET", "/v1/organizations/acme", headers=AUTH)
            assert resp.status_code == 200 and resp.headers.get("Connection") != "close"
        # a POST whose body the server never reads (auth fails first) keeps the connection usable
        body = b'{"mdmUserId": "x"}'
        assert call("POST", "/v1" + tokens_path(ACME, "apple"), body, {"Content-Type": "application/json"}).status_code == 401
        assert call("GET", "/v1/organizations/acme", headers=AUTH).status_code == 200
        assert conn.sock is sock
    finally:
        conn.close()


def test_trailing_slash_and_head(api, emu, validator):
    resp = requests.get(f"{emu.url}/v1{tokens_path(ACME, 'apple')}/", headers=AUTH, timeout=10)
    validator.validate("GET", f"/v1{tokens_path(ACME, 'apple')}", None, resp)
    assert resp.status_code == 200 and resp.json()["data"]["totalDocs"] == 2
    head = requests.head(f"{emu.url}/v1/organizations/acme", headers=AUTH, timeout=10)
    assert head.status_code == 200 and head.text == ""
    assert_error(api.get("/organizations/acme/mdm/nothing-here"), 404, 3001)


def test_concurrent_writes_are_consistent(api, ctl):
    errors = []

    def worker(n):
        session = requests.Session()
        for i in range(15):
            body = {"mdmUserId": DAVE, "sendEmail": False, "displayName": f"w{n}-{i}"}
            resp = session.post(f"{api.url}/v1{tokens_path(ACME, 'windows')}", json=body, headers=AUTH, timeout=30)
            api.validator.validate("POST", f"/v1{tokens_path(ACME, 'windows')}", None, resp)
            if resp.status_code != 200:
                errors.append(resp.text)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(ctl.state_tokens(ACME, "windows", email="dave@example.com")) == 90
    assert api.list_tokens(ACME, "windows", **{"mdm-user": DAVE})["totalDocs"] == 90
    assert ctl.summary(0)["writes"] == 90


def _fill(template: str) -> str:
    values = {
        "organizationId": ACME,
        "emmEnrollmentTokenId": seeded_token("android", 1),
        "admEnrollmentTokenId": seeded_token("apple", 1),
        "winEnrollmentTokenId": seeded_token("windows", 1),
        "aosEnrollmentTokenId": seeded_token("aosp", 1),
        "mdmUserId": ALICE,
    }
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


def test_every_openapi_operation_is_served(api):
    with open(SPEC_PATH, encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)
    served = 0
    for template, item in spec["paths"].items():
        for method in ("get", "post", "put", "delete"):
            if method not in item:
                continue
            path = _fill(template)
            resp = api.request(method.upper(), path, json={} if method in ("post", "put") else None)
            # every route exists: the only acceptable outcomes are success or a validation/business error
            assert resp.status_code in (200, 400), (method, template, resp.status_code, resp.text)
            served += 1
    assert served == 34  # 21 token operations, 6 user, 5 policy lists, 2 organization
