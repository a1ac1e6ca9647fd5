"""Fault injection plan, per-token rate limiter and the request log."""

from __future__ import annotations

import math
import random
import re
import threading
import time

from .util import WRITE_METHODS

FAULT_KINDS = ("429", "429_no_retry_after", "500", "502", "503", "reset", "latency", "commit_then_fail")
PLAN_KEYS = {"seed", "rates", "latency_ms", "retry_after", "methods", "path_regex"}


class ControlError(ValueError):
    """Bad control-API input (answered 400 ``{"error": ...}``)."""


class FaultEngine:
    """Deterministic fault plan: one ``random.Random(seed)`` draw per matching /v1 request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.plan = None
        self._rng = None
        self._regex = None
        self._cumulative: list = []
        self.counters = dict.fromkeys(FAULT_KINDS, 0)
        self.draws = 0

    def clear(self) -> None:
        """Remove the plan and zero the counters."""
        with self._lock:
            self.plan = None
            self._rng = None
            self._regex = None
            self._cumulative = []
            self.counters = dict.fromkeys(FAULT_KINDS, 0)
            self.draws = 0

    def configure(self, body) -> None:
        """Install a plan (see README.md); raises ControlError on bad input."""
        if not isinstance(body, dict):
            raise ControlError("fault plan must be an object")
        unknown = set(body) - PLAN_KEYS
        if unknown:
            raise ControlError(f"unknown fault plan keys: {sorted(unknown)}")
        rates = body.get("rates") or {}
        if not isinstance(rates, dict) or set(rates) - set(FAULT_KINDS):
            raise ControlError(f"rates must map some of {list(FAULT_KINDS)} to probabilities")
        total = 0.0
        cumulative = []
        for kind in FAULT_KINDS:
            rate = rates.get(kind, 0)
            if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
                raise ControlError(f"rate {kind} must be a number in [0, 1]")
            total += rate
            cumulative.append((total, kind))
        if total > 1.0 + 1e-9:
            raise ControlError("the sum of the rates must not exceed 1")
        methods = body.get("methods")
        if methods is not None and (not isinstance(methods, list) or not all(isinstance(m, str) for m in methods)):
            raise ControlError("methods must be a list of HTTP methods")
        regex = None
        if body.get("path_regex") is not None:
            try:
                regex = re.compile(str(body["path_regex"]))
            except re.error as exc:
                raise ControlError(f"bad path_regex: {exc}") from exc
        plan = {
            "seed": body.get("seed", 0),
            "rates": {k: rates.get(k, 0) for k in FAULT_KINDS},
            "latency_ms": _non_negative_int(body.get("latency_ms", 200), "latency_ms"),
            "retry_after": _non_negative_int(body.get("retry_after", 1), "retry_after"),
            "methods": [m.upper() for m in methods] if methods is not None else None,
            "path_regex": body.get("path_regex"),
        }
        with self._lock:
            self.plan = plan
            self._rng = random.Random(plan["seed"])
            self._regex = regex
            self._cumulative = cumulative
            self.counters = dict.fromkeys(FAULT_KINDS, 0)
            self.draws = 0

    def snapshot(self) -> dict:
        """Plan plus per-kind counters of injected faults."""
        with self._lock:
            return {"plan": self.plan, "counters": dict(self.counters), "draws": self.draws}

    def draw(self, method: str, path: str):
        """Fault kind for this request, or None. ``commit_then_fail`` only applies to writes."""
        plan = self.plan
        if plan is None:
            return None
        if plan["methods"] is not None and method not in plan["methods"]:
            return None
        with self._lock:
            if self._rng is None or (self._regex is not None and not self._regex.search(path)):
                return None
            roll = self._rng.random()
            self.draws += 1
            kind = None
            for bound, name in self._cumulative:
                if roll < bound:
                    kind = name
                    break
            if kind == "commit_then_fail" and method not in WRITE_METHODS:
                kind = None
            if kind is not None and kind != "commit_then_fail":
                self.counters[kind] += 1
            return kind

    def count(self, kind: str) -> None:
        """Count a fault applied after the fact (``commit_then_fail`` once the write succeeded)."""
        with self._lock:
            self.counters[kind] += 1


class RateLimiter:
    """Token bucket per bearer token (keys are kept in memory only, never exposed)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.config = None
        self._buckets: dict = {}

    def configure(self, body) -> None:
        """``{"per_token_rps": N, "burst": M}``."""
        if not isinstance(body, dict) or set(body) - {"per_token_rps", "burst"}:
            raise ControlError("rate_limit takes per_token_rps and burst")
        rps = body.get("per_token_rps")
        if isinstance(rps, bool) or not isinstance(rps, (int, float)) or rps <= 0:
            raise ControlError("per_token_rps must be a positive number")
        burst = body.get("burst", max(1, int(math.ceil(rps))))
        if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
            raise ControlError("burst must be a positive integer")
        with self._lock:
            self.config = {"per_token_rps": rps, "burst": burst}
            self._buckets = {}

    def clear(self) -> None:
        """Disable rate limiting."""
        with self._lock:
            self.config = None
            self._buckets = {}

    def snapshot(self) -> dict:
        """Current configuration (``enabled`` false when off)."""
        with self._lock:
            if self.config is None:
                return {"enabled": False, "per_token_rps": None, "burst": None}
            return dict(self.config, enabled=True)

    def take(self, key: str):
        """Consume one request for ``key``: (allowed, retry_after_seconds)."""
        config = self.config
        if config is None:
            return True, 0
        now = time.monotonic()
        with self._lock:
            rps, burst = config["per_token_rps"], config["burst"]
            tokens, last = self._buckets.get(key, (float(burst), now))
            tokens = min(float(burst), tokens + (now - last) * rps)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return True, 0
            self._buckets[key] = (tokens, now)
            return False, max(1, int(math.ceil((1.0 - tokens) / rps)))


class RequestLog:
    """Append-only log of /v1 requests with process-wide monotonic sequence numbers."""

    MAX_ENTRIES = 200_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list = []
        self._base = 1
        self._next = 1

    def append(self, entry: dict) -> int:
        """Store ``entry`` (seq is assigned here)."""
        with self._lock:
            seq = self._next
            self._next += 1
            entry["seq"] = seq
            self._entries.append(entry)
            if len(self._entries) > self.MAX_ENTRIES:
                drop = len(self._entries) - self.MAX_ENTRIES // 2
                del self._entries[:drop]
                self._base += drop
            return seq

    def clear(self) -> None:
        """Forget the entries (sequence numbers keep increasing)."""
        with self._lock:
            self._base = self._next
            self._entries = []

    @property
    def last_seq(self) -> int:
        """Sequence number of the newest entry ever logged (0 if none)."""
        return self._next - 1

    def since(self, seq: int) -> list:
        """Entries with ``seq`` greater than the argument."""
        with self._lock:
            start = max(0, seq + 1 - self._base)
            return list(self._entries[start:])

    def summary(self, seq: int) -> dict:
        """Counts of reads / writes / per method since ``seq``."""
        entries = self.since(seq)
        by_method: dict = {}
        writes = 0
        for entry in entries:
            by_method[entry["method"]] = by_method.get(entry["method"], 0) + 1
            if entry["method"] in WRITE_METHODS:
                writes += 1
        return {"reads": len(entries) - writes, "writes": writes, "by_method": by_method, "last_seq": self.last_seq}


def _non_negative_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ControlError(f"{name} must be a non-negative number")
    return int(value)
