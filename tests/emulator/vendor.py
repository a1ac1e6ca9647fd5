"""Vendor API routes (mounted under ``/v1``): tokens, MDM users, policies, organizations."""

from __future__ import annotations

from flask import Blueprint, g, request

from .app import emulator, json_response
from .store import shuffle_key
from .render import global_policy_view, org_view, page_envelope, policy_view, token_view, user_view
from .util import (
    ALL_STATES, OID_RE, ORG_PARAM_RE, PLATFORMS, TOKEN_STATES, VISIBLE_DEFAULT, ApiError, feature_not_allowed, invalid, not_found,
)
from .validation import (
    PAGING, SEGMENT, USER_CREATE, USER_UPDATE, WINDOWS_UPDATE, check_documented_keys, check_object, json_body, parse_query, q_bool, q_enum, q_oid, q_str,
    token_create_body, token_fields,
)

vendor_bp = Blueprint("vendor", __name__)

PLATFORM_RULE = "<any(android, apple, windows, aosp):platform>"
TOKENS = f"/organizations/<org_ref>/mdm/{PLATFORM_RULE}/enterprise/enrollment-tokens"
TOKEN_ID_PARAM = {"android": "emmEnrollmentTokenId", "apple": "admEnrollmentTokenId", "windows": "winEnrollmentTokenId", "aosp": "aosEnrollmentTokenId"}
POLICY_FILTER = {"android": "emm-policy", "apple": "adm-policy", "windows": "win-policy"}
TOKEN_SORT_FIELDS = ("createdAt", "updatedAt", "expireAt", "displayName", "state", "status", "id", "_id")
USER_SORT_FIELDS = ("createdAt", "updatedAt", "email", "name", "id", "_id")
POLICY_SORT_FIELDS = ("createdAt", "updatedAt", "name", "id", "_id")


def ok(data):
    """Success envelope."""
    return json_response({"status": True, "data": data})


def _org(org_ref: str, write: bool = False):
    """Resolve the org for the authenticated account (lock held); checks the write permission."""
    if not ORG_PARAM_RE.match(org_ref):
        raise invalid("organizationId", "fails to match the required pattern")
    org = emulator().store.resolve_org(g.account, org_ref)
    if write and not g.account.can_write:
        raise ApiError(403, 4010, "Permission denied")
    return org


def _platform_on(org, platform: str, feature: str | None = None) -> None:
    if not org.feature(platform) or (feature is not None and not org.feature(feature)):
        raise feature_not_allowed()


def _check_id(value: str, name: str) -> str:
    if not OID_RE.match(value):
        raise invalid(name, "must be a valid 24-hex id")
    return value.lower()


def _check_policy_refs(org, platform: str, fields: dict) -> None:
    known = org.policies_by_id[platform]
    ids = [fields["policy_id"]] if fields.get("policy_id") else []
    ids.extend(pid for pid, _prio in fields.get("assignments") or ())
    for pid in ids:
        if pid not in known:
            raise not_found()


def _cap() -> int:
    """The page cap (contract C4: 100; V9 plays 10, 50 or 1000)."""
    return emulator().store.settings["page_cap"]


def _body():
    return json_body(request.get_data(cache=False))


# ---------------------------------------------------------------------- tokens
@vendor_bp.get(TOKENS)
def list_tokens(org_ref: str, platform: str):
    """Paginated token list (C2, C4, C5)."""
    allowed = dict(PAGING)
    if platform == "aosp":
        allowed["status"] = q_enum(TOKEN_STATES)
        allowed.update(SEGMENT)
    else:
        allowed.update({"mdm-user": q_oid, POLICY_FILTER[platform]: q_oid, "show-deleted": q_bool})
    query = parse_query(request.args, allowed, multi=("status",), sort_fields=TOKEN_SORT_FIELDS, cap=_cap())
    store = emulator().store
    settings = store.settings
    # V4: a default list (no show-deleted, no status filter) may include DELETED tokens too.
    default_states = ALL_STATES if settings["lists_include_deleted"] else VISIBLE_DEFAULT
    if platform == "aosp":
        states = frozenset(query["status"]) if query.get("status") else default_states
    else:
        states = ALL_STATES if query.get("show-deleted") else default_states
    query["states"] = states
    if not settings["ignore_filters"]:  # V1: the filters are validated, then ignored
        query["user_id"] = query.get("mdm-user")
        query["policy_id"] = query.get(POLICY_FILTER.get(platform, ""))
    query["order"] = settings["list_order"]
    with store.lock:
        store.tick()
        org = _org(org_ref)
        _platform_on(org, platform)
        items, total = store.list_tokens(org, platform, query)
        data = page_envelope([token_view(org, t, settings) for t in items], total, query["page"], query["limit"])
    return ok(data)


@vendor_bp.post(TOKENS)
def create_token(org_ref: str, platform: str):
    """Single create; returns the token."""
    store = emulator().store
    with store.lock:
        now = store.tick()
        org = _org(org_ref, write=True)
        _platform_on(org, platform)
        body = token_create_body(platform, _body(), bulk=False, strict=store.settings["strict_body_keys"])
        fields = token_fields(platform, body)
        user = store.get_user(org, body["mdmUserId"])
        _check_policy_refs(org, platform, fields)
        tok = store.create_token(org, platform, user, fields, now)
        data = token_view(org, tok, store.settings)
    return ok(data)


