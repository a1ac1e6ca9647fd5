# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reconcile one person's enrollment tokens on one platform: read, plan, then (unless checking) write.

No Ansible imports. Input problems are raised as ``InputError`` before the first write.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.applivery.mdm.plugins.module_utils import _resources as resources
from ansible_collections.applivery.mdm.plugins.module_utils._planner import ACTIONS, device_view, plan_absent, plan_present, summary
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
from ansible_collections.applivery.mdm.plugins.module_utils._tokens import format_time
from ansible_collections.applivery.mdm.plugins.module_utils._validation import InputError, check_email, check_object_id

MESSAGES = {
    "create": "created a new %s token",
    "renew": "replaced an expired or expiring %s token with a new one",
    "unchanged": "the %s token is as requested",
    "update": "updated the %s token in place",
    "recreate": "replaced the %s token with one that has the requested settings",
    "drift": "the %s token differs from the request; on_drift=keep left it as it is",
    "enrolled": "the person has enrolled on %s: no new token, no email",
    "revoke": "revoked the person's pending %s tokens",
    "absent": "the person has no pending %s token",
}


def check_input(params):
    """Every problem with the options, before any request."""
    platform = get_platform(params["platform"])
    problems = []
    if params.get("user_email") is not None:
        problems.extend(check_email(params["user_email"], "user_email"))
    if params.get("user_id") is not None:
        problems.extend(check_object_id(params["user_id"], "user_id"))
    if params.get("devices") is not None and params["devices"] < 0:
        problems.append("devices must be 0 or more, got %d" % params["devices"])
    if params["state"] == "present":
        problems.extend(check_settings(params, platform))
        problems.extend(check_reconcile(params, platform))
    if problems:
        raise InputError(problems)
    return platform


def _resolve_user(client, params, check_mode):
    """``(user, created)``; user is None when absent and not to be created."""
    if params.get("user_id"):
        user = resources.get_user(client, params["user_id"])
        if user is None and params["state"] != "absent":
            raise InputError("user_id '%s' is not an MDM user of organization '%s'" % (params["user_id"], client.organization))
        return user, False
    email = resources.normalize_email(params["user_email"])
    user = resources.find_user(client, email)
    if user is not None or params["state"] == "absent":
        return user, False
    if not params.get("create_user"):
        raise InputError("user_email '%s' is not an MDM user of organization '%s'; create the user first, or set create_user: true"
                         % (email, client.organization))
    if check_mode:
        return {"id": None, "email": email}, True
    return resources.create_user(client, email), True


def _predicted(desired, user, platform, params, now):
    """The token a create would make, as check mode shows it: no id, and the expiry the duration gives."""
    token = dict(desired)
    token.update(id=None, platform=platform.name, state="PENDING", user_id=user.get("id"), user_email=user.get("email"))
    life = token_life(params)
    if life is not None:
        token["expires_at"] = format_time(now + datetime.timedelta(seconds=life))
    token.setdefault("tags", [])
    token.setdefault("policy_assignments", [])
    if token.get("policy_id") and not platform.echoes_primary_policy:
        # the API reads the primary policy back as an assignment at priority 0 (unless it is assigned already)
        if all(a["policy_id"] != token["policy_id"] for a in token["policy_assignments"]):
            token["policy_assignments"] = sorted(token["policy_assignments"] + [{"policy_id": token["policy_id"], "priority": 0}],
                                                 key=lambda a: (a["priority"], a["policy_id"]))
        token["policy_id"] = None
    return token


def _with_owner(token, user):
    """The token with its owner filled in from the resolved user (AOSP tokens may carry only mdmUserId)."""
    if token and user:
        token = dict(token, user_id=token.get("user_id") or user.get("id"))
        if not token.get("user_email") and token["user_id"] == user.get("id"):
            token["user_email"] = user.get("email")
    return token


def _plan(client, params, platform, policy_ids, tokens):
    now = client.server_now()
    if params["state"] == "absent":
        return plan_absent(tokens, now=now)
    return plan_present(tokens, desired_fields(params, platform, policy_ids), renew_before=renew_before_seconds(params),
                        on_drift=params["on_drift"], revoke_duplicates=params["revoke_duplicates"], now=now,
                        devices=params.get("devices", 1), reinvite=params.get("reinvite", False))


def _apply(client, params, platform, policy_ids, user, tokens, decision):
    """The writes of ``decision``; the token that stays. New tokens exist before any old one is revoked."""
    token = decision.token
    known = set(t["id"] for t in tokens)
    for dummy in range(decision.create):
        made = resources.create_token(client, platform, create_body(params, platform, policy_ids), user, known)
        known.add(made["id"])
        token = token or made
    if decision.update:
        desired = desired_fields(params, platform, policy_ids)
        token = resources.update_token(client, platform, decision.token["id"], update_body(desired, decision.update, platform))
    for old in decision.revoke:
        resources.revoke_token(client, platform, old["id"])
    return token


def _diff(decision, token, params):
    before = summary(decision.token or (decision.revoke[0] if decision.revoke else None))
    after = summary(token) if params["state"] == "present" else {}
    if decision.action == "revoke":
        after = dict(before, state="DELETED")
    # revoke_duplicates: the other pending tokens it revokes show in the diff, not only in `revoked`
    duplicates = [] if decision.action == "revoke" else [
        t["id"] for t in decision.revoke if t["id"] not in (before.get("id"), (token or {}).get("id"))]
    if duplicates:
        before = dict(before, duplicates=duplicates)
        after = dict(after, duplicates=[])
    return {"before": before, "after": after}, duplicates


def ensure_user_token(client, params, check_mode=False):
    """Make one person's tokens on one platform match ``params``; return the module result."""
    platform = check_input(params)
    policy_ids = resources.resolve_policies(client, platform, policy_refs(params)) if params["state"] == "present" else {}
    user, user_created = _resolve_user(client, params, check_mode)
    tokens = []
    if user and user.get("id"):
        tokens = [_with_owner(t, user) for t in resources.owned_by(resources.list_tokens(client, platform, user_ids=[user["id"]]), user)]
    decision = _plan(client, params, platform, policy_ids, tokens)
    if check_mode:
        token = decision.token
        if decision.create and not token:
            token = _predicted(desired_fields(params, platform, policy_ids), user, platform, params, client.server_now())
        elif decision.update:
            desired = desired_fields(params, platform, policy_ids)
            token = dict(decision.token, **dict((f, desired[f]) for f in decision.update))
    else:
        token = _apply(client, params, platform, policy_ids, user, tokens, decision)
    token = _with_owner(token, user) if params["state"] == "present" else None
    diff, duplicates = _diff(decision, token, params)
    result = {
        "changed": decision.changed or user_created,
        "action": ACTIONS[decision.action].done,
        "token": token,
        "drift": decision.drift,
        "revoked": [t["id"] for t in decision.revoke],
        "enrolled_devices": device_view(decision.enrolled),
        "user": {"id": user.get("id"), "email": user.get("email"), "created": user_created} if user else None,
        "msg": MESSAGES[decision.action] % platform.label,
        "diff": diff,
    }
    if decision.drift:
        result["msg"] += " (drift: %s)" % ", ".join(decision.drift)
    if duplicates:
        result["msg"] += " (revoked %d duplicate pending token%s)" % (len(duplicates), "" if len(duplicates) == 1 else "s")
    if decision.enrolled and params["state"] == "absent":
        result["msg"] += "; the person still has %d enrolled device%s: revoking a token does not remove a device" % (
            len(decision.enrolled), "" if len(decision.enrolled) == 1 else "s")
    return result
