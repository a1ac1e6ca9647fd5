# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reconcile one person's enrollment token on one platform: read, plan, then (unless checking) write.

No Ansible imports. Input problems are raised as ``InputError`` before the first write.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.applivery.mdm.plugins.module_utils import _resources as api
from ansible_collections.applivery.mdm.plugins.module_utils._client import ApiError
from ansible_collections.applivery.mdm.plugins.module_utils._planner import plan_absent, plan_present, summary
from ansible_collections.applivery.mdm.plugins.module_utils._platforms import get_platform
from ansible_collections.applivery.mdm.plugins.module_utils._settings import (
    check_reconcile,
    check_settings,
    create_body,
    desired_fields,
    policy_refs,
    renew_before_seconds,
    token_life,
    update_body,
)
from ansible_collections.applivery.mdm.plugins.module_utils._tokens import format_time, normalize_token
from ansible_collections.applivery.mdm.plugins.module_utils._validation import check_email, check_object_id

MESSAGES = {
    "created": "created a new %s token",
    "renewed": "replaced an expired or expiring %s token with a new one",
    "unchanged": "the %s token is as requested",
    "updated": "updated the %s token in place",
    "recreated": "replaced the %s token with one that has the requested settings",
    "drift": "the %s token differs from the request; on_drift=keep left it as it is",
    "revoked": "revoked the person's pending %s tokens",
    "absent": "the person has no pending %s token",
}


class InputError(Exception):
    """Options that cannot work, found before any write."""


def check_input(params):
    """Every problem with the options, before any request."""
    platform = get_platform(params["platform"])
    problems = []
    if params.get("user_email") is not None:
        problems.extend(check_email(params["user_email"], "user_email"))
    if params.get("user_id") is not None:
        problems.extend(check_object_id(params["user_id"], "user_id"))
    if params["state"] == "present":
        problems.extend(check_settings(params, platform))
        problems.extend(check_reconcile(params, platform))
    return platform, problems


def _resolve_user(client, params, check_mode):
    """``(user, created)``; user is None when absent and not to be created."""
    if params.get("user_id"):
        user = api.get_user(client, params["user_id"])
        if user is None and params["state"] != "absent":
            raise InputError("user_id '%s' is not an MDM user of organization '%s'" % (params["user_id"], client.organization))
        return user, False
    email = api.normalize_email(params["user_email"])
    user = api.find_user(client, email)
    if user is not None or params["state"] == "absent":
        return user, False
    if not params.get("create_user"):
        raise InputError("user_email '%s' is not an MDM user of organization '%s'; create the user first, or set create_user: true"
                         % (email, client.organization))
    if check_mode:
        return {"id": None, "email": email}, True
    return api.create_user(client, email), True


def _create(client, platform, body, user_id, known_ids):
    """POST one token. A POST is never resent blindly: after a failure that may have committed
    (no answer, 5xx, 429), list the person's tokens first and adopt one that arrived; resend only if none did."""
    body = dict(body, mdmUserId=user_id)
    last_error = None
    for dummy in range(max(1, client.retries + 1)):
        try:
            return normalize_token(client.post(client.org_path(platform.tokens_path), body), platform)
        except ApiError as error:
            if not error.may_have_committed:
                raise
            last_error = error
        arrived = [t for t in api.list_tokens(client, platform, user_ids=[user_id]) if t["id"] not in known_ids and t["state"] == "PENDING"]
        if arrived:
            return sorted(arrived, key=lambda t: t.get("created_at") or "")[-1]
        if last_error.no_answer:  # the API may still commit it after the listing: a resend could duplicate it
            break
    raise last_error


def _predicted(desired, user, platform, params, now):
    """The token a create would make, as check mode shows it: no id, and the expiry the duration gives."""
    token = dict(desired)
    token.update(id=None, platform=platform.name, state="PENDING", user_id=user.get("id"), user_email=user.get("email"))
    life = token_life(params)
    if life is not None:
        token["expires_at"] = format_time(now + datetime.timedelta(seconds=life))
    token.setdefault("tags", [])
    token.setdefault("policy_assignments", [])
    return token


def _owned_by(token, user):
    """The token with its owner filled in from the resolved user (AOSP tokens carry only mdmUserId)."""
    if token and user:
        if not token.get("user_id"):
            token = dict(token, user_id=user.get("id"))
        if not token.get("user_email") and token.get("user_id") == user.get("id"):
            token = dict(token, user_email=user.get("email"))
    return token


def ensure_user_token(client, params, check_mode=False):
    """Make one person's token on one platform match ``params``; return the module result."""
    platform, problems = check_input(params)
    if problems:
        raise InputError("; ".join(problems))
    policy_ids = {}
    if params["state"] == "present":
        try:
            policy_ids = api.resolve_policies(client, platform, policy_refs(params))
        except api.ResolutionError as error:
            raise InputError(str(error))
    user, user_created = _resolve_user(client, params, check_mode)
    tokens = api.list_tokens(client, platform, user_ids=[user["id"]]) if user and user.get("id") else []
    tokens = [_owned_by(t, user) for t in tokens]
    desired = desired_fields(params, platform, policy_ids)
    if params["state"] == "absent":
        decision = plan_absent(tokens, now=client.server_now())
    else:
        decision = plan_present(tokens, desired, renew_before=renew_before_seconds(params), on_drift=params["on_drift"],
                                revoke_duplicates=params["revoke_duplicates"], now=client.server_now())
    before = summary(decision.token or (decision.revoke[0] if decision.revoke else None))
    token = decision.token
    if decision.create:
        token = _predicted(desired, user, platform, params, client.server_now())
    elif decision.update:
        token = dict(decision.token, **dict((f, desired[f]) for f in decision.update))
    if not check_mode:
        known = set(t["id"] for t in tokens)
        if decision.create:
            token = _create(client, platform, create_body(params, platform, policy_ids), user["id"], known)
        elif decision.update:
            token = normalize_token(client.put(client.org_path(platform.token_path(decision.token["id"])),
                                               update_body(desired, decision.update, platform)), platform)
        for old in decision.revoke:
            client.delete(client.org_path(platform.token_path(old["id"])))
    token = _owned_by(token, user)
    after = summary(token) if params["state"] == "present" else {}
    if decision.action == "revoked":
        after = dict(before, state="DELETED")
    # revoke_duplicates: the other pending tokens it revokes show in the diff, not only in `revoked`
    duplicates = [t["id"] for t in decision.revoke if t["id"] != before.get("id") and (token or {}).get("id") != t["id"]
                  ] if decision.action != "revoked" else []
    if duplicates:
        before = dict(before, duplicates=duplicates)
        after = dict(after, duplicates=[])
    result = {
        "changed": decision.changed or user_created,
        "action": decision.action,
        "token": token,
        "drift": decision.drift,
        "revoked": [t["id"] for t in decision.revoke],
        "user": {"id": user.get("id"), "email": user.get("email"), "created": user_created} if user else None,
        "msg": MESSAGES[decision.action] % platform.label,
        "diff": {"before": before, "after": after},
    }
    if decision.drift:
        result["msg"] += " (drift: %s)" % ", ".join(decision.drift)
    if duplicates:
        result["msg"] += " (revoked %d duplicate pending token%s)" % (len(duplicates), "" if len(duplicates) == 1 else "s")
    return result
