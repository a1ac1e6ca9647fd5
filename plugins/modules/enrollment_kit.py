#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: enrollment_kit
short_description: Write printable onboarding sheets, with QR codes, for enrollment tokens
version_added: 0.1.0
description:
  - Writes an onboarding kit into a directory, with one HTML sheet per person and platform, and C(index.html) with every
    sheet, one printed page (A4 or Letter) per sheet, in a stable order (platform, then email).
  - A sheet shows the person's name or email, the platform, short enrollment steps in the sheet's language
    (V(en) and V(es); other languages fall back to O(language), then English), the enrollment link and code, the
    expiry (for example C(valid until 3 Dec 2026, 14:00 UTC)) and a QR code.
  - The QR code holds the enrollment link (Apple, Windows, Android), or the device-owner provisioning payload when the
    token carries one (AOSP C(config.qrCode), the canonical C(qr_code)), with the Wi-Fi extras of O(wifi) merged in.
  - The sheets hold enrollment links. The directory gets mode 0700 and every file mode 0600; the module returns
    only counts and names of files, never their content, and shows no diff. A file is written only when its bytes
    change, and nothing in a sheet depends on the time it was made, so a kit of unchanged tokens is not changed.
  - "Runs where the files should be written, normally on the controller (C(hosts: localhost) or C(delegate_to: localhost))."
  - The sheets usually come from the P(applivery.mdm.kit_sheets#filter) filter, which takes the registered results
    of M(applivery.mdm.enrollment_token_bulk) or M(applivery.mdm.enrollment_token_info).
author:
  - applivery.mdm contributors (@applivery-mdm)
extends_documentation_fragment:
  - applivery.mdm.attributes
attributes:
  check_mode:
    support: full
    details:
      - Nothing is created, written, removed or chmod-ed. RV(written), RV(removed) and C(changed) say what a real run would do.
  diff_mode:
    support: none
    details:
      - The files hold enrollment links, so no diff is ever returned.
requirements:
  - segno (on the host that writes the kit, unless O(qr=false))
options:
  path:
    description:
      - The kit directory, created with mode 0700 (its parent must exist or be creatable).
    type: path
    required: true
  sheets:
    description:
      - One item per person and platform. When the same person and platform is given twice, the token that expires
        last wins.
      - An empty list writes an C(index.html) with no sheet (and, with O(prune), removes every sheet).
    type: list
    elements: dict
    required: true
    suboptions:
      email:
        description: The person's email (written in lower case).
        type: str
        required: true
      platform:
        description: The token's platform.
        type: str
        required: true
        choices: [android, aosp, apple, windows]
      name:
        description: The person's name, shown instead of the email as the sheet's title.
        type: str
      language:
        description:
          - Language of the sheet, for example V(es) or V(es-ES). Languages without texts use O(language).
        type: str
      expires_at:
        description: Expiry of the token, ISO-8601 (as the other modules return it).
        type: str
      perpetual:
        description: The token never expires (AOSP).
        type: bool
        default: false
      enrollment_link:
        description: The enrollment link.
        type: str
      enroll_code:
        description: The enrollment code or one-time token.
        type: str
      qr_code:
        description: The token's QR payload as a JSON string (the canonical C(qr_code)), where the platform has one.
        type: str
  qr:
    description:
      - Draw the QR codes, with the Python library C(segno), which must be installed where the module runs.
      - V(false) writes sheets without QR codes (the link and code only), and needs no C(segno).
    type: bool
    default: true
  wifi:
    description:
      - Wi-Fi network for device-owner provisioning, merged into every provisioning payload (AOSP, and Android
        tokens that carry one) as the Android provisioning extras C(android.app.extra.PROVISIONING_WIFI_SSID),
        C(android.app.extra.PROVISIONING_WIFI_SECURITY_TYPE), C(android.app.extra.PROVISIONING_WIFI_PASSWORD) and
        C(android.app.extra.PROVISIONING_WIFI_HIDDEN). Links are not changed.
      - The password is in the QR code only, never printed as text on the sheet.
    type: dict
    suboptions:
      ssid:
        description: The network name. Required when any other Wi-Fi setting is set.
        type: str
      security:
        description: The network's security type.
        type: str
        choices: [WPA, WEP, EAP, NONE]
      password:
        description: The network's password.
        type: str
      hidden:
        description: The network does not broadcast its name.
        type: bool
        default: false
  paper:
    description: The paper the sheets are laid out for (one sheet per page).
    type: str
    choices: [a4, letter]
    default: a4
  language:
    description: Language of sheets whose own language has no texts, and of C(index.html).
    type: str
    default: en
  prune:
    description:
      - Remove C(.html) files of O(path) that are not part of this kit (sheets of people no longer in it).
    type: bool
    default: true
  api_url:
    description: Not used (the module makes no request). Accepted so that C(module_defaults) for C(group/applivery.mdm.applivery) apply.
    type: str
  api_token:
    description: Not used (the module makes no request). Accepted so that C(module_defaults) for C(group/applivery.mdm.applivery) apply.
    type: str
  organization:
    description: Not used (the module makes no request). Accepted so that C(module_defaults) for C(group/applivery.mdm.applivery) apply.
    type: str
  validate_certs:
    description: Not used (the module makes no request). Accepted so that C(module_defaults) for C(group/applivery.mdm.applivery) apply.
    type: bool
  ca_path:
    description: Not used (the module makes no request). Accepted so that C(module_defaults) for C(group/applivery.mdm.applivery) apply.
    type: path
  timeout:
    description: Not used (the module makes no request). Accepted so that C(module_defaults) for C(group/applivery.mdm.applivery) apply.
    type: int
  retries:
    description: Not used (the module makes no request). Accepted so that C(module_defaults) for C(group/applivery.mdm.applivery) apply.
    type: int
notes:
  - Print C(index.html) from a browser (Chrome or Firefox; print backgrounds off, margins default, scale 100%).
seealso:
  - module: applivery.mdm.enrollment_token_bulk
  - module: applivery.mdm.enrollment_token_info
  - plugin: applivery.mdm.kit_sheets
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Onboard the Android scanners
  applivery.mdm.enrollment_token_bulk:
    platform: aosp
    management_mode: DEVICE_OWNER
    users: [scanner-01@example.com, scanner-02@example.com]
  register: scanners

- name: Print-ready sheets with the provisioning QR code and the warehouse Wi-Fi
  applivery.mdm.enrollment_kit:
    path: "{{ playbook_dir }}/kit"
    sheets: "{{ scanners | combine({'platform': 'aosp'}) | applivery.mdm.kit_sheets(platform_key='platform') }}"
    wifi:
      ssid: Warehouse
      security: WPA
      password: "{{ vault_warehouse_wifi_password }}"
  delegate_to: localhost

- name: Sheets without QR codes (no segno needed)
  applivery.mdm.enrollment_kit:
    path: /srv/kits/apple
    qr: false
    sheets:
      - email: alice@example.com
        name: Alice Example
        platform: apple
        language: es
        expires_at: "2026-12-03T14:00:00Z"
        enrollment_link: "{{ alice_link }}"
"""

RETURN = r"""
path:
  description: The kit directory.
  returned: always
  type: str
  sample: /home/it/applivery-reports/kit
index:
  description: Path of C(index.html), the printable document with every sheet.
  returned: always
  type: str
  sample: /home/it/applivery-reports/kit/index.html
sheets:
  description: Number of sheets in the kit.
  returned: always
  type: int
  sample: 3
qr:
  description: Whether the sheets have QR codes.
  returned: always
  type: bool
written:
  description:
    - Number of files written (new or changed bytes, or a fixed mode); in check mode, that would be.
    - Counts, not file names, so that the result stays small for thousands of sheets.
  returned: always
  type: int
  sample: 2
unchanged:
  description: Number of files that already had the right bytes and mode.
  returned: always
  type: int
  sample: 2
removed:
  description: Number of C(.html) files removed by O(prune); in check mode, that would be.
  returned: always
  type: int
  sample: 0
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.applivery.mdm.plugins.module_utils._kit import ARGUMENT_SPEC, run_kit


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.exit_json(**run_kit(module))


if __name__ == "__main__":
    main()
