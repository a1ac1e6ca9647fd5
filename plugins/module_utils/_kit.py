# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Onboarding kits: one printable HTML sheet per person and platform, and an index.html with every sheet.

Pure Python with no network and no Ansible objects, so that it can be unit-tested on its own. The one
optional dependency, segno (the QR codes), is imported lazily by ``qr_svg`` only: the other modules of the
collection never need it.

Everything here is deterministic: the same sheets give the same bytes (no timestamps, sorted JSON,
stable file names and order), so that regenerating a kit for unchanged tokens changes nothing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import importlib
import json
import os
import re
import stat
import sys
import tempfile

_HTML_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;"))

KIT_PLATFORMS = ("android", "aosp", "apple", "windows")
LANGUAGES = ("en", "es")
DEFAULT_LANGUAGE = "en"
PAPERS = ("a4", "letter")
WIFI_SECURITY = ("WPA", "WEP", "EAP", "NONE")
INDEX_NAME = "index.html"

# Android device-owner provisioning extras (also read by AOSP provisioning) for the Wi-Fi network the device
# joins while it is set up.
WIFI_EXTRAS = {
    "ssid": "android.app.extra.PROVISIONING_WIFI_SSID",
    "security": "android.app.extra.PROVISIONING_WIFI_SECURITY_TYPE",
    "password": "android.app.extra.PROVISIONING_WIFI_PASSWORD",
    "hidden": "android.app.extra.PROVISIONING_WIFI_HIDDEN",
}

SEGNO_MISSING = (
    "The onboarding kit draws its QR codes with the Python library segno, which is not installed for %s. "
    "Install it on the controller with `%s -m pip install segno` (in an execution environment it comes with the "
    "collection's requirements.txt), or ask for sheets without QR codes: qr: false on the module, "
    "applivery_onboarding_kit_qr: false on the role and in the applivery.mdm.kit playbook."
)

# Bulk outcomes whose token is the person's current one; revoked, failed, drift and absent people get no sheet.
SHEET_ACTIONS = ("created", "renewed", "reminded", "recreated", "updated", "unchanged")
# Token states a sheet is useful for (None: a token planned in check mode).
SHEET_STATES = (None, "PENDING")

_MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "es": ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"),
}

