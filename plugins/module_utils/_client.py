# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small Applivery MDM API client built on requests.

This file has no Ansible imports, so it can be unit-tested on its own and reused by
modules, lookups and scripts alike.

Transport policy:

* every call has a timeout;
* GET, PUT and DELETE are retried by urllib3's ``Retry`` on connection errors and on
  429/500/502/503/504, with exponential backoff that honours ``Retry-After``;
* POST is never retried by the transport: the vendor's create endpoints are not
  idempotent, so callers list first and resend only what is still missing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import re
import threading
import time
import traceback

try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry
except ImportError:  # pragma: no cover - reported by the module layer
    requests = None
    HTTPAdapter = object
    Retry = None
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    REQUESTS_IMPORT_ERROR = None

from ansible_collections.applivery.mdm.plugins.module_utils._version import COLLECTION_VERSION

DEFAULT_API_URL = "https://api.applivery.io"
API_PREFIX = "/v1"
# The page size asked for: the largest the API may give. The vendor does not document its maximum (a third-party
# client asks for 1000); contract C4 guesses that it caps `limit` at 100. paginate() follows the `limit` the server
# answers, so a cap of 100 costs nothing extra, and a server that gives 1000 needs a tenth of the GETs.
PAGE_SIZE = 1000
READ_AHEAD = 4  # list pages fetched at the same time once the page count is known
RETRY_STATUSES = (429, 500, 502, 503, 504)
IDEMPOTENT_METHODS = frozenset(("GET", "PUT", "DELETE"))
# Connection option -> environment variable it falls back to: the modules, the event source and the AWX credential
# type use exactly these names.
CONNECTION_ENV = {
    "api_url": "APPLIVERY_API_URL",
    "api_token": "APPLIVERY_API_TOKEN",
    "organization": "APPLIVERY_ORGANIZATION",
    "validate_certs": "APPLIVERY_VALIDATE_CERTS",
    "ca_path": "APPLIVERY_CA_PATH",
    "timeout": "APPLIVERY_TIMEOUT",
    "retries": "APPLIVERY_RETRIES",
}
API_URL_RE = re.compile(r"^https?://[^/\s:]+(:\d{1,5})?(/[^\s]*)?$")
ORGANIZATION_RE = re.compile(r"^(([a-fA-F0-9]{24})|([a-zA-Z0-9\-]{3,}))$")

# What a user can do about a vendor error code, appended to the error sentence.
ERROR_HINTS = {
    3001: "check 'organization' and the ids used in the request",
    4001: "check 'api_token'",
    4002: "set 'api_token' or the APPLIVERY_API_TOKEN environment variable",
    4004: "check 'api_token': the API does not know this token (revoked, or for another environment)",
    4010: "check 'api_token': its service account's role cannot do this (a Viewer can only read); use an Admin or Developer service-account token",
    4029: "the API is rate limiting this token; raise 'retries' or run with fewer parallel jobs",
    5017: "a limit was exceeded: the organization's token quota, or more than 1000 emails in one bulk request",
    5048: "the MDM user already exists",
    5050: "the organization's billing plan does not include this feature",
    5055: "revoke the user's pending enrollment tokens first",
    5086: "Apple bulk: profiles that are already attached to the enterprise cannot be added again; leave 'profiles' out or fix them",
    5145: "Windows bulk: the API could not create the tokens; check the policy and the settings the Windows bulk page documents",
    5120: "the API refused the update; only PENDING tokens can be updated",
    5209: "fix the input named in the message",
}


class ApiError(Exception):
    """An Applivery API call that did not succeed.

    ``status`` is the HTTP status (None when no response arrived), ``code`` and
    ``vendor_message`` come from the vendor's error envelope when there is one.
    """

    def __init__(self, status=None, code=None, vendor_message=None, method=None, path=None, hint=None, retries=None, no_answer=False):
        self.status = status
        self.no_answer = no_answer  # the request went out and no answer came in time: the API may still be processing it
        self.code = code
        self.vendor_message = vendor_message
        self.method = method
        self.path = path
        self.hint = hint if hint is not None else ERROR_HINTS.get(code)
        self.retries = retries
        super(ApiError, self).__init__(self.sentence())

    @property
    def may_have_committed(self):
        """True for failures after which a write may or may not have been applied: no answer, 5xx or 429."""
        return self.status is None or self.status >= 500 or self.status == 429

    def sentence(self):
        if self.code is not None:
            text = "Applivery API error %s (%s)" % (self.code, self.vendor_message)
        elif self.status is not None:
            text = "Applivery API returned HTTP %s%s" % (self.status, " (%s)" % self.vendor_message if self.vendor_message else "")
        else:
            text = "Applivery API request failed: %s" % self.vendor_message
        if self.method and self.path:
            text += " on %s %s" % (self.method, self.path)
        if self.retries:
            text += " after %d retries" % self.retries
        if self.hint:
            text += ": %s" % self.hint
        return text

    def to_dict(self):
        return {"status": self.status, "code": self.code, "message": self.vendor_message}