@vendor_bp.post(TOKENS + "/bulk")
def bulk_create(org_ref: str, platform: str):
    """Bulk create (C6): counts only; unknown e-mails become users unless the switch is off."""
    store = emulator().store
    with store.lock:
        now = store.tick()
        org = _org(org_ref, write=True)
        _platform_on(org, platform, "windows_bulk" if platform == "windows" else None)
        body = token_create_body(platform, _body(), bulk=True, strict=store.settings["strict_body_keys"])
        fields = token_fields(platform, body)
        _check_policy_refs(org, platform, fields)
        delay = store.settings["bulk_delay_seconds"]
        if delay:
            # V3: answer now, create later (a background job; the quota is checked when it runs).
            success, fail = store.schedule_bulk(org, platform, body["userEmails"], fields, delay)
        else:
            success, fail = store.bulk_create(org, platform, body["userEmails"], fields, now)
        data = {"total": len(body["userEmails"]), "success": success, "fail": fail}
    return ok(data)


@vendor_bp.get(TOKENS + "/<token_id>")
def get_token(org_ref: str, platform: str, token_id: str):
    """One token in any state."""
    store = emulator().store
    with store.lock:
        store.tick()
        org = _org(org_ref)
        _platform_on(org, platform)
        tok = store.get_token(org, platform, _check_id(token_id, TOKEN_ID_PARAM[platform]))
        data = token_view(org, tok, store.settings)
    return ok(data)


@vendor_bp.delete(TOKENS + "/<token_id>")
def delete_token(org_ref: str, platform: str, token_id: str):
    """Soft delete (C2); returns the DELETED token."""
    store = emulator().store
    with store.lock:
        now = store.tick()
        org = _org(org_ref, write=True)
        _platform_on(org, platform)
        tok = store.get_token(org, platform, _check_id(token_id, TOKEN_ID_PARAM[platform]))
        store.delete_token(tok, now)
        data = token_view(org, tok, store.settings)
    return ok(data)


@vendor_bp.put(TOKENS + "/<token_id>")
def update_token(org_ref: str, platform: str, token_id: str):
    """Windows only (C13): PENDING tokens; displayName, tags, winPolicyId, winPolicyAssignments, segmentId."""
    if platform != "windows":
        raise not_found()
    store = emulator().store
    with store.lock:
        now = store.tick()
        org = _org(org_ref, write=True)
        _platform_on(org, platform, "windows_update")
        raw = _body()
        if store.settings["strict_body_keys"]:
            check_documented_keys(platform, "update", raw)
        body = check_object(raw, WINDOWS_UPDATE)
        tok = store.get_token(org, platform, _check_id(token_id, TOKEN_ID_PARAM[platform]))
        if tok.state != "PENDING":
            raise ApiError(400, 5120, "Error updating entity")
        fields = token_fields(platform, body)
        _check_policy_refs(org, platform, fields)
        store.update_token(org, tok, fields, now)
        data = token_view(org, tok, store.settings)
    return ok(data)


# ---------------------------------------------------------------------- MDM users
USERS = "/organizations/<org_ref>/mdm/users"


@vendor_bp.get(USERS)
def list_users(org_ref: str):
    """Users; ``email`` exact and case-insensitive, ``search``/``name`` partial (C12)."""
    allowed = dict(PAGING, search=q_str(128), email=q_str(128), name=q_str(128), tags=None)
    query = parse_query(request.args, allowed, multi=("tags",), sort_fields=USER_SORT_FIELDS, cap=_cap())
    filters = {k: query[k] for k in ("search", "email", "name", "tags") if query.get(k) is not None}
    store = emulator().store
    with store.lock:
        store.tick()
        org = _org(org_ref)
        items, total = store.list_users(org, query["page"], query["limit"], query["sort"], query["desc"], filters,
                                        store.settings["list_order"])
        data = page_envelope([user_view(org, u) for u in items], total, query["page"], query["limit"])
    return ok(data)


@vendor_bp.post(USERS)
def create_user(org_ref: str):
    """Create a user (400 / 5048 if the e-mail exists)."""
    store = emulator().store
    with store.lock:
        now = store.tick()
        org = _org(org_ref, write=True)
        body = check_object(_body(), USER_CREATE)
        email = body.pop("email")
        user = store.create_user(org, email, now, **body)
        data = user_view(org, user)
    return ok(data)


@vendor_bp.get(USERS + "/tags")
def user_tags(org_ref: str):
    """Distinct user tags, sorted."""
    parse_query(request.args, {})
    store = emulator().store
    with store.lock:
        org = _org(org_ref)
        tags = sorted({tag for user in org.users_by_id.values() for tag in user.tags})
    return ok(tags)