TEXTS = {
    "en": {
        "heading": "Device enrollment",
        "for": "Enrollment sheet for",
        "platforms": {"android": "Android", "aosp": "Android (AOSP)", "apple": "Apple: iPhone, iPad or Mac",
                      "windows": "Windows"},
        "steps": {
            "apple": [
                "On the iPhone, iPad or Mac, scan the QR code with the camera, or open the link below in Safari.",
                "Allow the download of the enrollment profile.",
                "Open Settings (iPhone, iPad: General, VPN & Device Management; Mac: System Settings, "
                "Privacy & Security, Profiles), tap the downloaded profile and install it.",
                "If asked for a code, type the enrollment code below.",
            ],
            "windows": [
                "On the Windows PC, open the link below in a browser (or scan the QR code with a phone and send "
                "the link to the PC).",
                "Windows opens Settings, Accounts, Access work or school: sign in with your work email.",
                "If asked for a code, type the enrollment code below, then follow the steps on the screen.",
            ],
            "android": [
                "On the Android device, scan the QR code with the camera, or open the link below.",
                "Follow the steps on the screen to install the device management app.",
                "If asked for a code, type the enrollment code below.",
            ],
            "provisioning": [
                "Turn on the new or factory-reset device and stop at the welcome screen.",
                "Tap the welcome screen six times in the same spot: the QR code scanner opens.",
                "Scan the QR code. The device connects to the network, downloads the management app and sets "
                "itself up.",
                "Keep the device on and connected until it shows the home screen.",
            ],
        },
        "scan": {"link": "Scan with the device's camera", "provisioning": "Scan on the setup screen (tap it six times)",
                 "code": "Scan with the device's camera"},
        "link": "Enrollment link",
        "code": "Enrollment code",
        "valid_until": "valid until %s",
        "no_expiry": "does not expire",
        "wifi": "Wi-Fi network set up by the QR code",
        "no_qr": "No QR code on this sheet: open the link or type the code.",
        "private": "Keep this sheet private: its link and code let a device enroll as this person. "
                   "Destroy it once the device is enrolled.",
        "index_title": "Onboarding kit",
    },
    "es": {
        "heading": "Registro del dispositivo",
        "for": "Hoja de registro de",
        "platforms": {"android": "Android", "aosp": "Android (AOSP)", "apple": "Apple: iPhone, iPad o Mac",
                      "windows": "Windows"},
        "steps": {
            "apple": [
                "En el iPhone, iPad o Mac, escanea el código QR con la cámara o abre el enlace de abajo en Safari.",
                "Permite la descarga del perfil de registro.",
                "Abre Ajustes (iPhone, iPad: General, VPN y gestión de dispositivos; Mac: Ajustes del Sistema, "
                "Privacidad y seguridad, Perfiles), toca el perfil descargado e instálalo.",
                "Si te pide un código, escribe el código de registro de abajo.",
            ],
            "windows": [
                "En el PC con Windows, abre el enlace de abajo en un navegador (o escanea el código QR con un "
                "móvil y envía el enlace al PC).",
                "Windows abre Configuración, Cuentas, Obtener acceso a trabajo o escuela: inicia sesión con tu "
                "correo del trabajo.",
                "Si te pide un código, escribe el código de registro de abajo y sigue los pasos de la pantalla.",
            ],
            "android": [
                "En el dispositivo Android, escanea el código QR con la cámara o abre el enlace de abajo.",
                "Sigue los pasos de la pantalla para instalar la aplicación de gestión del dispositivo.",
                "Si te pide un código, escribe el código de registro de abajo.",
            ],
            "provisioning": [
                "Enciende el dispositivo nuevo o restablecido de fábrica y quédate en la pantalla de bienvenida.",
                "Toca la pantalla de bienvenida seis veces en el mismo sitio: se abre el lector de códigos QR.",
                "Escanea el código QR. El dispositivo se conecta a la red, descarga la aplicación de gestión y se "
                "configura solo.",
                "Deja el dispositivo encendido y conectado hasta que muestre la pantalla de inicio.",
            ],
        },
        "scan": {"link": "Escanéalo con la cámara del dispositivo",
                 "provisioning": "Escanéalo en la pantalla de configuración (tócala seis veces)",
                 "code": "Escanéalo con la cámara del dispositivo"},
        "link": "Enlace de registro",
        "code": "Código de registro",
        "valid_until": "válido hasta el %s",
        "no_expiry": "no caduca",
        "wifi": "Red Wi-Fi que configura el código QR",
        "no_qr": "Esta hoja no tiene código QR: abre el enlace o escribe el código.",
        "private": "Guarda esta hoja en privado: su enlace y su código permiten registrar un dispositivo a nombre "
                   "de esta persona. Destrúyela cuando el dispositivo esté registrado.",
        "index_title": "Kit de registro",
    },
}

_TIME_RE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?(Z|[+-]\d\d:?\d\d)?$")

