# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reads the modules share: MDM users by email and a platform's tokens, in canonical form.

No Ansible imports: these functions take an AppliveryClient and a Platform.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.applivery.mdm.plugins.module_utils._client import ApiError
from ansible_collections.applivery.mdm.plugins.module_utils._tokens import normalize_token


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
    """Create the MDM user. A failure that may have committed (no answer, 5xx, 429) is followed by a lookup,
    and the POST is resent (up to ``retries`` times) only while the user does not exist; 5048 (exists) adopts it."""
    last_error = None
    for dummy in range(max(1, client.retries + 1)):
        try:
            return client.post(client.org_path("mdm/users"), {"email": normalize_email(email)})
        except ApiError as error:
            if error.code != 5048 and not error.may_have_committed:
                raise
            last_error = error
        user = find_user(client, email)
        if user is not None:
            return user
    raise last_error


# Below this many emails to look up, filtered GETs are cheaper than reading the whole user list.
PER_EMAIL_LOOKUP_LIMIT = 50


class Directory:
    """Who is who: emails and MDM user ids, learnt from tokens, and read from the API only when needed.

    Most platforms put ``mdmUser{id,email}`` in their tokens, so a token listing already tells
    who owns what. AOSP tokens carry only ``mdmUserId``: then the user list is read once.
    """

    def __init__(self, client):
        self.client = client
        self.users = {}         # email -> user id
        self.emails_by_id = {}  # user id -> email

    def remember(self, email, user_id):
        email = normalize_email(email)
        self.users[email] = user_id
        self.emails_by_id[user_id] = email

    def read_all(self):
        for user in self.client.paginate(self.client.org_path("mdm/users")):
            self.remember(user.get("email"), user.get("id"))

    def look_up(self, emails):
        """Learn the users of ``emails`` not known yet: filtered GETs for a few, the whole list for many."""
        unknown = [e for e in emails if normalize_email(e) not in self.users]
        if len(unknown) > PER_EMAIL_LOOKUP_LIMIT:
            self.read_all()
            return
        for email, user in find_users(self.client, unknown).items():
            self.remember(email, user["id"])

    def label(self, tokens):
        """Give every canonical token its owner's email, reading the user list at most once."""
        for token in tokens:
            if token["user_email"] and token["user_id"]:
                self.remember(token["user_email"], token["user_id"])
        if any(not t["user_email"] and t["user_id"] not in self.emails_by_id for t in tokens):
            self.read_all()
        for token in tokens:
            token["user_email"] = token["user_email"] or self.emails_by_id.get(token["user_id"])
        return tokens


def tokens_by_email(client, platform, directory, include_deleted=False):
    """``(tokens, {email: [tokens]})`` from one listing of the platform, every token labelled with its owner's email."""
    params = platform.list_params(include_deleted=include_deleted)[0]
    tokens = directory.label([normalize_token(raw, platform) for raw in client.paginate(client.org_path(platform.tokens_path), params=params)])
    grouped = {}
    for token in tokens:
        if token["user_email"]:
            grouped.setdefault(token["user_email"], []).append(token)
    return tokens, grouped


# Up to this many emails, the info module reads each person's tokens with the user filter;
# beyond it, one listing of the platform answers for everyone.
FEW_EMAILS = 10


def tokens_of_emails(client, platform, emails, policy_id=None, include_deleted=False):
    """``(tokens, missing_emails)``: the canonical tokens of these people, with reads that do not grow per email.

    For a few emails: one user lookup and one filtered token list each. For more: one listing
    of the platform's tokens (plus the user list only where needed), filtered here.
    """
    emails = sorted(set(normalize_email(e) for e in emails))
    directory = Directory(client)
    if len(emails) <= FEW_EMAILS:
        directory.look_up(emails)
        user_ids = [directory.users[e] for e in emails if e in directory.users]
        tokens = directory.label(list_tokens(client, platform, user_ids=user_ids, policy_id=policy_id,
                                             include_deleted=include_deleted)) if user_ids else []
    else:
        _listed, grouped = tokens_by_email(client, platform, directory, include_deleted=include_deleted)
        directory.look_up([e for e in emails if e not in grouped])
        tokens = [t for e in emails for t in grouped.get(e, []) if not policy_id or _uses_policy(t, policy_id)]
    missing = [e for e in emails if e not in directory.users]
    return tokens, missing