@vendor_bp.get(USERS + "/<user_id>")
def get_user(org_ref: str, user_id: str):
    """One user."""
    store = emulator().store
    with store.lock:
        store.tick()
        org = _org(org_ref)
        user = store.get_user(org, _check_id(user_id, "mdmUserId"))
        data = user_view(org, user)
    return ok(data)


@vendor_bp.put(USERS + "/<user_id>")
def update_user(org_ref: str, user_id: str):
    """Update name, managedAppleId, tags, language, metadata (email is immutable)."""
    store = emulator().store
    with store.lock:
        now = store.tick()
        org = _org(org_ref, write=True)
        body = check_object(_body(), USER_UPDATE)
        user = store.get_user(org, _check_id(user_id, "mdmUserId"))
        store.update_user(user, body, now)
        data = user_view(org, user)
    return ok(data)


@vendor_bp.delete(USERS + "/<user_id>")
def delete_user(org_ref: str, user_id: str):
    """Hard delete, refused with 400 / 5055 while PENDING tokens exist."""
    store = emulator().store
    with store.lock:
        store.tick()
        org = _org(org_ref, write=True)
        user = store.get_user(org, _check_id(user_id, "mdmUserId"))
        store.delete_user(org, user)
    return ok({"delete": True})


# ---------------------------------------------------------------------- policies
def _policy_page(rows: list, query: dict, render):
    order = emulator().store.settings["list_order"]
    key = {"updatedAt": lambda p: p.updated_ms, "name": lambda p: p.name, "id": lambda p: p.id, "_id": lambda p: p.id}.get(query["sort"])
    rows = sorted(rows, key=lambda p: p.created_ms)
    if order == "shuffled":
        rows.sort(key=shuffle_key)
    elif order == "created_desc":
        if key is not None:
            rows.sort(key=key)
        if query["desc"]:
            rows.reverse()
    start = (query["page"] - 1) * query["limit"]
    items = [render(p) for p in rows[start:start + query["limit"]]]
    return page_envelope(items, len(rows), query["page"], query["limit"])


def _name_matches(pol, name) -> bool:
    return name is None or name.lower() in pol.name.lower()


@vendor_bp.get(f"/organizations/<org_ref>/mdm/{PLATFORM_RULE}/enterprise/policies")
def list_platform_policies(org_ref: str, platform: str):
    """Platform policy list; ``name`` matches partially and case-insensitively."""
    allowed = dict(PAGING, name=q_str(256))
    if platform == "apple":
        allowed.update(SEGMENT, targetType=q_str(64))
    elif platform == "aosp":
        allowed.update(SEGMENT)
    query = parse_query(request.args, allowed, sort_fields=POLICY_SORT_FIELDS, cap=_cap())
    store = emulator().store
    with store.lock:
        org = _org(org_ref)
        rows = [p for p in org.policies[platform] if _name_matches(p, query.get("name"))
                and query.get("targetType") in (None, p.target_type)]
        data = _policy_page(rows, query, lambda p: policy_view(org, p))
    return ok(data)


@vendor_bp.get("/organizations/<org_ref>/mdm/policies")
def list_global_policies(org_ref: str):
    """Cross-platform list (android, apple, windows; no AOSP)."""
    allowed = dict(PAGING, type=q_enum(("android", "apple", "windows")), name=q_str(256), policyId=q_oid, search=q_str(256), **SEGMENT)
    query = parse_query(request.args, allowed, sort_fields=POLICY_SORT_FIELDS, cap=_cap())
    store = emulator().store
    with store.lock:
        org = _org(org_ref)
        rows = []
        for platform in PLATFORMS:
            if platform == "aosp" or query.get("type") not in (None, platform):
                continue
            rows.extend(p for p in org.policies[platform] if _name_matches(p, query.get("name"))
                        and _name_matches(p, query.get("search")) and query.get("policyId") in (None, p.id))
        data = _policy_page(rows, query, global_policy_view)
    return ok(data)


# ---------------------------------------------------------------------- organizations
@vendor_bp.get("/organizations")
def list_orgs():
    """Organizations visible to the caller; ``name`` partial, ``slug`` exact."""
    query = parse_query(request.args, dict(PAGING, name=q_str(128), slug=q_str(128)), sort_fields=("createdAt", "name", "slug"), cap=_cap())
    store = emulator().store
    with store.lock:
        rows = [o for o in store.orgs.values() if o.id in g.account.org_ids
                and (query.get("name") is None or query["name"].lower() in o.name.lower())
                and query.get("slug") in (None, o.slug)]
        rows.sort(key=lambda o: (o.created_ms, o.id))
        if query["sort"] in ("name", "slug"):
            rows.sort(key=lambda o: getattr(o, query["sort"]))
        if query["desc"]:
            rows.reverse()
        start = (query["page"] - 1) * query["limit"]
        data = page_envelope([org_view(o) for o in rows[start:start + query["limit"]]], len(rows), query["page"], query["limit"])
    return ok(data)


@vendor_bp.get("/organizations/<org_ref>")
def get_org(org_ref: str):
    """Organization by id or slug."""
    store = emulator().store
    with store.lock:
        data = org_view(_org(org_ref))
    return ok(data)
