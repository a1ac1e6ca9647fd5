# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The onboarding kit renderer (module_utils/_kit.py): pure Python, no network.

segno is optional: the tests that draw QR codes are skipped without it; the message without it is tested with a
stand-in import that fails.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import stat

import pytest

from ansible_collections.applivery.mdm.plugins.module_utils import _kit
from ansible_collections.applivery.mdm.plugins.module_utils._kit import (
    KitError,
    file_name,
    format_expiry,
    language_of,
    qr_payload,
    render_kit,
    sync_kit,
)

LINK = "https://mdm.example.invalid/apple/enroll/0123456789ABCDEF"
AOSP_QR = json.dumps({"android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE": {"oneTimeToken": "TOKEN1"},
                      "android.app.extra.PROVISIONING_DEVICE_ADMIN_COMPONENT_NAME": "com.applivery.aosp/.AdminReceiver"},
                     sort_keys=True)
WIFI = {"ssid": "Warehouse", "security": "WPA", "password": "pass word", "hidden": False}
SHEETS = [
    {"email": "Bob@Example.com", "platform": "windows", "language": "es-ES", "expires_at": "2026-12-03T14:00:00Z",
     "enrollment_link": "https://mdm.example.invalid/windows/enroll/W1", "enroll_code": "W1"},
    {"email": "alice@example.com", "platform": "apple", "name": "Alice <Admin>", "expires_at": "2026-12-03T14:00:00Z",
     "enrollment_link": LINK, "enroll_code": "0123456789ABCDEF"},
    {"email": "scanner-01@example.com", "platform": "aosp", "language": "fr", "expires_at": "2026-12-03T15:30:00+01:00",
     "enroll_code": "TOKEN1", "qr_code": AOSP_QR},
]


class FakeQR:
    def __init__(self, text):
        self.text = text

    def svg_inline(self, **kwargs):
        return '<svg viewBox="0 0 1 1" data-text="%s"></svg>' % _kit.escape(self.text)


class FakeSegno:
    """Stands in for segno where the QR code's drawing does not matter."""

    @staticmethod
    def make(text, **kwargs):
        return FakeQR(text)


def test_expiry_in_the_readers_terms():
    assert format_expiry("2026-12-03T14:00:00Z") == "valid until 3 Dec 2026, 14:00 UTC"
    assert format_expiry("2026-12-03T14:00:00.123Z", "en") == "valid until 3 Dec 2026, 14:00 UTC"
    assert format_expiry("2026-12-03T15:30:00+01:00", "es") == "válido hasta el 3 dic 2026, 14:30 UTC"
    assert format_expiry("2027-01-01T00:30:00-01:00", "de") == "valid until 1 Jan 2027, 01:30 UTC"
    assert format_expiry(None, perpetual=True) == "does not expire"
    assert format_expiry(None, "es", perpetual=True) == "no caduca"
    assert format_expiry(None) is None


def test_languages_fall_back_to_english():
    assert language_of("es") == language_of("ES_es") == language_of("es-MX") == "es"
    assert language_of("fr") == language_of(None) == language_of("") == "en"
    assert language_of("fr", default="es") == "es"


def test_qr_payload_is_the_link_or_the_provisioning_payload_with_wifi_extras():
    assert qr_payload(SHEETS[1]) == (LINK, "link")
    assert qr_payload(SHEETS[1], WIFI) == (LINK, "link")  # Wi-Fi extras never change a link
    assert qr_payload(SHEETS[2]) == (AOSP_QR, "provisioning")  # the token's text, unchanged
    text, kind = qr_payload(SHEETS[2], WIFI)
    assert kind == "provisioning"
    assert json.loads(text) == dict(json.loads(AOSP_QR), **{
        "android.app.extra.PROVISIONING_WIFI_SSID": "Warehouse",
        "android.app.extra.PROVISIONING_WIFI_SECURITY_TYPE": "WPA",
        "android.app.extra.PROVISIONING_WIFI_PASSWORD": "pass word"})
    hidden = json.loads(qr_payload(SHEETS[2], dict(WIFI, hidden=True))[0])
    assert hidden["android.app.extra.PROVISIONING_WIFI_HIDDEN"] is True
    assert qr_payload({"enroll_code": "C"}) == ("C", "code")
    # a vendor QR text that is not a provisioning payload (a URL) loses to the enrollment link
    assert qr_payload({"qr_code": "https://vendor.invalid/qr.png", "enrollment_link": LINK}) == (LINK, "link")
    assert qr_payload({}) == (None, None)


