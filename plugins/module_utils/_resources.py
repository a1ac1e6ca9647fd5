# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every read and write of tokens, MDM users and policies, in canonical form.

No Ansible imports: these functions take an AppliveryClient and a Platform. Server-side
filters only save reads: every token returned here is checked on our side to belong to the
people (and carry the policy) it was asked for, whatever the server did with the filter.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib

from ansible_collections.applivery.mdm.plugins.module_utils._client import ApiError
from ansible_collections.applivery.mdm.plugins.module_utils._tokens import normalize_token
from ansible_collections.applivery.mdm.plugins.module_utils._validation import InputError


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

    The platform's documented filters are sent to save reads, but never trusted: every token is
    checked here. With a user filter, one listing per user; without one (AOSP), one listing in all.
    """
    wanted = set(user_ids) if user_ids is not None else None
    per_user = sorted(wanted) if (wanted is not None and platform.user_filter) else [None]
    tokens, seen = [], set()
    for user_id in per_user:
        params = platform.list_params(user_id=user_id, policy_id=policy_id, include_deleted=include_deleted)
        for raw in client.paginate(client.org_path(platform.tokens_path), params=params):
            token = normalize_token(raw, platform)
            if token["id"] in seen or (wanted is not None and token["user_id"] not in wanted):
                continue  # a server that ignores the filter sends other people's tokens (and repeats them per user)
            if policy_id and not _uses_policy(token, policy_id):
                continue
            seen.add(token["id"])
            tokens.append(token)
    return tokens


def owned_by(tokens, user):
    """The tokens that belong to ``user`` by id and, where the token carries one, by email."""
    email = normalize_email(user.get("email")) if user.get("email") else None
    return [t for t in tokens if t["user_id"] == user.get("id") and (not email or not t["user_email"] or t["user_email"] == email)]


def _uses_policy(token, policy_id):
    return token["policy_id"] == policy_id or any(a["policy_id"] == policy_id for a in token["policy_assignments"] or [])


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
            names = sorted(set(p["name"] for p in policies if p["name"]))
            close = [n for n in names if ref.lower() in n.lower() or n.lower() == ref.lower()]
            close += [n for n in difflib.get_close_matches(ref, names, n=3, cutoff=0.6) if n not in close]
            problems.append("%s '%s' matches no %s policy by id or exact name%s"
                            % (field, ref, platform.name, "; did you mean %s?" % " or ".join("'%s'" % n for n in close[:3]) if close else ""))
    if problems:
        raise InputError(problems)
    return resolved


def get_user(client, user_id):
    """The MDM user with this id, or None when the API says it does not exist."""
    try:
        return client.get(client.org_path("mdm/users/%s" % user_id))
    except ApiError as error:
        if error.code == 3001 or error.status == 404:
            return None
        raise


def create_and_confirm(client, send, find, adopt=None, resend_unanswered=False):
    """The one way a create is sent: ``send()`` once; after a failure that may have committed (no answer,
    5xx, 429), or one ``adopt(error)`` accepts (such as 5048 "exists"), ``find()`` looks for what was
    made, and only while it is not there is ``send()`` tried again, up to ``retries`` times. A request
    that got no answer is not resent unless ``resend_unanswered`` (the API may still commit it later)."""
    last_error = None
    for dummy in range(max(1, client.retries + 1)):
        try:
            return send()
        except ApiError as error:
            if not error.may_have_committed and not (adopt and adopt(error)):
                raise
            last_error = error
        found = find()
        if found is not None:
            return found
        if last_error.no_answer and not resend_unanswered:
            break
    raise last_error


def create_user(client, email):
    """Create the MDM user, adopting one that exists (5048) or that a lost answer created."""
    email = normalize_email(email)
    return create_and_confirm(client, lambda: client.post(client.org_path("mdm/users"), {"email": email}),
                              lambda: find_user(client, email), adopt=lambda error: error.code == 5048, resend_unanswered=True)


def create_token(client, platform, body, user, known_ids):
    """POST one token for ``user``; after a lost answer, adopt the person's new PENDING token instead of resending."""
    def arrived():
        new = [t for t in owned_by(list_tokens(client, platform, user_ids=[user["id"]]), user)
               if t["id"] not in known_ids and t["state"] == "PENDING"]
        return sorted(new, key=lambda t: t.get("created_at") or "")[-1] if new else None
    return create_and_confirm(
        client, lambda: normalize_token(client.post(client.org_path(platform.tokens_path), dict(body, mdmUserId=user["id"])), platform),
        arrived)


def update_token(client, platform, token_id, body):
    """PUT the changed fields of one token (only platforms with an update page); the token as the API returns it."""
    return normalize_token(client.put(client.org_path(platform.token_path(token_id)), body), platform)


def revoke_token(client, platform, token_id):
    """Soft-delete one token (contract C2)."""
    client.delete(client.org_path(platform.token_path(token_id)))


def post_bulk(client, platform, body, emails):
    """One bulk request; the API's counts ``{total, success, fail}`` (None for a count it did not give)."""
    data = client.post(client.org_path(platform.bulk_path), dict(body, userEmails=list(emails))) or {}
    counts = {}
    for key in ("total", "success", "fail"):
        value = data.get(key) if isinstance(data, dict) else None
        counts[key] = value if isinstance(value, int) and not isinstance(value, bool) else None
    return counts


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
    params = platform.list_params(include_deleted=include_deleted)
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
