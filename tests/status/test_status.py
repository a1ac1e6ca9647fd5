"""The enrollment status end to end: the applivery.mdm.status playbook against the emulator, with people in every
state (enrolled through the emulator's enroll control, as a device would), 0 writes, the four report files with
their modes, fail_if gating, and status.html rendered in real headless Chromium (a non-blank screenshot, the page's
counts equal to status.json, no network request).

Run with ``make status`` (it stages the collection and installs Chromium, selenium and Pillow).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import stat
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
from selenium.webdriver.common.by import By

from docs.test_docsite import chromium_driver, check_screenshot
from emulator.harness import ADMIN_TOKEN
from reliability.helpers import ACME, ANSIBLE_PLAYBOOK, base_env

MARKER = "managed-by:applivery.mdm"
DAY = 86400

# who is on the list, and the state each must end up in
PEOPLE = [
    {"email": "st-enrolled@example.com", "platform": "apple"},
    {"email": "st-pending@example.com", "platform": "apple"},
    {"email": "st-late@example.com", "platform": "apple"},
    {"email": "st-expired@example.com", "platform": "apple"},
    {"email": "st-revoked@example.com", "platform": "windows"},
    {"email": "st-processing@example.com", "platform": "windows"},
    {"email": "st-new@example.com", "platform": "windows"},
]
CSV_TEXT = "email,platform\nst-aosp@example.com,aosp\n"
INVENTORY = "staff:\n  hosts:\n    st-inventory@example.com:\n      applivery_platform: windows\n"
EXPECTED = {
    ("apple", "st-enrolled@example.com"): "enrolled",
    ("apple", "st-pending@example.com"): "pending",
    ("apple", "st-late@example.com"): "pending",
    ("apple", "st-expired@example.com"): "expired",
    ("apple", "st-left@example.com"): "orphaned",
    ("windows", "st-revoked@example.com"): "revoked",
    ("windows", "st-processing@example.com"): "enrolled",
    ("windows", "st-new@example.com"): "not_invited",
    ("windows", "st-inventory@example.com"): "enrolled",
    ("aosp", "st-aosp@example.com"): "pending",
}


def spec(email, **more):
    return dict({"email": email, "tags": [MARKER], "sendEmail": True, "duration": 30 * DAY}, **more)


def arrange(ctl):
    """Tokens as the onboarding role and the devices would leave them; returns the enrolled device ids."""
    ctl.reset()
    apple = ctl.inject_tokens(ACME, "apple", [
        spec("st-enrolled@example.com", createdOffsetSeconds=-5 * DAY),
        spec("st-pending@example.com", createdOffsetSeconds=-DAY, sendEmail=False),
        spec("st-late@example.com", createdOffsetSeconds=-10 * DAY),
        spec("st-expired@example.com", createdOffsetSeconds=-3 * DAY, duration=DAY),
        spec("st-left@example.com"),                        # marker-tagged, not on the list: orphaned
        spec("st-manual@example.com", tags=["by-hand"]),    # not ours and not on the list: not reported
    ])
    windows = ctl.inject_tokens(ACME, "windows", [
        spec("st-revoked@example.com", state="DELETED"),
        spec("st-processing@example.com"),
        spec("st-inventory@example.com"),
    ])
    ctl.inject_tokens(ACME, "aosp", [{"email": "st-aosp@example.com", "tags": [MARKER], "duration": 30 * DAY,
                                      "managementMode": "DEVICE_OWNER"}])
    devices = {"st-enrolled@example.com": "d" * 24, "st-processing@example.com": "e" * 24, "st-inventory@example.com": "f" * 24}
    ctl.enroll_token(ACME, "apple", apple[0], device_id=devices["st-enrolled@example.com"])
    ctl.enroll_token(ACME, "windows", windows[1], state="PROCESSING", device_id=devices["st-processing@example.com"])
    ctl.enroll_token(ACME, "windows", windows[2], device_id=devices["st-inventory@example.com"])
    return devices


def run_status(workdir, url, fail_if=None, args=()):
    """``ansible-playbook applivery.mdm.status`` with the three people sources: a list, a CSV export and an inventory group."""
    os.makedirs(workdir, exist_ok=True)
    with open(os.path.join(workdir, "people.csv"), "w", encoding="utf-8") as handle:
        handle.write(CSV_TEXT)
    with open(os.path.join(workdir, "people.yml"), "w", encoding="utf-8") as handle:
        handle.write(INVENTORY)
    variables = {"applivery_api_url": url, "applivery_api_token": ADMIN_TOKEN, "applivery_organization": ACME,
                 "applivery_onboarding_users": PEOPLE, "applivery_onboarding_csv": "people.csv",
                 "applivery_people_groups": ["staff"], "applivery_status_report_dir": os.path.join(workdir, "reports"),
                 "applivery_status_fail_if": fail_if or []}
    cmd = [ANSIBLE_PLAYBOOK, "applivery.mdm.status", "-i", "people.yml", "-e", json.dumps(variables)] + list(args)
    return subprocess.run(cmd, cwd=workdir, env=base_env({"PWD": workdir}), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=600, check=False)


def describe(proc):
    return "rc=%s\n%s\n%s" % (proc.returncode, proc.stdout[-4000:], proc.stderr[-2000:])


@pytest.fixture(scope="module")
def reported(emulator, tmp_path_factory):
    devices = arrange(emulator.control)
    seq = emulator.control.last_seq()
    workdir = str(tmp_path_factory.mktemp("status"))
    proc = run_status(workdir, emulator.url)
    assert proc.returncode == 0, describe(proc)
    reports = os.path.join(workdir, "reports")
    with open(os.path.join(reports, "status.json"), encoding="utf-8") as handle:
        data = json.load(handle)
    return {"proc": proc, "workdir": workdir, "reports": reports, "data": data, "devices": devices,
            "log": emulator.control.requests(seq)["items"]}


def test_every_person_has_the_expected_state(reported):
    rows = reported["data"]["rows"]
    mine = dict(((r["platform"], r["email"]), r["state"]) for r in rows if r["email"].startswith("st-"))
    assert mine == EXPECTED
    assert set(r["state"] for r in rows) <= {"enrolled", "pending", "expired", "revoked", "not_invited", "orphaned"}
    by_key = dict(((r["platform"], r["email"]), r) for r in rows)
    for email, device in reported["devices"].items():
        row = by_key[("apple" if email == "st-enrolled@example.com" else "windows", email)]
        assert row["device_id"] == device and row["enrolled_at"], row
    late, fresh = by_key[("apple", "st-late@example.com")], by_key[("apple", "st-pending@example.com")]
    assert 9.9 < late["pending_days"] < 10.1 and late["email_sent"] is True and late["expires_at"]
    assert 0.9 < fresh["pending_days"] < 1.1 and fresh["email_sent"] is False
    assert by_key[("windows", "st-new@example.com")]["token_id"] is None
    assert ("apple", "st-manual@example.com") not in by_key


def test_the_read_is_one_listing_per_platform_and_makes_no_write(reported):
    log = reported["log"]
    assert [e for e in log if e["method"] in ("POST", "PUT", "PATCH", "DELETE")] == []
    listings = [e for e in log if e["path"].endswith("/enrollment-tokens")]
    assert len(listings) == 3, [e["path"] for e in listings]  # apple, windows, aosp: one page of up to 1000 each


def test_report_files_and_modes(reported):
    reports = reported["reports"]
    assert stat.S_IMODE(os.stat(reports).st_mode) == 0o700
    assert sorted(os.listdir(reports)) == ["status.csv", "status.html", "status.json", "status.md"]
    for name in os.listdir(reports):
        assert stat.S_IMODE(os.stat(os.path.join(reports, name)).st_mode) == 0o600, name
    with open(os.path.join(reports, "status.csv"), encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(reported["data"]["rows"]) and {"email", "platform", "state", "device_id"} <= set(rows[0])
    with open(os.path.join(reports, "status.md"), encoding="utf-8") as handle:
        markdown = handle.read()
    assert len(markdown.splitlines()) < 40 and "| apple |" in markdown and "st-new@example.com" in markdown
    for name in os.listdir(reports):
        with open(os.path.join(reports, name), encoding="utf-8") as handle:
            assert "enroll.applivery" not in handle.read() and "enrollmentLink" not in handle.read()


def test_fail_if_fails_with_a_one_line_reason_and_a_clean_run_passes(reported, emulator):
    runs = {"gate": ["pending > 7d"], "orphans": ["orphaned"], "clean": ["pending > 30d"], "bad": ["late"]}
    with ThreadPoolExecutor(len(runs)) as pool:  # four playbooks at once: the emulator serves them all
        done = dict(zip(runs, pool.map(lambda name: run_status(os.path.join(reported["workdir"], name), emulator.url, runs[name]), runs)))
    failing = done["gate"]
    assert failing.returncode == 2, describe(failing)
    reason = "fail_if 'pending > 7d': 1 person matches: st-late@example.com (apple, 10"
    assert reason in failing.stdout, describe(failing)
    line = next(text for text in failing.stdout.splitlines() if reason in text)
    assert "st-pending@" not in line
    assert os.path.isfile(os.path.join(reported["workdir"], "gate", "reports", "status.html"))  # reports come first
    orphaned = done["orphans"]
    assert orphaned.returncode == 2 and "fail_if 'orphaned': 1 person matches: st-left@example.com (apple)" in orphaned.stdout
    assert done["clean"].returncode == 0, describe(done["clean"])
    bad = done["bad"]
    assert bad.returncode == 2 and "fail_if[0]: 'late' is not a condition" in bad.stdout, describe(bad)
    assert not os.path.exists(os.path.join(reported["workdir"], "bad", "reports"))  # refused before any request or file


# ------------------------------------------------------------------ status.html in headless Chromium

@pytest.fixture(scope="module")
def browser():
    # the performance log holds the page's network requests (network_requests below)
    with chromium_driver("amdm-status-chromium-", {"performance": "ALL", "browser": "ALL"}) as driver:
        yield driver


def network_requests(driver):
    """URLs the page asked for since the last call, from Chromium's DevTools network log (the page itself included)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def test_the_request_hook_sees_a_fetch(browser, tmp_path):
    """The control: a page that does fetch something shows it in the log the next test relies on."""
    page = tmp_path / "fetching.html"
    page.write_text('<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/pixel.png"></body></html>')
    network_requests(browser)
    browser.get("file://%s" % page)
    assert "http://127.0.0.1:9/pixel.png" in network_requests(browser)