CSS = """
*{box-sizing:border-box}
html{background:#e8eaed}
body{margin:0;font-family:"DejaVu Sans","Liberation Sans",Arial,Helvetica,sans-serif;color:#1b1f24;font-size:11pt;line-height:1.35}
.sheet{background:#fff;width:186mm;height:%(height)s;margin:8mm auto;padding:10mm 12mm;overflow:hidden;display:flex;flex-direction:column}
.top{display:flex;justify-content:space-between;align-items:baseline;border-bottom:2px solid #1b1f24;padding-bottom:2mm}
.top .heading{font-size:12pt;font-weight:bold;letter-spacing:.02em;text-transform:uppercase}
.top .platform{font-size:12pt;font-weight:bold}
.who{margin:5mm 0 0}
.who .for{font-size:9pt;color:#555;margin:0}
.who h1{font-size:20pt;margin:1mm 0 0;overflow-wrap:anywhere}
.who .email{margin:1mm 0 0;font-size:11pt;color:#333;overflow-wrap:anywhere}
.expiry{display:inline-block;margin-top:3mm;padding:1mm 3mm;border:1px solid #1b1f24;border-radius:2mm;font-weight:bold}
.body{display:flex;gap:8mm;margin-top:6mm;align-items:flex-start}
.qr{flex:0 0 78mm;margin:0;text-align:center}
.qr svg{display:block;width:78mm;height:78mm}
.qr .caption{font-size:9pt;color:#333;margin:1mm 0 0}
.noqr{flex:0 0 60mm;border:1px dashed #777;padding:4mm;font-size:10pt}
.steps{flex:1 1 auto;margin:0;padding-left:6mm}
.steps li{margin:0 0 2.5mm}
.material{margin-top:6mm}
.material h2{font-size:9pt;text-transform:uppercase;letter-spacing:.04em;color:#555;margin:3mm 0 1mm}
.material .value{font-family:"DejaVu Sans Mono","Liberation Mono",Consolas,monospace;font-size:10pt;overflow-wrap:anywhere;word-break:break-all;margin:0}
.material .code{font-size:14pt;letter-spacing:.06em}
.wifi{margin-top:3mm;font-size:10pt}
.private{margin-top:auto;border-top:1px solid #999;padding-top:2mm;font-size:8.5pt;color:#444}
@page{size:%(page)s;margin:%(margin)s}
@media print{
html{background:#fff}
.sheet{margin:0;padding:0;width:auto;break-after:page;page-break-after:always;break-inside:avoid;page-break-inside:avoid}
.sheet:last-child{break-after:auto;page-break-after:auto}
}
"""

# Page size, margins and the height of one sheet inside them (a little less than the page's printable
# height, so that a sheet never spills onto a second page).
_PAPER = {
    "a4": {"page": "A4 portrait", "margin": "12mm", "height": "270mm"},
    "letter": {"page": "letter portrait", "margin": "12mm", "height": "252mm"},
}


class KitError(Exception):
    """A kit that cannot be made (bad input, or segno missing)."""


def escape(value):
    """Text for HTML content and attribute values (what html.escape does, on every Python)."""
    text = "" if value is None else "%s" % value
    for char, entity in _HTML_ESCAPES:
        text = text.replace(char, entity)
    return text


def language_of(value, default=DEFAULT_LANGUAGE):
    """``es``, ``es-ES`` and ``es_ES`` are ``es``; a language without texts falls back to English."""
    text = ("%s" % (value or "")).strip().lower().replace("_", "-").split("-")[0]
    if text in TEXTS:
        return text
    fallback = ("%s" % (default or "")).strip().lower().replace("_", "-").split("-")[0]
    return fallback if fallback in TEXTS else DEFAULT_LANGUAGE


def format_expiry(expires_at, language=DEFAULT_LANGUAGE, perpetual=False):
    """``valid until 3 Dec 2026, 14:00 UTC`` (in the sheet's language); None when nothing is known."""
    texts = TEXTS[language_of(language)]
    if perpetual and not expires_at:
        return texts["no_expiry"]
    if not expires_at:
        return None
    match = _TIME_RE.match(("%s" % expires_at).strip())
    if not match:
        return texts["valid_until"] % ("%s" % expires_at)
    year, month, day, hour, minute = (int(match.group(i)) for i in range(1, 6))
    zone = match.group(7)
    if zone and zone not in ("Z", "+00:00", "+0000", "-00:00"):
        import datetime  # pylint: disable=import-outside-toplevel
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        offset = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        moment = datetime.datetime(year, month, day, hour, minute) - sign * offset
        year, month, day, hour, minute = moment.year, moment.month, moment.day, moment.hour, moment.minute
    months = _MONTHS[language_of(language)]
    return texts["valid_until"] % ("%d %s %d, %02d:%02d UTC" % (day, months[month - 1], year, hour, minute))


def _wifi_extras(wifi):
    extras = {}
    for key, name in WIFI_EXTRAS.items():
        value = (wifi or {}).get(key)
        if value is None or value == "" or (key == "hidden" and not value):
            continue
        extras[name] = bool(value) if key == "hidden" else "%s" % value
    if extras and WIFI_EXTRAS["ssid"] not in extras:
        raise KitError("wifi: ssid is required when any other Wi-Fi setting is given")
    return extras


