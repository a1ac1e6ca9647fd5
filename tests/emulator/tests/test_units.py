"""In-process unit tests: the order-statistics index and the OpenAPI validator used by the suite."""

from __future__ import annotations

import json
import random

import pytest
from jsonschema.exceptions import ValidationError
from openapi_core.validation.response.exceptions import InvalidData

from emulator.index import OrderedIndex
from emulator.tests.oas import RawResponse
from emulator.util import iso, parse_iso

STATES = ("A", "B", "C")


class _Item:
    def __init__(self, ident: int, order: tuple) -> None:
        self.id = ident
        self.order = order


def test_ordered_index_matches_brute_force():
    rng = random.Random(1234)
    for _trial in range(150):
        idx = OrderedIndex(STATES)
        truth: dict = {}
        items: list = []
        for _step in range(rng.randint(0, 150)):
            roll = rng.random()
            if roll < 0.5 or not items:
                order = (rng.randint(0, 50) if rng.random() < 0.2 else 1000 + len(items), len(items))
                item = _Item(len(items), order)
                state = rng.choice(STATES)
                items.append(item)
                truth[item.id] = state
                idx.add(item, state)
            elif roll < 0.6:
                batch = []
                for _k in range(rng.randint(1, 80)):
                    item = _Item(len(items), (rng.randint(0, 3000), len(items)))
                    state = rng.choice(STATES)
                    items.append(item)
                    truth[item.id] = state
                    batch.append((item, state))
                idx.extend(batch)
            else:
                item = rng.choice(items)
                state = rng.choice(STATES + (None,))
                truth[item.id] = state
                idx.set_state(item, state)
        ordered = sorted(items, key=lambda it: it.order)
        for states in ({"A"}, {"A", "C"}, set(STATES)):
            visible = [it for it in ordered if truth[it.id] in states]
            assert idx.total(states) == len(visible)
            for offset in range(0, len(visible) + 3, 7):
                for limit in (1, 7, 100):
                    assert idx.page(states, offset, limit) == visible[offset:offset + limit]
                    assert idx.page(states, offset, limit, descending=True) == visible[::-1][offset:offset + limit]


def test_ordered_index_deep_page_skips_invisible_runs():
    idx = OrderedIndex(("PENDING", "DELETED"))
    items = [_Item(i, (i, i)) for i in range(20000)]
    idx.extend((it, "DELETED" if (i // 100) % 2 else "PENDING") for i, it in enumerate(items))
    page = idx.page(("PENDING",), 5000, 150)
    expected = [it for i, it in enumerate(items) if not (i // 100) % 2][5000:5150]
    assert page == expected


def test_iso_roundtrip():
    assert iso(parse_iso("2026-11-22T14:00:00.000Z")) == "2026-11-22T14:00:00.000Z"
    assert iso(0) == "1970-01-01T00:00:00.000Z"


def _json(status: int, body) -> RawResponse:
    return RawResponse(status, {"Content-Type": "application/json"}, json.dumps(body).encode())


@pytest.mark.parametrize("item", [
    {"id": "not-hex"},
    {"id": "64d200000000000000000001", "state": "WEIRD"},
    {"id": "64d200000000000000000001", "createdAt": "yesterday"},
    {"id": "64d200000000000000000001", "mdmUser": {"id": 7}},
])
def test_validator_rejects_bad_token_payloads(validator, item):
    resp = _json(200, {"status": True, "data": {"items": [item], "totalDocs": 1}})
    with pytest.raises(InvalidData):
        validator.validate("GET", "/v1/organizations/acme/mdm/apple/enterprise/enrollment-tokens", None, resp)


def test_validator_checks_undeclared_error_statuses(validator):
    path = "/v1/organizations/acme/mdm/apple/enterprise/enrollment-tokens"
    good = _json(400, {"status": False, "error": {"code": 5209, "message": "Invalid input: x is not allowed"}})
    assert validator.validate("POST", path, None, good) == "error-body"
    with pytest.raises(ValidationError):
        validator.validate("POST", path, None, _json(400, {"status": False, "error": {"code": "5209"}}))
    with pytest.raises(AssertionError):
        validator.validate("GET", path, None, RawResponse(400, {"Content-Type": "text/html"}, b"<html></html>"))
