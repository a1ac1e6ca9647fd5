# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reads the modules share: MDM users by email and a platform's tokens, in canonical form.

No Ansible imports: these functions take an AppliveryClient and a Platform.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.applivery.mdm.plugins.module_utils.client import ApiError
from ansible_collections.applivery.mdm.plugins.module_utils.tokens import normalize_token


def normalize_email(email):
    """Emails compare trimmed and lower-case, as the API stores them (contract C12)."""
    return (email or "").strip().lower()


def find_user(client, email):
    """The MDM user with exactly this email (case-insensitive), or None."""
    wanted = normalize_email(email)
    for user in client.paginate(client.org_path("mdm/users"), params={"email": wanted}):
        if normalize_email(user.get("email")) == wanted:
            return user
    return None


def find_users(client, emails):
    """``{email: user}`` for the emails that have an MDM user; one filtered GET per email."""
    found = {}
    for email in emails:
        user = find_user(client, email)
        if user is not None:
            found[normalize_email(email)] = user
    return found


def list_tokens(client, platform, user_ids=None, policy_id=None, include_deleted=False):
    """Canonical tokens of ``platform``, optionally only those of ``user_ids`` or carrying ``policy_id``.

    Uses the server-side filters the platform documents and filters the rest here, so the
    result is the same on every platform. A user filter the API has is applied per user;
    without one (AOSP) the platform's list is read once and filtered client-side.
    """
    user_ids = list(user_ids) if user_ids is not None else None
    per_user = user_ids if (user_ids is not None and platform.user_filter) else [None]
    tokens = []
    for user_id in per_user:
        params, client_side = platform.list_params(user_id=user_id, policy_id=policy_id, include_deleted=include_deleted)
        for raw in client.paginate(client.org_path(platform.tokens_path), params=params):
            token = normalize_token(raw, platform)
            if "policy_id" in client_side and not _uses_policy(token, policy_id):
                continue
            tokens.append(token)
    if user_ids is not None and not platform.user_filter:
        wanted = set(user_ids)
        tokens = [t for t in tokens if t["user_id"] in wanted]
    return tokens


def _uses_policy(token, policy_id):
    return token["policy_id"] == policy_id or any(a["policy_id"] == policy_id for a in token["policy_assignments"])


class ResolutionError(Exception):
    """A name or id the user gave that the organization does not resolve to exactly one thing."""


def list_policies(client, platform):
    """Every policy of ``platform`` as ``[{id, name}]``."""
    return [{"id": p.get("id"), "name": p.get("name")}
            for p in client.paginate(client.org_path(platform.policy_list_path), params=platform.policy_list_params)]


def resolve_policies(client, platform, refs, field="policy"):
    """``{ref: policy_id}`` for policy references given as 24-hex ids or exact names.

    Reads the platform's policy list once, whatever the number of references. A name must
    match exactly one policy; a 24-hex id must exist.
    """
    refs = [r for r in refs if r is not None]
    if not refs:
        return {}
    policies = list_policies(client, platform)
    by_id = dict((p["id"], p) for p in policies)
    resolved = {}
    problems = []
    for ref in sorted(set(refs)):
        if ref in by_id:
            resolved[ref] = ref
            continue
        named = [p for p in policies if p["name"] == ref]
        if len(named) == 1:
            resolved[ref] = named[0]["id"]
        elif named:
            problems.append("%s '%s' matches %d %s policies (%s); give the id instead"
                            % (field, ref, len(named), platform.name, ", ".join(p["id"] for p in named)))
        else:
            close = sorted(p["name"] for p in policies if ref.lower() in (p["name"] or "").lower())
            problems.append("%s '%s' matches no %s policy by id or exact name%s"
                            % (field, ref, platform.name, "; similar: %s" % ", ".join(close) if close else ""))
    if problems:
        raise ResolutionError("; ".join(problems))
    return resolved


def get_user(client, user_id):
    """The MDM user with this id, or None when the API says it does not exist."""
    try:
        return client.get(client.org_path("mdm/users/%s" % user_id))
    except ApiError as error:
        if error.code == 3001 or error.status == 404:
            return None
        raise


def create_user(client, email):
    return client.post(client.org_path("mdm/users"), {"email": normalize_email(email)})