def qr_payload(sheet, wifi=None):
    """``(text, kind)``: what the sheet's QR code holds, kind V(provisioning), V(link) or V(code); (None, None) if nothing.

    A token whose ``qr_code`` is a JSON object (an Android or AOSP device-owner provisioning payload) gets that
    payload, with the Wi-Fi extras merged in when ``wifi`` has an SSID; without Wi-Fi extras it is the token's
    text, unchanged. Every other token gets its enrollment link, else its ``qr_code`` text, else its code.
    """
    qr_code = sheet.get("qr_code")
    if isinstance(qr_code, dict):
        qr_code = json.dumps(qr_code, sort_keys=True, separators=(",", ":"))
    payload = None
    if qr_code:
        try:
            payload = json.loads(qr_code)
        except ValueError:
            payload = None
    if isinstance(payload, dict):
        extras = _wifi_extras(wifi)
        if not extras:
            return qr_code, "provisioning"
        payload.update(extras)
        return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False), "provisioning"
    if sheet.get("enrollment_link"):
        return sheet["enrollment_link"], "link"
    if qr_code:
        return qr_code, "link"
    if sheet.get("enroll_code"):
        return sheet["enroll_code"], "code"
    return None, None


def segno_or_error(python="python3"):
    """The segno module, or a KitError that says how to install it."""
    # segno is an optional dependency of the kit only, not a runtime dependency of the collection's modules
    # (requests, jmespath): it is imported by name, here and only when a kit with QR codes is made.
    try:
        segno = importlib.import_module("segno")
    except ImportError:
        segno = None
    if segno is None:
        raise KitError(SEGNO_MISSING % (python, python))
    return segno


def qr_svg(text, segno_module=None):
    """An inline SVG element of ``text`` as a QR code (error correction M, 4-module quiet zone), sized by CSS."""
    segno = segno_module or segno_or_error()
    code = segno.make(text, error="m", micro=False, boost_error=False)
    svg = code.svg_inline(scale=1, border=4, omitsize=True, dark="#000", light="#fff", title=None, desc=None)
    return svg.replace("<svg ", '<svg role="img" aria-label="QR code" ', 1)


def file_name(platform, email, taken):
    """``apple-alice_example.com.html``: readable, safe on every file system, unique within ``taken``."""
    safe = re.sub(r"[^a-z0-9._-]+", "_", ("%s" % email).strip().lower().replace("@", "_")).strip("._") or "person"
    name = "%s-%s.html" % (platform, safe[:100])
    if name in taken:
        name = "%s-%s-%s.html" % (platform, safe[:90], hashlib.sha256(("%s" % email).encode("utf-8")).hexdigest()[:8])
    return name


def _sheet_section(sheet, language, qr_markup, kind, wifi):
    texts = TEXTS[language]
    platform = sheet["platform"]
    name = (sheet.get("name") or "").strip()
    email = sheet.get("email") or ""
    steps = texts["steps"]["provisioning" if kind == "provisioning" else ("android" if platform == "aosp" else platform)]
    expiry = format_expiry(sheet.get("expires_at"), language, sheet.get("perpetual"))
    out = ['<section class="sheet" lang="%s">' % language,
           '<div class="top"><span class="heading">%s</span><span class="platform">%s</span></div>'
           % (escape(texts["heading"]), escape(texts["platforms"][platform])),
           '<div class="who"><p class="for">%s</p><h1>%s</h1>' % (escape(texts["for"]), escape(name or email))]
    if name:
        out.append('<p class="email">%s</p>' % escape(email))
    if expiry:
        out.append('<p class="expiry">%s</p>' % escape(expiry))
    out.append("</div>")
    out.append('<div class="body">')
    if qr_markup:
        out.append('<figure class="qr">%s<figcaption class="caption">%s</figcaption></figure>'
                   % (qr_markup, escape(texts["scan"][kind])))
    else:
        out.append('<p class="noqr">%s</p>' % escape(texts["no_qr"]))
    out.append('<ol class="steps">%s</ol>' % "".join("<li>%s</li>" % escape(step) for step in steps))
    out.append("</div>")
    out.append('<div class="material">')
    if sheet.get("enrollment_link"):
        out.append('<h2>%s</h2><p class="value link">%s</p>' % (escape(texts["link"]), escape(sheet["enrollment_link"])))
    if sheet.get("enroll_code"):
        out.append('<h2>%s</h2><p class="value code">%s</p>' % (escape(texts["code"]), escape(sheet["enroll_code"])))
    if kind == "provisioning" and (wifi or {}).get("ssid"):
        out.append('<p class="wifi">%s: <strong>%s</strong></p>' % (escape(texts["wifi"]), escape(wifi["ssid"])))
    out.append("</div>")
    out.append('<p class="private">%s</p>' % escape(texts["private"]))
    out.append("</section>")
    return "\n".join(out)


