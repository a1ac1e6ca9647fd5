# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AppliveryClient.paginate against a fake list server: no network, the client's ``get`` is replaced.

The fake numbers its pages as mongoose-paginate does (offset = (page - 1) * applied limit) and
caps ``limit`` as a server may: at 10, 50, 100 or 1000, or not at all, or it ignores ``limit``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading

import pytest

from ansible_collections.applivery.mdm.plugins.module_utils._client import PAGE_SIZE, READ_AHEAD, ApiError, AppliveryClient

PATH = "/organizations/acme/mdm/apple/enterprise/enrollment-tokens"


class FakeList:
    """A paginated list of ``count`` items; ``cap`` caps ``limit``, ``fixed`` ignores it (always that size)."""

    def __init__(self, count, cap=None, fixed=None, answer_limit=True, total_pages=True, grow_after=None, grow_by=0):
        self.items = [{"id": "%06d" % n} for n in range(count)]
        self.cap, self.fixed, self.answer_limit, self.total_pages = cap, fixed, answer_limit, total_pages
        self.grow_after, self.grow_by = grow_after, grow_by
        self.calls = []
        self._lock = threading.Lock()

    def get(self, path, params=None):
        assert path == PATH
        with self._lock:
            self.calls.append(dict(params))
            if self.grow_after is not None and len(self.calls) == self.grow_after:
                self.items.extend({"id": "%06d" % n} for n in range(len(self.items), len(self.items) + self.grow_by))
            items = list(self.items)
        size = self.fixed or min(int(params.get("limit", 20)), self.cap or 10 ** 9)
        page = int(params.get("page", 1))
        pages = max(1, -(-len(items) // size))
        data = {"items": items[(page - 1) * size:page * size], "totalDocs": len(items), "page": page,
                "hasNextPage": page < pages, "nextPage": page + 1 if page < pages else None,
                "hasPrevPage": page > 1, "prevPage": page - 1 if page > 1 else None}
        if self.answer_limit:
            data["limit"] = size
        if self.total_pages:
            data["totalPages"] = pages
        return data


def client_for(server):
    client = AppliveryClient("token", "acme", api_url="http://127.0.0.1:9")  # never contacted: get is replaced
    client.get = server.get
    return client


def ids(items):
    return [item["id"] for item in items]


def expected(count):
    return ["%06d" % n for n in range(count)]


@pytest.mark.parametrize("cap", [10, 50, 100, 1000])
@pytest.mark.parametrize("count", [0, 1, 99, 100, 101, 1000, 2345])
@pytest.mark.parametrize("read_ahead", [READ_AHEAD, 1])
def test_every_item_once_in_order_one_get_per_page_of_the_cap(cap, count, read_ahead):
    server = FakeList(count, cap=cap)
    assert ids(client_for(server).paginate(PATH, read_ahead=read_ahead)) == expected(count)
    assert len(server.calls) == max(1, -(-count // cap))
    assert sorted(call["page"] for call in server.calls) == list(range(1, len(server.calls) + 1))
    assert server.calls[0]["limit"] == PAGE_SIZE == 1000, "asks for the largest page first"
    assert all(call["limit"] == min(cap, PAGE_SIZE) for call in server.calls[1:]), "then asks for what the server applied"


@pytest.mark.parametrize("answer_limit", [True, False])
def test_a_server_that_ignores_limit_is_followed(answer_limit):
    server = FakeList(95, fixed=20, answer_limit=answer_limit)
    assert ids(client_for(server).paginate(PATH)) == expected(95)
    assert len(server.calls) == 5


def test_without_total_pages_next_page_is_followed_one_by_one():
    server = FakeList(250, cap=100, total_pages=False)
    assert ids(client_for(server).paginate(PATH)) == expected(250)
    assert [call["page"] for call in server.calls] == [1, 2, 3]


def test_filters_are_kept_and_page_size_can_be_set():
    server = FakeList(30, cap=100)
    assert ids(client_for(server).paginate(PATH, params={"mdm-user": "u1", "sort": "createdAt:desc"}, page_size=7)) == expected(30)
    assert len(server.calls) == 5
    assert all(call["mdm-user"] == "u1" and call["sort"] == "createdAt:desc" and call["limit"] == 7 for call in server.calls)


def test_pages_beyond_the_first_count_are_read_when_the_list_grew():
    server = FakeList(500, cap=100, grow_after=2, grow_by=150)  # grows while the read-ahead runs
    assert ids(client_for(server).paginate(PATH)) == expected(650)
    assert len(server.calls) == 7


def test_a_reader_that_stops_early_leaves_the_rest_unread():
    server = FakeList(100000, cap=100)
    pages = client_for(server).paginate(PATH)
    assert ids(next(pages) for _n in range(150)) == expected(150)
    pages.close()
    assert len(server.calls) <= 2 + 2 * READ_AHEAD, "no more than the queued read-ahead after the reader stopped"


def test_a_page_that_is_not_the_envelope_is_an_api_error():
    client = AppliveryClient("token", "acme", api_url="http://127.0.0.1:9")
    client.get = lambda path, params=None: ["not", "an", "envelope"]
    with pytest.raises(ApiError, match="not the paginated envelope"):
        list(client.paginate(PATH))


def test_a_failing_page_fails_the_listing():
    server = FakeList(1000, cap=100)

    def get(path, params=None):
        if params["page"] == 4:
            raise ApiError(status=503, method="GET", path=path)
        return server.get(path, params)

    client = client_for(server)
    client.get = get
    with pytest.raises(ApiError):
        list(client.paginate(PATH))
