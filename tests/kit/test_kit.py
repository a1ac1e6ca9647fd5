"""Onboarding kits end to end: the device_onboarding role and the applivery.mdm.kit playbook against the emulator,
the sheets rendered in headless Chromium, their QR codes decoded from screenshots with zxing-cpp, index.html printed
to PDF (one page per sheet), file modes, check mode, byte-identical regeneration and the no-segno message.

Run with ``make kit`` (it stages the collection, installs tests/requirements-kit.txt and Chromium).
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess

import pytest

from emulator.harness import ADMIN_TOKEN
from kit.browser import decode_qr, pdf_pages, pdf_texts, print_pdf, screenshot
from reliability.helpers import ACME, ANSIBLE_PLAYBOOK, BIN_DIR, base_env, run_playbook

LINK_RE = re.compile(r"https://mdm\.emulator\.applivery\.invalid/[^\s\"'\\<]+")
WIFI = {"ssid": "Warehouse 5G", "security": "WPA", "password": "kit-wifi-pass-8d1f"}
WIFI_KEYS = {
    "android.app.extra.PROVISIONING_WIFI_SSID": WIFI["ssid"],
    "android.app.extra.PROVISIONING_WIFI_SECURITY_TYPE": WIFI["security"],
    "android.app.extra.PROVISIONING_WIFI_PASSWORD": WIFI["password"],
}
PEOPLE = [
    {"email": "kit-apple@example.com", "platform": "apple", "display_name": "Alice Apple"},
    {"email": "kit-windows@example.com", "platform": "windows", "language": "es"},
    {"email": "kit-aosp@example.com", "platform": "aosp", "display_name": "Scanner 01"},
]
SHEETS = ["aosp-kit-aosp_example.com.html", "apple-kit-apple_example.com.html", "windows-kit-windows_example.com.html"]
SAVE_KIT = {"name": "save the kit result", "ansible.builtin.copy": {
    "content": "{{ __applivery_kit | default({}) | to_json }}", "dest": "{{ playbook_dir }}/kit-result.json", "mode": "0600"},
    "diff": False, "check_mode": False}


def role_playbook(url, report_dir, people, **more):
    variables = {"applivery_api_url": url, "applivery_api_token": ADMIN_TOKEN, "applivery_organization": ACME,
                 "applivery_onboarding_report_dir": report_dir, "applivery_onboarding_users": people,
                 "applivery_onboarding_kit": True, "applivery_onboarding_kit_wifi": WIFI}
    variables.update(more)
    return [{"name": "onboarding with a kit", "hosts": "localhost", "connection": "local", "gather_facts": False,
             "vars": variables, "roles": [{"role": "applivery.mdm.device_onboarding"}], "tasks": [SAVE_KIT]}]


def run_role(workdir, url, report_dir, people=None, args=("-v", "--diff"), env=None, **more):
    run = run_playbook(workdir, role_playbook(url, report_dir, people or PEOPLE, **more), args=args, env=env)
    path = os.path.join(workdir, "kit-result.json")
    run.kit = None
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            run.kit = json.load(handle)
        os.unlink(path)
    return run


def run_kit_playbook(workdir, url, extra_vars, env=None):
    """``ansible-playbook applivery.mdm.kit`` (the collection's playbook, by name) with JSON extra vars."""
    os.makedirs(workdir, exist_ok=True)
    variables = dict({"applivery_api_url": url, "applivery_api_token": ADMIN_TOKEN, "applivery_organization": ACME}, **extra_vars)
    cmd = [ANSIBLE_PLAYBOOK, "applivery.mdm.kit", "-v", "--diff", "-e", json.dumps(variables)]
    return subprocess.run(cmd, cwd=workdir, env=base_env(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=600, check=False)


def snapshot(directory):
    """``{name: (bytes, mtime_ns, mode)}`` of a directory's files."""
    found = {}
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        info = os.stat(path)
        with open(path, "rb") as handle:
            found[name] = (handle.read(), info.st_mtime_ns, stat.S_IMODE(info.st_mode))
    return found


def expected_payloads(ctl):
    """What each person's QR code must hold, from the emulator's own state (the vendor's read shape)."""
    expected = {}
    for person in PEOPLE:
        tokens = [t for t in ctl.state_tokens(ACME, person["platform"], email=person["email"])
                  if (t.get("state") or t.get("status")) == "PENDING"]
        assert len(tokens) == 1, (person, tokens)
        expected[person["platform"]] = tokens[0]
    return expected


@pytest.fixture(scope="module")
def onboarded(emulator, tmp_path_factory):
    """The role onboards an apple, a windows and an aosp person, with the kit and Wi-Fi extras."""
    emulator.control.reset()
    workdir = str(tmp_path_factory.mktemp("kit-role"))
    report_dir = os.path.join(workdir, "reports")
    run = run_role(workdir, emulator.url, report_dir, args=("-vvv", "--diff"))
    assert run.rc == 0, run.describe()
    return {"run": run, "workdir": workdir, "report_dir": report_dir, "kit_dir": os.path.join(report_dir, "kit"),
            "tokens": expected_payloads(emulator.control), "url": emulator.url}


def test_the_role_writes_one_sheet_per_person_and_platform_and_an_index(onboarded):
    assert sorted(os.listdir(onboarded["kit_dir"])) == sorted(SHEETS + ["index.html"])
    kit = onboarded["run"].kit
    assert kit["changed"] is True and kit["sheets"] == 3 and kit["written"] == 4 and kit["qr"] is True, kit
    with open(os.path.join(onboarded["kit_dir"], "index.html"), encoding="utf-8") as handle:
        index = handle.read()
    # every sheet, in a stable order (platform, then email)
    assert index.count('<section class="sheet"') == 3
    assert [index.index(name) for name in ("Scanner 01", "Alice Apple", "kit-windows@example.com")] == sorted(
        index.index(name) for name in ("Scanner 01", "Alice Apple", "kit-windows@example.com"))


def test_sheet_contents_language_link_code_and_expiry(onboarded):
    tokens = onboarded["tokens"]
    with open(os.path.join(onboarded["kit_dir"], "windows-kit-windows_example.com.html"), encoding="utf-8") as handle:
        windows = handle.read()
    assert '<html lang="es">' in windows and "Registro del dispositivo" in windows and "válido hasta el " in windows
    assert tokens["windows"]["enrollmentLink"] in windows and tokens["windows"]["enrollCode"] in windows
    with open(os.path.join(onboarded["kit_dir"], "apple-kit-apple_example.com.html"), encoding="utf-8") as handle:
        apple = handle.read()
    assert '<html lang="en">' in apple and "Alice Apple" in apple and "kit-apple@example.com" in apple
    assert re.search(r"valid until \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC", apple), apple
    with open(os.path.join(onboarded["kit_dir"], SHEETS[0]), encoding="utf-8") as handle:
        aosp = handle.read()
    assert "tap the welcome screen six times" in aosp.lower() or "Tap the welcome screen six times" in aosp
    assert WIFI["ssid"] in aosp and WIFI["password"] not in aosp  # the password is in the QR code only


def test_modes_0600_files_in_a_0700_directory(onboarded):
    assert stat.S_IMODE(os.stat(onboarded["kit_dir"]).st_mode) == 0o700
    for name, (_data, _mtime, mode) in snapshot(onboarded["kit_dir"]).items():
        assert mode == 0o600, (name, oct(mode))


def test_no_link_code_or_wifi_password_in_the_output(onboarded):
    run = onboarded["run"]
    secrets = [t.get("enrollmentLink") or t["config"]["oneTimeToken"] for t in onboarded["tokens"].values()]
    secrets += [onboarded["tokens"]["windows"]["enrollCode"], WIFI["password"]]
    kit_result = json.dumps(run.kit)
    for secret in secrets:
        assert secret not in kit_result
    # the bulk module's own results may print links at -v; the kit's task, its result and its diff hold none
    kit_section = run.stdout[run.stdout.index("TASK [applivery.mdm.device_onboarding : Write the onboarding kit (one"):]
    kit_section = kit_section[:kit_section.index("TASK [", 10)]
    assert not LINK_RE.search(kit_section), kit_section
    for secret in secrets:
        assert secret not in kit_section
    assert "kit-wifi-pass" not in run.output


def test_qr_codes_decode_from_screenshots_to_the_tokens_link_or_payload(onboarded, chromium, out_dir):
    tokens = onboarded["tokens"]
    decoded = {}
    for name in SHEETS:
        png = screenshot(chromium, os.path.join(onboarded["kit_dir"], name), os.path.join(out_dir, name.replace(".html", ".png")))
        texts = decode_qr(png)
        assert len(texts) == 1, (name, texts)
        decoded[name.split("-", maxsplit=1)[0]] = texts[0]
    assert decoded["apple"] == tokens["apple"]["enrollmentLink"]
    assert decoded["windows"] == tokens["windows"]["enrollmentLink"]
    payload = json.loads(decoded["aosp"])
    expected = dict(tokens["aosp"]["config"]["qrCode"], **WIFI_KEYS)
    assert payload == expected
    print("\nkit: %d sheets screenshotted, %d QR codes decoded (%s)" % (len(SHEETS), len(decoded), out_dir))


@pytest.fixture(scope="module")
def runner_kit(onboarded, tmp_path_factory):
    """The role under ansible-runner (AWX's engine) at -vvv --diff, with the kit laid out for Letter paper."""
    runner_dir = str(tmp_path_factory.mktemp("kit-runner"))
    os.makedirs(os.path.join(runner_dir, "project"))
    report_dir = os.path.join(runner_dir, "reports")
    with open(os.path.join(runner_dir, "project", "playbook.yml"), "w", encoding="utf-8") as handle:
        json.dump(role_playbook(onboarded["url"], report_dir, PEOPLE, applivery_onboarding_kit_paper="letter"), handle)
    proc = subprocess.run([os.path.join(BIN_DIR, "ansible-runner"), "run", runner_dir, "-p", "playbook.yml", "--ident", "kit",
                           "--cmdline=--diff", "-vvv"], env=base_env(), capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, (proc.stdout[-3000:], proc.stderr[-2000:])
    events_dir = os.path.join(runner_dir, "artifacts", "kit", "job_events")
    events = []
    for name in sorted(os.listdir(events_dir)):
        with open(os.path.join(events_dir, name), encoding="utf-8") as handle:
            events.append(handle.read())
    return {"kit_dir": os.path.join(report_dir, "kit"), "events": events}


@pytest.mark.parametrize("paper, size", [("a4", (210.0, 297.0)), ("letter", (215.9, 279.4))])
def test_index_prints_one_page_per_sheet(onboarded, runner_kit, chromium, out_dir, paper, size):
    kit_dir = onboarded["kit_dir"] if paper == "a4" else runner_kit["kit_dir"]  # the same tokens, laid out for Letter
    pdf = print_pdf(chromium, os.path.join(kit_dir, "index.html"), os.path.join(out_dir, "index-%s.pdf" % paper))
    pages = pdf_pages(pdf)
    assert len(pages) == len(SHEETS), pages
    for width, height in pages:
        assert abs(width - size[0]) < 1.5 and abs(height - size[1]) < 1.5, (paper, pages)
    # each page holds one whole sheet, in the index's order: one person, from the title to the closing note
    texts = pdf_texts(pdf)
    for text, email in zip(texts, ("kit-aosp@example.com", "kit-apple@example.com", "kit-windows@example.com")):
        assert re.findall(r"kit-[a-z]+@example\.com", text) == [email], text
        assert re.search(r"(Keep this sheet private|Guarda esta hoja en privado)", text), text
    print("\nkit: index.html (%s) printed to %d pages of %s x %s mm" % (paper, len(pages), pages[0][0], pages[0][1]))


def test_regeneration_of_unchanged_tokens_is_byte_identical_and_not_changed(onboarded, emulator):
    before = snapshot(onboarded["kit_dir"])
    seq = emulator.control.last_seq()
    run = run_role(onboarded["workdir"], emulator.url, onboarded["report_dir"])
    assert run.rc == 0, run.describe()
    assert emulator.control.writes_since(seq) == 0
    assert run.kit["changed"] is False and run.kit["written"] == 0 and run.kit["unchanged"] == 4, run.kit
    assert snapshot(onboarded["kit_dir"]) == before


def test_check_mode_writes_nothing(onboarded, emulator, tmp_path):
    before = snapshot(onboarded["kit_dir"])
    seq = emulator.control.last_seq()
    people = PEOPLE + [{"email": "kit-new@example.com", "platform": "apple"}]
    run = run_role(onboarded["workdir"], emulator.url, onboarded["report_dir"], people=people, args=("-v", "--check", "--diff"))
    assert run.rc == 0, run.describe()
    assert emulator.control.writes_since(seq) == 0
    assert snapshot(onboarded["kit_dir"]) == before
    # a kit that does not exist yet: check mode says what it would write, and creates nothing
    fresh = str(tmp_path / "reports")
    run = run_role(str(tmp_path), emulator.url, fresh, args=("--check",))
    assert run.rc == 0, run.describe()
    assert run.kit["changed"] is True and run.kit["written"] == 4, run.kit
    assert not os.path.exists(fresh)
    assert emulator.control.writes_since(seq) == 0


def test_kit_playbook_for_existing_tokens(onboarded, emulator, chromium, out_dir, tmp_path):
    seq = emulator.control.last_seq()
    report_dir = str(tmp_path / "reports")
    people = [{"email": "kit-aosp@example.com", "display_name": "Scanner 01", "language": "es-ES"},
              "kit-apple@example.com", {"email": "KIT-windows@example.com", "language": "es"}]
    proc = run_kit_playbook(str(tmp_path), emulator.url, {"applivery_onboarding_users": people,
                                                          "applivery_onboarding_report_dir": report_dir})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert not LINK_RE.search(proc.stdout + proc.stderr)
    assert emulator.control.writes_since(seq) == 0
    kit_dir = os.path.join(report_dir, "kit")
    assert sorted(os.listdir(kit_dir)) == sorted(SHEETS + ["index.html"])
    with open(os.path.join(kit_dir, SHEETS[0]), encoding="utf-8") as handle:
        aosp = handle.read()
    assert '<html lang="es">' in aosp and "Scanner 01" in aosp
    # no Wi-Fi extras: the QR code holds the token's provisioning payload as it is
    texts = decode_qr(screenshot(chromium, os.path.join(kit_dir, SHEETS[0]), os.path.join(out_dir, "kit-playbook-aosp.png")))
    assert len(texts) == 1 and json.loads(texts[0]) == onboarded["tokens"]["aosp"]["config"]["qrCode"], texts
    # the sheets of the same tokens are the role's (the role's have Wi-Fi extras on AOSP only)
    for name in SHEETS[1:]:
        with open(os.path.join(kit_dir, name), "rb") as mine, open(os.path.join(onboarded["kit_dir"], name), "rb") as role:
            assert mine.read() == role.read(), name


def test_without_segno_the_kit_says_how_to_install_it(onboarded, emulator, tmp_path):
    blocker = tmp_path / "no-segno" / "segno"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('segno is blocked by the test')\n")
    env = {"PYTHONPATH": str(blocker.parent)}
    report_dir = str(tmp_path / "reports")
    variables = {"applivery_onboarding_users": ["kit-apple@example.com"], "applivery_onboarding_report_dir": report_dir}
    proc = run_kit_playbook(str(tmp_path / "run1"), emulator.url, variables, env=env)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output[-3000:]
    assert "The onboarding kit draws its QR codes with the Python library segno, which is not installed" in output
    assert "-m pip install segno" in output and "applivery_onboarding_kit_qr: false" in output
    assert not os.path.exists(os.path.join(report_dir, "kit"))
    # asked for explicitly: link-only sheets, without segno
    proc = run_kit_playbook(str(tmp_path / "run2"), emulator.url, dict(variables, applivery_onboarding_kit_qr=False), env=env)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    with open(os.path.join(report_dir, "kit", SHEETS[1]), encoding="utf-8") as handle:
        sheet = handle.read()
    assert "<svg" not in sheet and onboarded["tokens"]["apple"]["enrollmentLink"] in sheet


def test_no_sheet_content_in_awx_job_events(onboarded, runner_kit):
    """ansible-runner (AWX's engine) at -vvv --diff: the kit tasks' job events hold no link, code or Wi-Fi password."""
    assert sorted(os.listdir(runner_kit["kit_dir"])) == sorted(SHEETS + ["index.html"])
    tokens = onboarded["tokens"]
    secrets = [tokens["apple"]["enrollmentLink"], tokens["windows"]["enrollmentLink"], tokens["windows"]["enrollCode"],
               tokens["aosp"]["config"]["oneTimeToken"], WIFI["password"]]
    kit_events = []
    for text in runner_kit["events"]:
        event = json.loads(text)
        if "onboarding kit" in ((event.get("event_data") or {}).get("task") or ""):
            kit_events.append(event)
            assert not LINK_RE.search(text), text[:2000]
            for secret in secrets:
                assert secret not in text, (secret, text[:2000])
    assert any(e.get("event") == "runner_on_ok" for e in kit_events), "no job event of the kit task: the check proves nothing"
    assert "3 sheet(s), not shown: they hold enrollment links" in json.dumps(kit_events), "the invocation must show, without sheets"
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in json.dumps(kit_events), "the Wi-Fi password must show, masked"