def _document(title, language, sections, paper):
    css = CSS % _PAPER[paper]
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="%s">' % language,
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="robots" content="noindex, nofollow">',
        "<title>%s</title>" % escape(title),
        "<style>%s</style>" % css,
        "</head>",
        "<body>",
    ] + list(sections) + ["</body>", "</html>", ""])


def normalize_sheets(sheets):
    """The sheets, checked, one per person and platform (the latest expiry wins), in a stable order."""
    chosen = {}
    for index, raw in enumerate(sheets or []):
        if not isinstance(raw, dict):
            raise KitError("sheets[%d] is not a dict" % index)
        email = ("%s" % (raw.get("email") or "")).strip().lower()
        platform = ("%s" % (raw.get("platform") or "")).strip().lower()
        if not email:
            raise KitError("sheets[%d] has no email" % index)
        if platform not in KIT_PLATFORMS:
            raise KitError("sheets[%d] (%s): platform '%s' is not one of %s" % (index, email, platform, ", ".join(KIT_PLATFORMS)))
        if not (raw.get("enrollment_link") or raw.get("enroll_code") or raw.get("qr_code")):
            raise KitError("sheets[%d] (%s on %s) has no enrollment link, code or QR payload" % (index, email, platform))
        sheet = dict(raw, email=email, platform=platform)
        key = (platform, email)
        if key not in chosen or (sheet.get("expires_at") or "") >= (chosen[key].get("expires_at") or ""):
            chosen[key] = sheet
    return [chosen[key] for key in sorted(chosen)]


def render_kit(sheets, qr=True, wifi=None, paper="a4", language=DEFAULT_LANGUAGE, segno_module=None):
    """``{file name: bytes}``: one HTML sheet per person and platform, and index.html with all of them."""
    if paper not in PAPERS:
        raise KitError("paper must be one of %s, got %r" % (", ".join(PAPERS), paper))
    if wifi and (wifi.get("security") not in (None, "") and wifi["security"] not in WIFI_SECURITY):
        raise KitError("wifi: security must be one of %s, got %r" % (", ".join(WIFI_SECURITY), wifi["security"]))
    _wifi_extras(wifi)
    sheets = normalize_sheets(sheets)
    if qr and sheets:
        segno_module = segno_module or segno_or_error()
    files = {}
    sections = []
    for sheet in sheets:
        sheet_language = language_of(sheet.get("language"), language)
        payload, kind = qr_payload(sheet, wifi)
        markup = qr_svg(payload, segno_module) if qr and payload else None
        section = _sheet_section(sheet, sheet_language, markup, kind, wifi)
        sections.append(section)
        title = "%s: %s, %s" % (TEXTS[sheet_language]["heading"], sheet.get("name") or sheet["email"],
                                TEXTS[sheet_language]["platforms"][sheet["platform"]])
        name = file_name(sheet["platform"], sheet["email"], files)
        files[name] = _document(title, sheet_language, [section], paper).encode("utf-8")
    index_language = language_of(language)
    files[INDEX_NAME] = _document(TEXTS[index_language]["index_title"], index_language, sections, paper).encode("utf-8")
    return files


