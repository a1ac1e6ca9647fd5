"""OpenAPI response validation for the emulator tests (openapi-core against the vendored spec).

The spec's server is ``https://api.applivery.io/v1``; requests are presented to the validator
with that host and the real ``/v1/...`` path, so the spec is used unmodified. Error statuses
that an operation does not declare (400, 403, 429, ...) are validated against the spec's
``components/schemas/ErrorBody`` with the OpenAPI 3.1 schema validator.
"""

from __future__ import annotations

import json
import os

import yaml
from openapi_core import OpenAPI
from openapi_core.templating.paths.exceptions import PathError
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.testing import MockRequest, MockResponse
from openapi_schema_validator import OAS31Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "openapi.yaml")
SPEC_HOST = "https://api.applivery.io"


class RawResponse:
    """Adapter giving an ``http.client`` response the bits of ``requests.Response`` the validator uses."""

    def __init__(self, status: int, headers, body: bytes) -> None:
        self.status_code = status
        self.headers = {k.title(): v for k, v in dict(headers).items()}
        self.content = body
        self.text = body.decode("utf-8", "replace")

    def json(self):
        """Decoded JSON body."""
        return json.loads(self.content)


class ResponseValidator:
    """Validates ``requests`` responses of the emulator against the vendored OpenAPI document."""

    def __init__(self, spec_path: str = SPEC_PATH) -> None:
        with open(spec_path, encoding="utf-8") as handle:
            self.spec = yaml.safe_load(handle)
        self.openapi = OpenAPI.from_dict(self.spec)
        registry = Registry().with_resource("urn:applivery-openapi", Resource.from_contents(self.spec, default_specification=DRAFT202012))
        self.error_schema = OAS31Validator(
            {"$ref": "urn:applivery-openapi#/components/schemas/ErrorBody"}, registry=registry,
            format_checker=OAS31Validator.FORMAT_CHECKER,
        )
        self.count = 0
        self.by_status: dict = {}

    def validate(self, method: str, path: str, params, resp) -> str:
        """Validate one response; returns how: ``operation``, ``error-body`` or ``non-json``."""
        self.by_status[resp.status_code] = self.by_status.get(resp.status_code, 0) + 1
        content_type = resp.headers.get("Content-Type", "")
        if not content_type.startswith("application/json"):
            # Only the proxy-style 5xx fault pages are allowed to be non-JSON.
            assert resp.status_code in (500, 502, 503), f"non-JSON {resp.status_code} response: {content_type}"
            assert not resp.text.lstrip().startswith(("{", "[")), "a proxy fault page must not be JSON"
            return "non-json"
        args = []
        for key, value in (params or {}).items():
            for item in value if isinstance(value, (list, tuple)) else [value]:
                args.append((key, str(item).lower() if isinstance(item, bool) else str(item)))
        request = MockRequest(SPEC_HOST, method.lower(), path, args=args, headers={"Authorization": "Bearer x"})
        mime = content_type.split(";")[0].strip()
        response = MockResponse(resp.content, status_code=resp.status_code, headers=dict(resp.headers), content_type=mime)
        self.count += 1
        try:
            self.openapi.validate_response(request, response)
            return "operation"
        except (ResponseNotFound, PathError):
            if resp.status_code < 400:
                raise
        body = resp.json()
        self.error_schema.validate(body)
        return "error-body"
