"""Vendor read models (JSON-ready dicts) for tokens, users, policies and organizations."""

from __future__ import annotations

from .util import iso

LINK_HOST = "https://mdm.emulator.applivery.invalid"
AOSP_HOST = "aosp.emulator.applivery.invalid"


def page_envelope(items: list, total: int, page: int, limit: int) -> dict:
    """mongoose-paginate-v2 style ``data`` object."""
    total_pages = max(1, -(-total // limit))
    has_prev = page > 1
    has_next = page < total_pages
    return {
        "items": items,
        "totalDocs": total,
        "limit": limit,
        "page": page,
        "totalPages": total_pages,
        "pagingCounter": (page - 1) * limit + 1,
        "hasPrevPage": has_prev,
        "hasNextPage": has_next,
        "prevPage": page - 1 if has_prev else None,
        "nextPage": page + 1 if has_next else None,
        "lean": True,
    }


def token_view(org, tok, settings=None) -> dict:
    """Read model of ``tok`` in the shape of its platform (contract C1).

    ``settings`` None (the control API) or default values give the documented shapes; ``expiry_shape`` (V5),
    ``user_shape`` (V6) and ``echo`` (V7) then reshape the same token.
    """
    out = _RENDERERS[tok.platform](org, tok)
    if settings:
        shape = settings.get("expiry_shape", "default")
        if shape != "default":
            _reshape_expiry(out, tok, shape)
        if settings.get("user_shape", "default") == "id_only":
            out.pop("mdmUser", None)
            out["mdmUserId"] = tok.user_id
        echo = settings.get("echo", "default")
        if echo != "default":
            _reshape_echo(org, out, tok, echo)
    return out


# Where each platform's default read model carries the expiry: (key path, ...)
EXPIRY_PATHS = {
    "android": (("config", "expirationTimestamp"), ("summary", "expirationTimestamp")),
    "apple": (("expireAt",), ("summary", "expirationTimestamp"), ("enroll", "serverExpirationDate")),
    "windows": (("expireAt",), ("summary", "expirationTimestamp")),
    "aosp": (("summary", "expirationTimestamp"),),
}
ASSIGNMENTS_KEY = {"android": "emmPolicyAssignments", "apple": "admPolicyAssignments", "windows": "winPolicyAssignments",
                   "aosp": "aosPolicyAssignments"}
ECHO_NONE_KEYS = ("segmentId", "managementMode", "language", "emailText", "dpcBuildTag", "pushNotificationProvider",
                  "admPolicy", "winPolicyId")


def _reshape_expiry(out: dict, tok, shape: str) -> None:
    """V5: ``summary_only``, ``config_only`` or ``none`` (a perpetual token has no expiry in any shape)."""
    for path in EXPIRY_PATHS[tok.platform]:
        holder = out
        for key in path[:-1]:
            holder = holder.get(key) or {}
        holder.pop(path[-1], None)
    if tok.expire_ms is None or shape == "none":
        return
    where = "summary" if shape == "summary_only" else "config"
    out.setdefault(where, {})["expirationTimestamp"] = iso(tok.expire_ms)


def _reshape_echo(org, out: dict, tok, echo: str) -> None:
    """V7: ``other_type`` (numbers as strings), ``assignments_only`` (no primary policy key), ``none`` (no echo)."""
    list_key = ASSIGNMENTS_KEY[tok.platform]
    if echo == "other_type":
        if out.get("segmentId") is not None:
            out["segmentId"] = str(out["segmentId"])
        for item in out.get(list_key) or ():
            item["priority"] = str(item["priority"])
    elif echo == "assignments_only":
        if tok.policy_id and tok.policy_id not in [pid for pid, _prio in tok.assignments]:
            out[list_key] = [_assignment(org, tok.platform, tok.policy_id, 0)] + out[list_key]
        if tok.platform == "apple":
            out["admPolicy"] = None
        out.pop("winPolicyId", None)
    else:  # none
        for key in ECHO_NONE_KEYS:
            out.pop(key, None)
        if isinstance(out.get("summary"), dict):
            out["summary"].pop("managementMode", None)
        out[list_key] = []


def _common(tok, out: dict) -> dict:
    if tok.display_name is not None:
        out["displayName"] = tok.display_name
    out["tags"] = list(tok.tags)
    if tok.language is not None:
        out["language"] = tok.language
    if tok.email_text is not None:
        out["emailText"] = tok.email_text
    if tok.segment_id is not None:
        out["segmentId"] = str(tok.segment_id) if tok.platform == "windows" else int(tok.segment_id)
    out["createdAt"] = iso(tok.created_ms)
    out["updatedAt"] = iso(tok.updated_ms)
    return out


def _policy_ref(org, platform: str, pid: str, with_version: bool = False) -> dict:
    pol = org.policies_by_id[platform].get(pid)
    ref = {"id": pid, "name": pol.name if pol else ""}
    if with_version:
        ref["version"] = str(pol.version if pol else 1)
    return ref


_ASSIGNMENT_KEYS = {"android": ("emmPolicyId", "emmPolicy"), "apple": ("admPolicyId", "admPolicy"),
                    "windows": ("winPolicyId", "winPolicy"), "aosp": ("aosPolicyId", "aosPolicy")}


def _assignment(org, platform: str, pid: str, prio) -> dict:
    id_key, ref_key = _ASSIGNMENT_KEYS[platform]
    return {id_key: pid, ref_key: _policy_ref(org, platform, pid, platform == "aosp"), "priority": prio}


def _expire(tok):
    return iso(tok.expire_ms) if tok.expire_ms is not None else None


def _android(org, tok) -> dict:
    """The seed 001 create response (reference §2.2): no expireAt, no policyId, no qrCode."""
    expire = _expire(tok)
    out = {
        "id": tok.id,
        "organization": org.id,
        "emmEnterprise": org.enterprises["android"],
        "emmPolicyAssignments": [_assignment(org, "android", pid, prio) for pid, prio in tok.assignments],
        "mdmUser": {"id": tok.user_id, "email": tok.user_email},
        "emmDevice": tok.device_id,
    }
    if tok.display_name is not None:
        out["displayName"] = tok.display_name
    out["tags"] = list(tok.tags)
    out["status"] = tok.state
    out["sendEmail"] = bool(tok.send_email)
    out["managementMode"] = tok.management_mode
    if tok.email_text is not None:
        out["emailText"] = tok.email_text
    out["config"] = {"expirationTimestamp": expire, "code": tok.code}
    out["summary"] = {"managementMode": tok.management_mode, "expirationTimestamp": expire}
    out["type"] = "enrollment"
    out["subType"] = "standard"
    out["state"] = tok.state
    out["perpetual"] = False
    out["updatedAt"] = iso(tok.updated_ms)
    out["createdAt"] = iso(tok.created_ms)
    out["qrcodeUrl"] = f"{LINK_HOST}/android/qrcode/{tok.code}.png"
    out["enrollmentLink"] = f"{LINK_HOST}/android/enroll/{tok.code}"
    return out


def _apple(org, tok) -> dict:
    expire = _expire(tok)
    out = {
        "id": tok.id,
        "organization": org.id,
        "admEnterprise": org.enterprises["apple"],
        **({"admDevice": tok.device_id} if tok.device_id else {}),
        "mdmUser": {"id": tok.user_id, "email": tok.user_email},
        "state": tok.state,
        "type": "user",
        "subType": "standard",
        "config": {},
        "sendEmail": bool(tok.send_email),
        "expireAt": expire,
        "summary": {"expirationTimestamp": expire},
        "enroll": {"serverExpirationDate": expire, "mobileConfigSigned": True},
        "enrollmentLink": f"{LINK_HOST}/apple/enroll/{tok.code}",
        "enrollCode": tok.code,
        "admPolicy": _policy_ref(org, "apple", tok.policy_id) if tok.policy_id else None,
        "admPolicyAssignments": [_assignment(org, "apple", pid, prio) for pid, prio in tok.assignments],
        "profiles": [{"id": pid} for pid in tok.profiles or ()],
    }
    if tok.applications:
        out["applications"] = [dict(app) for app in tok.applications]
    if tok.vpp_location_id:
        out["admVppLocation"] = {
            "id": tok.vpp_location_id,
            "name": "Emulator VPP location",
            "config": {"countryISO2ACode": "US", "defaultPlatform": "ios", "locationName": "Emulator VPP location"},
        }
    return _common(tok, out)


def _windows(org, tok) -> dict:
    expire = _expire(tok)
    out = {
        "id": tok.id,
        "organizationId": org.id,
        "winEnterpriseId": org.enterprises["windows"],
        **({"winDeviceId": tok.device_id} if tok.device_id else {}),
        "mdmUser": {"id": tok.user_id, "email": tok.user_email},
        "state": tok.state,
        "type": "enrollment",
        "subType": "standard",
        "config": {},
        "sendEmail": bool(tok.send_email),
        "expireAt": expire,
        "summary": {"expirationTimestamp": expire},
        "enrollmentLink": f"{LINK_HOST}/windows/enroll/{tok.code}",
        "enrollCode": tok.code,
    }
    if tok.policy_id:
        out["winPolicyId"] = tok.policy_id
    out["winPolicyAssignments"] = [_assignment(org, "windows", pid, prio) for pid, prio in tok.assignments]
    return _common(tok, out)


def _aosp(org, tok) -> dict:
    summary = {"managementMode": tok.management_mode}
    if tok.expire_ms is not None:
        summary["expirationTimestamp"] = iso(tok.expire_ms)
    out = {
        "id": tok.id,
        "organizationId": org.id,
        "aosEnterpriseId": org.enterprises["aosp"],
        **({"aosDeviceId": tok.device_id} if tok.device_id else {}),
        "mdmUserId": tok.user_id,
        "type": "aosp",
        "subType": "enrollment",
        "status": tok.state,
        "state": tok.state,
        "summary": summary,
        "managementMode": tok.management_mode,
        "perpetual": bool(tok.perpetual),
        "sendEmail": bool(tok.send_email),
        "aosPolicyAssignments": [_assignment(org, "aosp", pid, prio) for pid, prio in tok.assignments],
        "config": {
            "oneTimeToken": tok.code,
            "enrollmentHost": AOSP_HOST,
            "qrCode": {
                "android.app.extra.PROVISIONING_DEVICE_ADMIN_COMPONENT_NAME": "com.applivery.aosp/.AdminReceiver",
                "android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE": {"enrollmentHost": AOSP_HOST, "oneTimeToken": tok.code},
            },
        },
    }
    if tok.dpc_build_tag is not None:
        out["dpcBuildTag"] = tok.dpc_build_tag
    if tok.push_provider is not None:
        out["pushNotificationProvider"] = tok.push_provider
    return _common(tok, out)


_RENDERERS = {"android": _android, "apple": _apple, "windows": _windows, "aosp": _aosp}


def user_view(org, user) -> dict:
    """Read model of an MDM user, with per-platform token counters."""
    def counts(platform: str) -> dict:
        idx = org.user_index_for(platform, user.id)
        return dict(idx.counts) if idx is not None else dict.fromkeys(("PENDING", "PROCESSING", "DONE", "DELETED", "EXPIRED"), 0)

    android = counts("android")
    out = {
        "id": user.id,
        "email": user.email,
        "tags": list(user.tags),
        "metadata": dict(user.metadata),
        "inferredSegmentIds": [],
        "android": {
            "devices": {"MANAGEMENT_MODE_UNSPECIFIED": 0, "DEVICE_OWNER": 0, "PROFILE_OWNER": 0},
            "enrollmentTokens": {k: android[k] for k in ("DONE", "PENDING", "EXPIRED", "DELETED")},
        },
        "apple": {"devices": 0, "enrollmentTokens": counts("apple")["PENDING"]},
        "windows": {"devices": 0, "enrollmentTokens": counts("windows")["PENDING"]},
        "createdAt": iso(user.created_ms),
        "updatedAt": iso(user.updated_ms),
    }
    if user.name is not None:
        out["name"] = user.name
    if user.language is not None:
        out["language"] = user.language
    if user.managed_apple_id is not None:
        out["managedAppleId"] = user.managed_apple_id
    return out


def policy_view(org, pol) -> dict:
    """Read model of a policy in its platform list."""
    base = {"id": pol.id, "name": pol.name, "createdAt": iso(pol.created_ms), "updatedAt": iso(pol.updated_ms)}
    if pol.platform == "android":
        base.update(description=pol.description, version=str(pol.version), emmEnterprise=org.enterprises["android"], private=pol.private)
    elif pol.platform == "apple":
        base.update(organization=org.id, admEnterprise=org.enterprises["apple"], targetType=pol.target_type, version=pol.version,
                    segmentId=0, exposeToChildren=True)
    elif pol.platform == "windows":
        base.update(organizationId=org.id, winEnterpriseId=org.enterprises["windows"], description=pol.description, version=pol.version)
    else:
        base.update(organizationId=org.id, aosEnterpriseId=org.enterprises["aosp"], description=pol.description, config={},
                    private=pol.private, version=str(pol.version))
    return base


def global_policy_view(pol) -> dict:
    """Item of the cross-platform ``/mdm/policies`` list."""
    return {
        "id": pol.id,
        "type": pol.platform,
        "name": pol.name,
        "version": pol.version,
        "counts": {"devices": 0, "applications": 0, "properties": 0},
        "targetType": pol.target_type if pol.target_type in ("device", "deviceUser") else "device",
        "createdAt": iso(pol.created_ms),
        "updatedAt": iso(pol.updated_ms),
    }


def org_view(org) -> dict:
    """Organization record."""
    return {
        "id": org.id,
        "name": org.name,
        "slug": org.slug,
        "createdAt": iso(org.created_ms),
        "updatedAt": iso(org.updated_ms),
    }