def _mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def sync_kit(directory, files, check_mode=False, prune=True):
    """Make ``directory`` (mode 0700) hold exactly ``files`` (mode 0600); only changed bytes are written.

    Returns ``{"written": [names], "unchanged": [names], "removed": [names], "dir_changed": bool}``. In check mode
    nothing is created, written, removed or chmod-ed: the lists say what a real run would do.
    """
    result = {"written": [], "unchanged": [], "removed": [], "dir_changed": False}
    exists = os.path.isdir(directory)
    if os.path.lexists(directory) and (not exists or os.path.islink(directory)):
        raise KitError("%s exists and is not a directory" % directory)
    if not exists:
        result["dir_changed"] = True
        if not check_mode:
            os.makedirs(directory, 0o700)
            os.chmod(directory, 0o700)
    elif _mode(directory) != 0o700:
        result["dir_changed"] = True
        if not check_mode:
            os.chmod(directory, 0o700)
    for name in sorted(files):
        path = os.path.join(directory, name)
        data = files[name]
        current = None
        if exists and os.path.isfile(path) and not os.path.islink(path):
            with open(path, "rb") as handle:
                current = handle.read()
        if current == data:
            if _mode(path) != 0o600:
                result["written"].append(name)
                if not check_mode:
                    os.chmod(path, 0o600)
            else:
                result["unchanged"].append(name)
            continue
        result["written"].append(name)
        if check_mode:
            continue
        handle, tmp = tempfile.mkstemp(dir=directory, prefix=".kit-", suffix=".tmp")  # created with mode 0600
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.chmod(tmp, 0o600)
            os.rename(tmp, path)
        except Exception:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
    if prune and exists:
        for name in sorted(os.listdir(directory)):
            path = os.path.join(directory, name)
            if name.endswith(".html") and name not in files and os.path.isfile(path):
                result["removed"].append(name)
                if not check_mode:
                    os.unlink(path)
    return result


def _people_index(people):
    """``{(platform, email): person dict}`` from onboarding_people's ``{platform: [items]}`` (or a flat list)."""
    index = {}
    if isinstance(people, dict):
        items = [(platform, item) for platform, entries in people.items() for item in entries or []]
    else:
        items = [(None, item) for item in people or []]
    for platform, item in items:
        if isinstance(item, dict) and item.get("email"):
            email = ("%s" % item["email"]).strip().lower()
            index[(platform or item.get("platform"), email)] = item
    return index


def _sheet(platform, email, token, person, platform_settings):
    settings = (platform_settings or {}).get(platform) or {}
    sheet = {"email": email, "platform": platform}
    name = (person or {}).get("display_name") or token.get("display_name")
    language = (person or {}).get("language") or settings.get("language")
    if name:
        sheet["name"] = "%s" % name
    if language:
        sheet["language"] = "%s" % language
    for key in ("expires_at", "enrollment_link", "enroll_code", "qr_code"):
        if token.get(key) not in (None, ""):
            sheet[key] = token[key] if key != "qr_code" or not isinstance(token[key], (dict, list)) else json.dumps(
                token[key], sort_keys=True)
    if token.get("perpetual"):
        sheet["perpetual"] = True
    return sheet


def sheets_from(items, people=None, platform_settings=None, platform_key="__applivery_platform"):
    """Kit sheets from registered results: enrollment_token_bulk runs, enrollment_token_info runs (a loop's
    results too) or canonical tokens. Only people with a current (pending) token get a sheet."""
    people_index = _people_index(people)
    sheets = []

    def add(platform, email, token):
        if not platform or not email or not isinstance(token, dict):
            return
        if token.get("state") not in SHEET_STATES:
            return
        if not (token.get("enrollment_link") or token.get("enroll_code") or token.get("qr_code")):
            return
        email = ("%s" % email).strip().lower()
        person = people_index.get((platform, email)) or people_index.get((None, email))
        sheets.append(_sheet(platform, email, token, person, platform_settings))

    def walk(item, platform=None):
        if not isinstance(item, dict) or item.get("skipped"):
            return
        if isinstance(item.get("results"), list) and "tokens" not in item:
            run_platform = item.get(platform_key) or ((item.get("invocation") or {}).get("module_args") or {}).get("platform")
            for entry in item["results"]:
                if isinstance(entry, dict) and "token" in entry and "action" in entry:
                    if entry.get("action") in SHEET_ACTIONS:
                        add(run_platform or platform, entry.get("email"), entry.get("token"))
                else:  # a loop's results: registered runs, one per item
                    walk(entry, platform)
            return
        if isinstance(item.get("by_email"), dict):  # enrollment_token_info with user_email: each person's current token
            run_platform = item.get(platform_key) or ((item.get("invocation") or {}).get("module_args") or {}).get("platform")
            for email in sorted(item["by_email"]):
                token = item["by_email"][email]
                if isinstance(token, dict):
                    add(token.get("platform") or run_platform or platform, email, token)
            return
        if isinstance(item.get("tokens"), list):
            run_platform = item.get(platform_key) or ((item.get("invocation") or {}).get("module_args") or {}).get("platform")
            for token in item["tokens"]:
                walk(token, run_platform or platform)
            return
        if "enrollment_link" in item or "qr_code" in item or "enroll_code" in item:
            add(item.get("platform") or platform, item.get("user_email") or item.get("email"), item)

    for item in items if isinstance(items, list) else [items]:
        walk(item)
    return sheets