def test_wifi_without_ssid_is_refused():
    with pytest.raises(KitError, match="ssid is required"):
        qr_payload(SHEETS[2], {"password": "x"})


def test_render_kit_one_file_per_person_and_platform_and_an_index_in_a_stable_order():
    files = render_kit(SHEETS, wifi=WIFI, segno_module=FakeSegno)
    assert sorted(files) == ["aosp-scanner-01_example.com.html", "apple-alice_example.com.html", "index.html",
                             "windows-bob_example.com.html"]
    index = files["index.html"].decode("utf-8")
    assert index.count('<section class="sheet"') == 3
    positions = [index.index(marker) for marker in ("scanner-01@example.com", "alice@example.com", "bob@example.com")]
    assert positions == sorted(positions)  # platform, then email
    assert render_kit(list(reversed(SHEETS)), wifi=WIFI, segno_module=FakeSegno) == files  # the input order does not matter
    assert "break-after:page" in index and "@page{size:A4 portrait" in index
    letter = render_kit(SHEETS, paper="letter", segno_module=FakeSegno)["index.html"].decode("utf-8")
    assert "@page{size:letter portrait" in letter


def test_sheet_contents_are_escaped_localized_and_hold_no_wifi_password():
    files = render_kit(SHEETS, wifi=WIFI, segno_module=FakeSegno)
    apple = files["apple-alice_example.com.html"].decode("utf-8")
    assert "Alice &lt;Admin&gt;" in apple and "<Admin>" not in apple
    assert LINK in apple and "0123456789ABCDEF" in apple and "valid until 3 Dec 2026, 14:00 UTC" in apple
    assert 'data-text="%s"' % LINK in apple
    windows = files["windows-bob_example.com.html"].decode("utf-8")
    assert '<html lang="es">' in windows and "válido hasta el 3 dic 2026, 14:00 UTC" in windows
    aosp = files["aosp-scanner-01_example.com.html"].decode("utf-8")
    assert '<html lang="en">' in aosp and "six times" in aosp and "Warehouse" in aosp  # fr has no texts: English
    assert "pass word" not in aosp.replace(_kit.escape(qr_payload(SHEETS[2], WIFI)[0]), "")  # only inside the QR code


def test_link_only_sheets_need_no_segno(monkeypatch):
    monkeypatch.setattr(_kit.importlib, "import_module", _no_segno)
    files = render_kit(SHEETS, qr=False)
    assert all(b"<svg" not in data for data in files.values())
    assert b"No QR code on this sheet" in files["apple-alice_example.com.html"]


def _no_segno(name):
    raise ImportError("No module named %s" % name)


def test_without_segno_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(_kit.importlib, "import_module", _no_segno)
    with pytest.raises(KitError) as error:
        render_kit(SHEETS)
    message = str(error.value)
    assert "segno, which is not installed" in message and "-m pip install segno" in message
    assert "qr: false" in message and "applivery_onboarding_kit_qr: false" in message


def test_an_empty_kit_needs_no_segno(monkeypatch):
    monkeypatch.setattr(_kit.importlib, "import_module", _no_segno)
    assert list(render_kit([])) == ["index.html"]


def test_one_sheet_per_person_and_platform_the_latest_expiry_wins():
    older = dict(SHEETS[1], expires_at="2026-12-01T00:00:00Z", enrollment_link=LINK + "-old")
    files = render_kit([older, SHEETS[1]], segno_module=FakeSegno)
    assert LINK + "-old" not in files["apple-alice_example.com.html"].decode("utf-8")


