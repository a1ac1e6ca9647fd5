"""Control API (``/_emulator``): no auth, JSON in/out, never written to the request log."""

from __future__ import annotations

import json

from flask import Blueprint, request

from .app import emulator, json_response
from .faults import ControlError
from .render import token_view, user_view
from .seed import SeedError, check_seed
from .settings import apply_changes, variants_view
from .util import OID_RE, PLATFORMS, ApiError, iso, new_id

control_bp = Blueprint("control", __name__)


@control_bp.errorhandler(ControlError)
def _control_error(exc: ControlError):
    return json_response({"error": str(exc)}, 400)


@control_bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    return json_response({"error": exc.message, "code": exc.code}, exc.http_status)


def _body(required: bool = True):
    raw = request.get_data(cache=False)
    if not raw.strip():
        if required:
            raise ControlError("a JSON body is required")
        return {}
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ControlError(f"body is not valid JSON: {exc}") from exc


def _int_arg(name: str, default: int = 0) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ControlError(f"{name} must be an integer") from exc


def _number(body, key: str) -> float:
    value = body.get(key) if isinstance(body, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ControlError(f"{key} must be a number")
    return float(value)


def _org_and_platform(source: dict, need_platform: bool = True):
    store = emulator().store
    ref = source.get("organization")
    if not ref:
        raise ControlError("organization is required")
    org = store.orgs.get(str(ref).lower()) or store.orgs_by_slug.get(str(ref))
    if org is None:
        raise ControlError(f"unknown organization {ref!r}")
    platform = source.get("platform")
    if need_platform and platform not in PLATFORMS:
        raise ControlError(f"platform must be one of {list(PLATFORMS)}")
    return org, platform


@control_bp.get("/health")
def health():
    """Liveness probe."""
    return json_response({"ok": True})


@control_bp.post("/reset")
def reset():
    """Back to the startup seed; clears log, clock, faults, rate limit, settings."""
    emulator().reset()
    return json_response({"ok": True})


@control_bp.post("/reseed")
def reseed():
    """Replace the data with the posted seed (log, clock, faults, rate limit and settings are kept)."""
    seed = _body()
    try:
        check_seed(seed)
    except SeedError as exc:
        raise ControlError(f"bad seed: {exc}") from exc
    store = emulator().store
    with store.lock:
        store.load(seed)
    return json_response({"ok": True})


@control_bp.get("/requests")
def requests_log():
    """Request log entries with seq > since."""
    log = emulator().log
    since = _int_arg("since")
    last = log.last_seq
    return json_response({"items": log.since(since), "last_seq": last})


@control_bp.get("/requests/summary")
def requests_summary():
    """Counts of reads and writes since a sequence number."""
    return json_response(emulator().log.summary(_int_arg("since")))


@control_bp.delete("/requests")
def requests_clear():
    """Forget all entries (sequence numbers keep growing)."""
    log = emulator().log
    log.clear()
    return json_response({"ok": True, "last_seq": log.last_seq})


def _clock_state():
    clock = emulator().clock
    return json_response({"offset_seconds": clock.offset, "now": iso(clock.now_ms())})


@control_bp.get("/clock")
def clock_get():
    """Clock offset and emulator now."""
    return _clock_state()


@control_bp.put("/clock")
def clock_put():
    """Set the clock offset in seconds."""
    emulator().clock.set_offset(_number(_body(), "offset_seconds"))
    return _clock_state()


@control_bp.post("/clock/advance")
def clock_advance():
    """Move emulator time forward (or back with a negative value)."""
    emulator().clock.advance(_number(_body(), "seconds"))
    return _clock_state()


@control_bp.get("/settings")
def settings_get():
    """Behaviour switches."""
    return json_response(dict(emulator().store.settings))


@control_bp.put("/settings")
def settings_put():
    """Change behaviour switches (see settings.SPEC); ``{"variant": "V5"}`` applies a §8.1 preset."""
    body = _body()
    store = emulator().store
    with store.lock:
        store.change_settings(apply_changes(store.settings, body))
        return json_response(dict(store.settings))


@control_bp.get("/variants")
def variants():
    """The §8.1 presets: ``{"V1": {"settings": {...}, "plays": "..."}, ...}``."""
    return json_response(variants_view())


@control_bp.route("/faults", methods=["GET", "PUT", "DELETE"])
def faults():
    """Fault plan: GET plan and counters, PUT a plan, DELETE it."""
    engine = emulator().faults
    if request.method == "PUT":
        engine.configure(_body())
    elif request.method == "DELETE":
        engine.clear()
    return json_response(engine.snapshot())


@control_bp.route("/rate_limit", methods=["GET", "PUT", "DELETE"])
def rate_limit():
    """Per-token token bucket: GET, PUT ``{per_token_rps, burst}``, DELETE."""
    limiter = emulator().limiter
    if request.method == "PUT":
        limiter.configure(_body())
    elif request.method == "DELETE":
        limiter.clear()
    return json_response(limiter.snapshot())


@control_bp.get("/state/tokens")
def state_tokens():
    """Every token (DELETED included) of an org/platform, unpaged, in the vendor read shape."""
    store = emulator().store
    with store.lock:
        store.tick()
        org, platform = _org_and_platform(request.args)
        rows = store.all_tokens(org, platform, request.args.get("email"))
        items = [token_view(org, t) for t in rows]
    return json_response({"items": items, "total": len(items)})


@control_bp.get("/state/users")
def state_users():
    """Every MDM user of an org in the vendor read shape."""
    store = emulator().store
    with store.lock:
        store.tick()
        org, _platform = _org_and_platform(request.args, need_platform=False)
        items = [user_view(org, u) for u in org.user_index.iter_items(("ALIVE",))]
    return json_response({"items": items, "total": len(items)})


@control_bp.post("/state/tokens")
def inject_tokens():
    """Fast token injection: ``{organization, platform, tokens: [...], create_users}`` -> ids."""
    body = _body()
    if not isinstance(body, dict):
        raise ControlError("body must be an object")
    tokens = body.get("tokens")
    if not isinstance(tokens, list) or not all(isinstance(t, dict) for t in tokens):
        raise ControlError("tokens must be a list of objects")
    create_users = body.get("create_users", True)
    if not isinstance(create_users, bool):
        raise ControlError("create_users must be a boolean")
    store = emulator().store
    with store.lock:
        now = store.tick()
        org, platform = _org_and_platform(body)
        ids = store.inject_tokens(org, platform, tokens, create_users, now)
    return json_response({"ids": ids, "count": len(ids)})


@control_bp.post("/state/tokens/enroll")
def enroll_token():
    """A device enrolls with a token (V10): ``{organization, platform, token_id, state, device_id}`` -> the token."""
    body = _body()
    if not isinstance(body, dict):
        raise ControlError("body must be an object")
    unknown = set(body) - {"organization", "platform", "token_id", "state", "device_id"}
    if unknown:
        raise ControlError(f"unknown keys {sorted(unknown)}")
    state = body.get("state", "DONE")
    if state not in ("DONE", "PROCESSING"):
        raise ControlError("state must be DONE or PROCESSING")
    token_id = body.get("token_id")
    if not isinstance(token_id, str) or not OID_RE.match(token_id):
        raise ControlError("token_id must be a 24-hex id")
    device_id = body.get("device_id")
    if device_id is not None and (not isinstance(device_id, str) or not OID_RE.match(device_id)):
        raise ControlError("device_id must be a 24-hex id")
    store = emulator().store
    with store.lock:
        now = store.tick()
        org, platform = _org_and_platform(body)
        tok = org.tokens_by_id[platform].get(token_id.lower())
        if tok is None:
            raise ControlError(f"no {platform} token {token_id} in {org.slug}")
        store.enroll_token(tok, state, device_id.lower() if device_id else new_id(now), now)
        data = token_view(org, tok, store.settings)
    return json_response(data)


@control_bp.get("/jobs")
def jobs():
    """Pending V3 bulk jobs: ``{"pending": n}``."""
    store = emulator().store
    with store.lock:
        return json_response({"pending": len(store.jobs)})


@control_bp.post("/jobs/run")
def jobs_run():
    """Run every pending V3 bulk job now: ``{"created": n, "pending": 0}``."""
    store = emulator().store
    created = store.run_jobs()
    with store.lock:
        return json_response({"created": created, "pending": len(store.jobs)})