# ---------------------------------------------------------------- the enrollment_kit module

ARGUMENT_SPEC = {
    "path": {"type": "path", "required": True},
    "sheets": {"type": "list", "elements": "dict", "required": True, "options": {
        "email": {"type": "str", "required": True},
        "platform": {"type": "str", "required": True, "choices": list(KIT_PLATFORMS)},
        "name": {"type": "str"},
        "language": {"type": "str"},
        "expires_at": {"type": "str"},
        "perpetual": {"type": "bool", "default": False},
        "enrollment_link": {"type": "str", "no_log": True},
        "enroll_code": {"type": "str", "no_log": True},
        "qr_code": {"type": "str", "no_log": True},
    }},
    "qr": {"type": "bool", "default": True},
    "wifi": {"type": "dict", "options": {
        "ssid": {"type": "str"},
        "security": {"type": "str", "choices": list(WIFI_SECURITY)},
        "password": {"type": "str", "no_log": True},
        "hidden": {"type": "bool", "default": False},
    }},
    "paper": {"type": "str", "default": "a4", "choices": list(PAPERS)},
    "language": {"type": "str", "default": "en"},
    "prune": {"type": "bool", "default": True},
    # accepted for module_defaults of the action group, never used
    "api_url": {"type": "str"},
    "api_token": {"type": "str", "no_log": True},
    "organization": {"type": "str"},
    "validate_certs": {"type": "bool"},
    "ca_path": {"type": "path"},
    "timeout": {"type": "int"},
    "retries": {"type": "int"},
}


def invocation(params):
    """The module's arguments as the result shows them, with the sheets as a count.

    Ansible would show every sheet (its secret fields masked) and compare each of their strings with every
    masked value, which grows with the square of the number of sheets; a count keeps results and AWX job events
    small. The Wi-Fi password is masked as usual (no_log).
    """
    args = dict((key, value) for key, value in params.items() if key != "sheets")
    args["sheets"] = "%d sheet(s), not shown: they hold enrollment links" % len(params["sheets"] or [])
    return {"module_args": args}


def run_kit(module):
    """The enrollment_kit module's run: render every sheet, then write only the files whose bytes changed."""
    params = module.params
    try:
        segno = segno_or_error(sys.executable) if params["qr"] else None
        files = render_kit(params["sheets"], qr=params["qr"], wifi=params["wifi"], paper=params["paper"],
                           language=params["language"], segno_module=segno)
        outcome = sync_kit(params["path"], files, check_mode=module.check_mode, prune=params["prune"])
    except (KitError, OSError) as error:
        module.fail_json(msg="onboarding kit in %s: %s" % (params["path"], error), invocation=invocation(params))
    changed = bool(outcome["written"] or outcome["removed"] or outcome["dir_changed"])
    return {
        "changed": changed,
        "path": params["path"],
        "index": "%s/%s" % (params["path"].rstrip("/"), INDEX_NAME),
        "sheets": len(files) - 1,
        "qr": params["qr"],
        "written": len(outcome["written"]),
        "unchanged": len(outcome["unchanged"]),
        "removed": len(outcome["removed"]),
        "invocation": invocation(params),
    }
