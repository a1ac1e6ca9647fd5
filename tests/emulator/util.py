"""Shared helpers: errors, clock, timestamps, ids and constants."""

from __future__ import annotations

import datetime
import itertools
import re
import threading
import time

PLATFORMS = ("android", "apple", "windows", "aosp")
TOKEN_STATES = ("PENDING", "PROCESSING", "DONE", "DELETED", "EXPIRED")
VISIBLE_DEFAULT = frozenset(s for s in TOKEN_STATES if s != "DELETED")
ALL_STATES = frozenset(TOKEN_STATES)
WRITE_METHODS = frozenset(("POST", "PUT", "PATCH", "DELETE"))

OID_RE = re.compile(r"^[a-fA-F0-9]{24}$")
ORG_PARAM_RE = re.compile(r"^(([a-fA-F0-9]{24})|([a-zA-Z0-9\-]{3,}))$")
EMAIL_RE = re.compile(r"^[^@\s\"<>(),;:\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")

DEFAULT_DURATION = 86400
MIN_DURATION = 60
MAX_DURATION = 2592000


class ApiError(Exception):
    """A vendor error answered as ``{"status": false, "error": {"code", "message"}}``."""

    def __init__(self, http_status: int, code: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.http_status = http_status
        self.code = code
        self.message = message
        self.headers = headers or {}


def not_found() -> ApiError:
    """404 / 3001 Entity not found."""
    return ApiError(404, 3001, "Entity not found")


def invalid(field: str, problem: str) -> ApiError:
    """400 / 5209 Invalid input: <field> <problem>."""
    return ApiError(400, 5209, f"Invalid input: {field} {problem}")


def limit_exceeded() -> ApiError:
    """400 / 5017 Limit Exceeded."""
    return ApiError(400, 5017, "Limit Exceeded")


def feature_not_allowed() -> ApiError:
    """400 / 5050 plan feature off (the vendor's typo kept on purpose)."""
    return ApiError(400, 5050, "Feature not allowed for you billing plan")


class Clock:
    """Emulator time: real UTC now plus an adjustable offset in seconds."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    @property
    def offset(self) -> float:
        """Current offset in seconds."""
        return self._offset

    def set_offset(self, seconds: float) -> None:
        """Replace the offset."""
        with self._lock:
            self._offset = float(seconds)

    def advance(self, seconds: float) -> None:
        """Move emulator time by ``seconds`` (may be negative)."""
        with self._lock:
            self._offset += float(seconds)

    def now_ms(self) -> int:
        """Emulator time in integer milliseconds since the epoch."""
        return int((time.time() + self._offset) * 1000)


def iso(ms: int) -> str:
    """Format epoch milliseconds as ISO-8601 UTC with milliseconds and a ``Z``."""
    t = time.gmtime(ms // 1000)
    return f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}.{ms % 1000:03d}Z"


def parse_iso(value: str) -> int:
    """Parse an ISO-8601 timestamp (``Z`` or offset; naive = UTC) into epoch milliseconds."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return int(round(parsed.timestamp() * 1000))


_ID_COUNTER = itertools.count(1)


def new_id(now_ms: int) -> str:
    """Mongo-style 24-hex id: 4 bytes of seconds, a fixed marker byte, a process-wide counter."""
    return f"{(now_ms // 1000) & 0xFFFFFFFF:08x}e1{next(_ID_COUNTER):014x}"