def test_status_page_in_chromium(reported, browser, out_dir):
    html = os.path.join(reported["reports"], "status.html")
    network_requests(browser)  # forget earlier pages
    browser.get("file://" + html)
    assert browser.execute_script("return document.readyState") == "complete"
    # the page's counts are status.json's
    data = reported["data"]
    shown = dict((cell.get_attribute("data-count"), int(cell.text)) for cell in browser.find_elements(By.CSS_SELECTOR, "#counts td[data-count]"))
    expected = dict(("%s:%s" % (platform, state), count) for platform, states in data["counts"].items() for state, count in states.items())
    assert shown == expected
    funnels = browser.find_elements(By.CSS_SELECTOR, "svg[data-funnel]")
    assert sorted(f.get_attribute("data-funnel") for f in funnels) == sorted(data["platforms"])
    for svg in funnels:
        stages = dict((t.get_attribute("data-stage"), int(t.get_attribute("data-count"))) for t in svg.find_elements(By.CSS_SELECTOR, "text[data-stage]"))
        assert stages == data["funnel"][svg.get_attribute("data-funnel")]
    rows = browser.find_elements(By.CSS_SELECTOR, "#people tbody tr")
    assert len(rows) == len(data["rows"])
    assert browser.find_elements(By.CSS_SELECTOR, "a[href], img, link, iframe") == []  # no enrollment link, nothing to fetch
    # the table sorts: days pending, longest first after two clicks
    header = browser.find_elements(By.CSS_SELECTOR, "#people thead th")[3]
    header.click()
    header.click()
    first = browser.find_element(By.CSS_SELECTOR, "#people tbody tr td")
    assert first.text == "st-late@example.com"
    # a screenshot, not blank
    path = os.path.join(out_dir, "status.png")
    browser.find_element(By.TAG_NAME, "body").click()
    browser.execute_script("window.scrollTo(0, 0)")
    assert browser.save_screenshot(path)
    check_screenshot(path)  # the docs site's check: the window's size, many colours, not only the background
    # no network request: the page itself (file://) and nothing else
    urls = network_requests(browser)
    assert urls and all(u.startswith(("file://", "data:")) for u in urls), urls
    shutil.copy(html, os.path.join(out_dir, "status.html"))