def user_agent():
    return "applivery.mdm/%s (Ansible collection; python-requests/%s)" % (
        COLLECTION_VERSION, getattr(requests, "__version__", "unknown"))


class AppliveryClient:
    """Talks to one organization of the Applivery MDM API."""

    def __init__(self, api_token, organization, api_url=DEFAULT_API_URL, validate_certs=True, ca_path=None,
                 timeout=30, retries=3, backoff_factor=0.5):
        if requests is None:
            raise RuntimeError("the Python library 'requests' is required")
        self.base_url = api_url.rstrip("/") + API_PREFIX
        self.organization = organization
        self.timeout = timeout
        self.retries = retries
        self.reads = 0
        self.writes = 0
        self._server_clock = None  # (server time from the last Date header, local monotonic time it arrived)
        self._lock = threading.Lock()  # counters and clock are shared by paginate()'s read-ahead threads
        self._session = self._new_session(api_token, Retry(
            total=retries, connect=retries, read=retries, status=retries, other=0,
            allowed_methods=IDEMPOTENT_METHODS, status_forcelist=RETRY_STATUSES,
            backoff_factor=backoff_factor, respect_retry_after_header=True, raise_on_status=False))
        self._post_session = self._new_session(api_token, Retry(total=0, raise_on_status=False))
        # Passed on every request: a session-level setting loses to REQUESTS_CA_BUNDLE in the environment.
        self._verify = ca_path if (validate_certs and ca_path) else bool(validate_certs)

    @staticmethod
    def _new_session(api_token, retry):
        session = requests.Session()
        session.headers["Authorization"] = "Bearer %s" % api_token
        session.headers["Accept"] = "application/json"
        session.headers["User-Agent"] = user_agent()
        adapter = HTTPAdapter(max_retries=retry, pool_maxsize=8)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return session

    def close(self):
        self._session.close()
        self._post_session.close()

    # ----------------------------------------------------------------- paths
    def org_path(self, suffix=""):
        """``/organizations/{org}/<suffix>`` for the configured organization."""
        path = "/organizations/%s" % self.organization
        return path + "/" + suffix.lstrip("/") if suffix else path

    # ----------------------------------------------------------------- calls
    def request(self, method, path, params=None, body=None):
        """Send one request and return the envelope's ``data``; raise ApiError otherwise."""
        method = method.upper()
        session = self._post_session if method == "POST" else self._session
        retries = 0 if method == "POST" else self.retries
        try:
            response = session.request(method, self.base_url + path, params=params,
                                       data=json.dumps(body) if body is not None else None,
                                       headers={"Content-Type": "application/json"} if body is not None else None,
                                       timeout=self.timeout, verify=self._verify)
        except requests.exceptions.SSLError as exc:
            raise ApiError(vendor_message="TLS certificate verification failed (%s)" % _short(exc), method=method, path=path,
                           hint="set 'ca_path' to the CA bundle that signed the server certificate, "
                                "or 'validate_certs: false' for a trusted test endpoint")
        except requests.exceptions.Timeout as exc:
            raise ApiError(vendor_message="no answer within the %s s timeout" % self.timeout, method=method, path=path,
                           retries=retries, hint="raise 'timeout' or check that 'api_url' is reachable",
                           no_answer=not isinstance(exc, requests.exceptions.ConnectTimeout))
        except requests.exceptions.RetryError as exc:
            raise ApiError(vendor_message=_short(exc), method=method, path=path, retries=retries)
        except requests.exceptions.ConnectionError as exc:
            if "timed out" in str(exc):  # a read timeout that outlived its retries surfaces as ConnectionError
                raise ApiError(vendor_message="no answer within the %s s timeout" % self.timeout, method=method, path=path,
                               retries=retries, hint="raise 'timeout' or check that 'api_url' is reachable", no_answer="Read timed out" in str(exc))
            raise ApiError(vendor_message="connection failed (%s)" % _short(exc), method=method, path=path, retries=retries,
                           hint="check 'api_url' and the network path to it")
        with self._lock:
            if method == "GET":
                self.reads += 1
            else:
                self.writes += 1
            self._note_server_time(response.headers.get("Date"))
        return self._unwrap(response, method, path)

    def _note_server_time(self, header):
        stamp = http_date(header)
        if stamp is not None:
            self._server_clock = (stamp, time.monotonic())

    def server_now(self):
        """The API server's current time (naive UTC), from its last ``Date`` header; the local clock before any answer.

        Expiry windows are judged on the server's clock, since the server decides when a token expires.
        """
        if self._server_clock is None:
            return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        stamp, received = self._server_clock
        return stamp + datetime.timedelta(seconds=time.monotonic() - received)

    def _unwrap(self, response, method, path):
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if 200 <= response.status_code < 300 and isinstance(payload, dict) and payload.get("status") is not False:
            return payload.get("data")
        error = payload.get("error") if isinstance(payload, dict) else None
        retried = len(response.raw.retries.history) if getattr(getattr(response, "raw", None), "retries", None) else 0
        if isinstance(error, dict):
            raise ApiError(status=response.status_code, code=error.get("code"), vendor_message=error.get("message"),
                           method=method, path=path, retries=retried)
        reason = response.reason or "unexpected response"
        if 200 <= response.status_code < 300:
            reason = "the response is not the API's JSON envelope"
        raise ApiError(status=response.status_code, vendor_message=reason, method=method, path=path, retries=retried)

    def get(self, path, params=None):
        return self.request("GET", path, params=params)

    def post(self, path, body):
        return self.request("POST", path, body=body)

    def put(self, path, body):
        return self.request("PUT", path, body=body)

    def delete(self, path):
        return self.request("DELETE", path)

    def paginate(self, path, params=None, page_size=PAGE_SIZE, read_ahead=READ_AHEAD):
        """Yield every item of a paginated list in order, following what the server answers.

        The first page asks for ``page_size`` items; the later ones ask for the ``limit`` the server
        answered (it may cap the page size, or ignore ``limit``), so that every page number means
        what the first answer said. Once that answer tells how many pages there are, up to
        ``read_ahead`` of the next pages are fetched at the same time (GETs only, so retrying them
        is safe). The number of requests stays one per page; only their overlap changes. Pages
        beyond the first answer's count (the list grew meanwhile) are read one by one, following
        ``hasNextPage`` and ``nextPage``.
        """
        query = dict(params or {}, limit=page_size)
        data = self._page(path, query, 1)
        yield from data.get("items") or []
        answered = data.get("limit")
        if _positive_int(answered):
            query["limit"] = answered  # what the server applied: its pages are numbered in this size
        page = 1
        total = data.get("totalPages")
        if data.get("hasNextPage") and read_ahead > 1 and _positive_int(total) and total > 2:
            for data in self._read_ahead(path, query, range(2, total + 1), read_ahead):
                yield from data.get("items") or []
            page = total
        while data.get("hasNextPage"):
            following = data.get("nextPage")
            page = following if _positive_int(following) and following > page else page + 1
            data = self._page(path, query, page)
            yield from data.get("items") or []

    def _page(self, path, query, page):
        """One page of a list: the envelope's ``data``, ``{}`` when it has none."""
        data = self.get(path, params=dict(query, page=page)) or {}
        if not isinstance(data, dict):
            raise ApiError(vendor_message="a list page is not the paginated envelope", method="GET", path=path)
        return data

    def _read_ahead(self, path, query, pages, workers):
        """The pages' envelopes in order, with up to ``2 * workers`` GETs queued at a time."""
        from collections import deque  # pylint: disable=import-outside-toplevel
        from concurrent.futures import ThreadPoolExecutor  # pylint: disable=import-outside-toplevel  # only lists of 3+ pages need it

        with ThreadPoolExecutor(max_workers=workers) as pool:
            in_flight = deque()
            try:
                for page in pages:
                    in_flight.append(pool.submit(self._page, path, query, page))
                    if len(in_flight) >= workers * 2:
                        yield in_flight.popleft().result()
                while in_flight:
                    yield in_flight.popleft().result()
            finally:  # the caller stopped reading (or a page failed): send no more of the queued GETs
                for future in in_flight:
                    future.cancel()


