# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    """The connection options every applivery.mdm module shares."""

    DOCUMENTATION = r"""
options:
  api_url:
    description:
      - Base URL of the Applivery API, without the C(/v1) prefix, which the collection adds.
      - If not set, the value of the E(APPLIVERY_API_URL) environment variable is used.
    type: str
    default: https://api.applivery.io
  api_token:
    description:
      - Bearer token of an Applivery service account (Workspace Settings, Service Accounts).
      - Writes need the V(Admin) or V(Developer) role; a V(Viewer) token can only read.
      - If not set, the value of the E(APPLIVERY_API_TOKEN) environment variable is used.
      - The token is never logged, shown in a diff or written to a report.
    type: str
    required: true
  organization:
    description:
      - The Applivery organization (workspace) to act on, as its 24-hex id or its slug.
      - If not set, the value of the E(APPLIVERY_ORGANIZATION) environment variable is used.
    type: str
    required: true
  validate_certs:
    description:
      - Whether to check the TLS certificate of O(api_url). Set to V(false) only for a trusted test endpoint; the module warns when it is off.
      - If not set, the value of the E(APPLIVERY_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - Path to a PEM bundle of CA certificates to trust for O(api_url), for example a corporate TLS-inspecting proxy's CA.
      - If not set, the value of the E(APPLIVERY_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP response.
      - If not set, the value of the E(APPLIVERY_TIMEOUT) environment variable is used.
    type: int
    default: 30
  retries:
    description:
      - How many times an idempotent request (GET, PUT, DELETE) is retried on a connection error, a timeout,
        or HTTP 429, 500, 502, 503 or 504, with exponential backoff that honours C(Retry-After).
      - A create (POST) is never resent by the transport. The modules list first and resend only what is still missing.
      - If not set, the value of the E(APPLIVERY_RETRIES) environment variable is used.
    type: int
    default: 3
notes:
  - Proxies are taken from the standard E(HTTPS_PROXY), E(HTTP_PROXY) and E(NO_PROXY) environment variables.
requirements:
  - requests
"""
