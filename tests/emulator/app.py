"""Flask application: cross-cutting request handling (faults, rate limit, auth, request log).

Vendor routes live in ``vendor.py`` (``/v1``), control routes in ``control.py`` (``/_emulator``).
"""

from __future__ import annotations

import copy
import json
import sys
import time
import traceback

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import http_date

from .faults import FaultEngine, RateLimiter, RequestLog
from .settings import defaults as default_settings
from .store import Store
from .util import ApiError, Clock, iso

ABORT_KEY = "emulator.abort_connection"

PROXY_PAGES = {
    500: "500 Internal Server Error",
    502: "502 Bad Gateway",
    503: "503 Service Temporarily Unavailable",
}


class Emulator:
    """Everything one emulator process holds: clock, store, faults, rate limiter, request log."""

    def __init__(self, seed: dict) -> None:
        self.startup_seed = copy.deepcopy(seed)
        self.clock = Clock()
        self.store = Store(self.clock)
        self.faults = FaultEngine()
        self.limiter = RateLimiter()
        self.log = RequestLog()
        self.store.load(seed)

    def reset(self) -> None:
        """Back to the startup seed; clears log, clock offset, faults, rate limit and settings."""
        with self.store.lock:
            self.clock.set_offset(0)
            self.faults.clear()
            self.limiter.clear()
            self.log.clear()
            self.store.change_settings(default_settings())
            self.store.load(copy.deepcopy(self.startup_seed))


def json_response(payload, status: int = 200, headers=None) -> Response:
    """Compact JSON response."""
    body = json.dumps(payload, separators=(",", ":"))
    return Response(body, status=status, headers=headers, content_type="application/json; charset=utf-8")


def error_response(err: ApiError) -> Response:
    """Vendor error envelope."""
    return json_response({"status": False, "error": {"code": err.code, "message": err.message}}, err.http_status, err.headers)


def proxy_page(status: int) -> Response:
    """Non-JSON page such as a reverse proxy sends for 5xx."""
    title = PROXY_PAGES.get(status, f"{status} Error")
    html = (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n"
            "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
    return Response(html, status=status, content_type="text/html")


def emulator() -> Emulator:
    """The Emulator bound to the current Flask app."""
    return current_app.extensions["emulator"]


def _bearer():
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        header = header[7:]
    header = header.strip()
    return header or None


def _too_many(retry_after) -> Response:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return error_response(ApiError(429, 4029, "Too many requests", headers))


def _before_vendor():
    path = request.path
    if not (path == "/v1" or path.startswith("/v1/")):
        return None
    emu = emulator()
    g.v1 = True
    g.t0 = time.perf_counter()
    g.when = iso(emu.clock.now_ms())
    g.fault = None
    g.commit_then_fail = False
    method = request.method
    kind = emu.faults.draw(method, path)
    if kind is not None:
        g.fault = kind
        plan = emu.faults.plan or {}
        if kind == "latency":
            time.sleep(plan.get("latency_ms", 200) / 1000.0)
        elif kind == "429":
            return _too_many(plan.get("retry_after", 1))
        elif kind == "429_no_retry_after":
            return _too_many(None)
        elif kind in ("500", "502", "503"):
            return proxy_page(int(kind))
        elif kind == "reset":
            request.environ[ABORT_KEY] = True
            return Response(b"", status=500)
        elif kind == "commit_then_fail":
            g.commit_then_fail = True
    token = _bearer()
    if token is not None:
        allowed, retry_after = emu.limiter.take(token)
        if not allowed:
            return _too_many(retry_after)
    if token is None:
        return error_response(ApiError(401, 4002, "No auth token"))
    account = emu.store.accounts.get(token)
    if account is None:
        return error_response(ApiError(401, 4004, "Invalid Token"))
    g.account = account
    return None


def _after_vendor(response: Response) -> Response:
    if not g.get("v1"):
        return response
    if g.get("commit_then_fail"):
        # Only a write that was committed (2xx) loses its answer; anything else goes through unchanged.
        if 200 <= response.status_code < 300:
            emulator().faults.count("commit_then_fail")
            response = proxy_page(502)
        else:
            g.fault = None
    # The Date header follows the emulator's clock (offset included), as a real server's follows its own.
    response.headers["Date"] = http_date(emulator().clock.now_ms() / 1000.0)
    aborted = bool(request.environ.get(ABORT_KEY))
    query = {k: (v[0] if len(v) == 1 else v) for k, v in request.args.lists()}
    emulator().log.append({
        "method": request.method,
        "path": request.path,
        "query": query,
        "status": 0 if aborted else response.status_code,
        "time": g.when,
        "duration_ms": round((time.perf_counter() - g.t0) * 1000.0, 3),
        "fault": g.get("fault"),
    })
    return response


def _http_error(exc: HTTPException) -> Response:
    if request.path.startswith("/_emulator"):
        return json_response({"error": exc.description or exc.name}, exc.code or 500)
    if exc.code in (404, 405):
        return error_response(ApiError(404, 3001, "Entity not found"))
    if exc.code == 413:
        return error_response(ApiError(400, 5209, "Invalid input: body is too large"))
    return error_response(ApiError(exc.code or 500, 5209, f"Invalid input: {exc.name}"))


def _internal_error(exc: Exception) -> Response:
    traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    if request.path.startswith("/_emulator"):
        return json_response({"error": f"internal error: {exc}"}, 500)
    return error_response(ApiError(500, 5000, "Internal server error"))


def create_app(seed: dict) -> Flask:
    """Build the Flask application around a fresh Emulator loaded with ``seed``."""
    from .control import control_bp  # pylint: disable=import-outside-toplevel
    from .vendor import vendor_bp  # pylint: disable=import-outside-toplevel

    app = Flask("emulator")
    app.json.sort_keys = False
    app.url_map.strict_slashes = False
    app.extensions["emulator"] = Emulator(seed)
    app.before_request(_before_vendor)
    app.after_request(_after_vendor)
    app.register_error_handler(ApiError, error_response)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _internal_error)
    app.register_blueprint(vendor_bp, url_prefix="/v1")
    app.register_blueprint(control_bp, url_prefix="/_emulator")
    app.wsgi_app = _StripTrailingSlash(app.wsgi_app)
    return app


class _StripTrailingSlash:
    """WSGI middleware: ``/v1/.../enrollment-tokens/`` is served like the path without the slash."""

    def __init__(self, wrapped) -> None:
        self.wrapped = wrapped

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if len(path) > 1 and path.endswith("/"):
            environ["PATH_INFO"] = path.rstrip("/") or "/"
        return self.wrapped(environ, start_response)