def _positive_int(value):
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


_MONTHS = dict((name, number) for number, name in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1))
_IMF_FIXDATE_RE = re.compile(r"^[A-Z][a-z]{2}, (\d\d) ([A-Z][a-z]{2}) (\d{4}) (\d\d):(\d\d):(\d\d) GMT$")


def http_date(header):
    """An HTTP ``Date`` header as a naive UTC datetime; None when absent or unreadable.

    The form every server sends (RFC 9110 IMF-fixdate, ``Sun, 06 Nov 1994 08:49:37 GMT``) is read here;
    any other form goes to email.utils, imported only then (it costs every run about 10 ms to import).
    """
    if not header:
        return None
    match = _IMF_FIXDATE_RE.match(header)
    try:
        if match and match.group(2) in _MONTHS:
            day, month, year, hour, minute, second = match.groups()
            return datetime.datetime(int(year), _MONTHS[month], int(day), int(hour), int(minute), int(second))
        import email.utils  # pylint: disable=import-outside-toplevel
        stamp = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return None
    if stamp is not None and stamp.tzinfo is not None:
        stamp = stamp.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return stamp


def _short(exc):
    """The innermost, most specific text of a requests/urllib3 exception chain."""
    text = str(exc)
    for marker in ("Caused by ", "certificate verify failed"):
        if marker in text:
            start = text.index(marker)
            return text[start:start + 200].rstrip(")'\"")
    return text[:200]