def test_bad_sheets_are_refused():
    with pytest.raises(KitError, match="platform 'beos'"):
        render_kit([dict(SHEETS[1], platform="beos")], segno_module=FakeSegno)
    with pytest.raises(KitError, match="no enrollment link"):
        render_kit([{"email": "x@example.com", "platform": "apple"}], segno_module=FakeSegno)
    with pytest.raises(KitError, match="security"):
        render_kit(SHEETS, wifi={"ssid": "x", "security": "WPA3"}, segno_module=FakeSegno)


def test_file_names_are_safe_and_unique():
    assert file_name("apple", "Ann.Lee+test@Example.com", {}) == "apple-ann.lee_test_example.com.html"
    taken = {"apple-a_b_example.com.html": b""}
    other = file_name("apple", "a+b@example.com", taken)
    assert other != "apple-a_b_example.com.html" and other.startswith("apple-a_b_example.com-")
    assert file_name("apple", "../../etc/passwd", {}) == "apple-etc_passwd.html"


def test_real_segno_draws_a_deterministic_svg():
    import segno  # installed with the unit test requirements (tests/requirements-ci.txt): no skip
    first = render_kit(SHEETS, wifi=WIFI)
    assert first == render_kit(SHEETS, wifi=WIFI, segno_module=segno)
    assert b'<svg role="img" aria-label="QR code"' in first["apple-alice_example.com.html"]


def _modes(directory):
    return dict((name, stat.S_IMODE(os.stat(os.path.join(directory, name)).st_mode)) for name in os.listdir(directory))


def test_sync_writes_0600_files_in_a_0700_directory_and_only_changed_bytes(tmp_path):
    kit = str(tmp_path / "reports" / "kit")
    files = render_kit(SHEETS, segno_module=FakeSegno)
    # check mode: nothing is created
    planned = sync_kit(kit, files, check_mode=True)
    assert sorted(planned["written"]) == sorted(files) and planned["dir_changed"] and not os.path.exists(kit)
    done = sync_kit(kit, files)
    assert sorted(done["written"]) == sorted(files)
    assert stat.S_IMODE(os.stat(kit).st_mode) == 0o700
    assert set(_modes(kit).values()) == {0o600} and sorted(os.listdir(kit)) == sorted(files)
    mtimes = dict((name, os.stat(os.path.join(kit, name)).st_mtime_ns) for name in files)
    again = sync_kit(kit, files)
    assert again == {"written": [], "unchanged": sorted(files), "removed": [], "dir_changed": False}
    assert mtimes == dict((name, os.stat(os.path.join(kit, name)).st_mtime_ns) for name in files)
    # a loosened mode is fixed (and counts as a change); a stale sheet is pruned; check mode touches neither
    os.chmod(os.path.join(kit, "index.html"), 0o644)
    with open(os.path.join(kit, "apple-gone_example.com.html"), "w") as handle:
        handle.write("old")
    planned = sync_kit(kit, files, check_mode=True)
    assert planned["written"] == ["index.html"] and planned["removed"] == ["apple-gone_example.com.html"]
    assert _modes(kit)["index.html"] == 0o644 and os.path.exists(os.path.join(kit, "apple-gone_example.com.html"))
    done = sync_kit(kit, files)
    assert done["written"] == ["index.html"] and done["removed"] == ["apple-gone_example.com.html"]
    assert set(_modes(kit).values()) == {0o600} and sorted(os.listdir(kit)) == sorted(files)
    os.chmod(kit, 0o755)
    assert sync_kit(kit, files)["dir_changed"] and stat.S_IMODE(os.stat(kit).st_mode) == 0o700


def test_sync_refuses_a_file_where_the_directory_should_be(tmp_path):
    path = tmp_path / "kit"
    path.write_text("x")
    with pytest.raises(KitError, match="not a directory"):
        sync_kit(str(path), {"index.html": b""})
