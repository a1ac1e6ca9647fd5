# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AppliveryModule: the AnsibleModule every applivery.mdm module is built on.

It owns the shared connection options (with their APPLIVERY_* environment fallbacks),
checks them before any request, builds the API client and turns an ApiError into a
``fail_json`` that carries ``error: {status, code, message}``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import gc

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.applivery.mdm.plugins.module_utils._validation import InputError
from ansible_collections.applivery.mdm.plugins.module_utils._client import (  # CONNECTION_ENV: read by the AWX credential tests
    API_URL_RE,
    CONNECTION_ENV,
    DEFAULT_API_URL,
    ORGANIZATION_RE,
    REQUESTS_IMPORT_ERROR,
    ApiError,
    AppliveryClient,
)

CONNECTION_ARGUMENT_SPEC = {
    "api_url": {"type": "str", "default": DEFAULT_API_URL},
    "api_token": {"type": "str", "required": True, "no_log": True},
    "organization": {"type": "str", "required": True},
    "validate_certs": {"type": "bool", "default": True},
    "ca_path": {"type": "path"},
    "timeout": {"type": "int", "default": 30},
    "retries": {"type": "int", "default": 3},
}
for _name, _variable in CONNECTION_ENV.items():
    CONNECTION_ARGUMENT_SPEC[_name]["fallback"] = (env_fallback, [_variable])


def connection_problems(params):
    """Plain-language problems with the connection options; empty when they are usable."""
    problems = []
    if not API_URL_RE.match(params.get("api_url") or ""):
        problems.append("api_url '%s' is not an http(s) URL such as %s" % (params.get("api_url"), DEFAULT_API_URL))
    if not ORGANIZATION_RE.match(params.get("organization") or ""):
        problems.append("organization '%s' is neither a 24-hex id nor a slug of 3 or more letters, digits and hyphens"
                        % params.get("organization"))
    if not (params.get("api_token") or "").strip():
        problems.append("api_token is empty: set it, or the APPLIVERY_API_TOKEN environment variable")
    if params.get("timeout") is not None and params["timeout"] <= 0:
        problems.append("timeout must be a positive number of seconds, got %s" % params["timeout"])
    if params.get("retries") is not None and not 0 <= params["retries"] <= 10:
        problems.append("retries must be between 0 and 10, got %s" % params["retries"])
    return problems


class AppliveryModule(AnsibleModule):
    """An AnsibleModule with the Applivery connection options and an API client."""

    def __init__(self, argument_spec=None, **kwargs):
        spec = dict((name, dict(option)) for name, option in CONNECTION_ARGUMENT_SPEC.items())
        spec.update(argument_spec or {})
        kwargs.setdefault("supports_check_mode", True)
        super(AppliveryModule, self).__init__(argument_spec=spec, **kwargs)
        if REQUESTS_IMPORT_ERROR:
            self.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        problems = connection_problems(self.params)
        if problems:
            self.fail_json(msg="; ".join(problems))
        if not self.params["validate_certs"]:
            self.warn("validate_certs is false: the TLS certificate of %s is not checked" % self.params["api_url"])
        self._client = None

    @property
    def client(self):
        if self._client is None:
            self._client = AppliveryClient(
                api_token=self.params["api_token"],
                organization=self.params["organization"],
                api_url=self.params["api_url"],
                validate_certs=self.params["validate_certs"],
                ca_path=self.params["ca_path"],
                timeout=self.params["timeout"],
                retries=self.params["retries"],
            )
        return self._client

    def fail_api(self, error, **result):
        """fail_json for an ApiError: the sentence as msg, and the vendor's fields as ``error``."""
        result.pop("msg", None)
        self.fail_json(msg=str(error), error=error.to_dict(), **result)

    def run(self, action):
        """Call ``action(self)`` for a result dict and exit with it.

        Every module fails the same way: an InputError (found before any write) with its problems as ``msg``,
        an ApiError with its sentence as ``msg`` and the vendor's fields as ``error``.
        """
        # A module is a short-lived process that builds up to a million long-lived objects (tokens, results) and frees
        # them all at exit: the cyclic garbage collector would only walk them again and again (seconds at 100,000 people).
        gc.disable()
        try:
            result = action(self)
        except InputError as error:
            self.fail_json(msg=str(error))
        except ApiError as error:
            self.fail_api(error)
        self.exit_json(**result)
