# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The enrollment_token_info module's read: tokens by platform, people, state, tags and policy, with a JMESPath query."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.applivery.mdm.plugins.module_utils._platforms import get_platform
from ansible_collections.applivery.mdm.plugins.module_utils._resources import Directory, list_tokens, normalize_email, tokens_of_emails
from ansible_collections.applivery.mdm.plugins.module_utils._tokens import effective_state
from ansible_collections.applivery.mdm.plugins.module_utils._validation import InputError, check_emails, check_object_id


def _jmespath(module):
    """The jmespath library, imported only by a run that has a query."""
    try:
        import jmespath  # pylint: disable=import-outside-toplevel
    except ImportError as exc:
        module.fail_json(msg=missing_required_lib("jmespath"), exception=str(exc))
    return jmespath


def check_input(module):
    params = module.params
    problems = []
    if params["user_email"] is not None:
        problems.extend(check_emails(params["user_email"], "user_email"))
    if params["policy"] is not None:
        problems.extend(check_object_id(params["policy"], "policy"))
    if params["query"]:
        jmespath = _jmespath(module)
        try:
            jmespath.compile(params["query"])
        except jmespath.exceptions.JMESPathError as exc:
            problems.append("query is not a valid JMESPath expression: %s" % exc)
    if problems:
        raise InputError(problems)


def _query(module, tokens):
    query = module.params["query"]
    jmespath = _jmespath(module)
    try:
        tokens = jmespath.search(query, tokens)
    except jmespath.exceptions.JMESPathError as exc:
        # a valid expression can still fail on the data, e.g. sort_by over a perpetual token's null expires_at
        raise InputError("query '%s' failed on the tokens: %s" % (query, exc))
    if not isinstance(tokens, list):
        raise InputError("query must produce a list, but '%s' produced a %s" % (query, type(tokens).__name__))
    return tokens


def list_matching_tokens(module):
    check_input(module)
    params = module.params
    platform = get_platform(params["platform"])
    states = set(params["state"])
    result = {}
    if params["user_email"] is not None:
        tokens, result["missing_users"] = tokens_of_emails(module.client, platform, params["user_email"], policy_id=params["policy"],
                                                           include_deleted="DELETED" in states)
    else:
        # tokens that carry only the user's id (AOSP) get their email: the user list is read once, only then
        tokens = Directory(module.client).label(
            list_tokens(module.client, platform, policy_id=params["policy"], include_deleted="DELETED" in states))
    wanted_tags = set(params["tags"] or [])
    now = module.client.server_now()
    for token in tokens:
        token["state"] = effective_state(token, now)
    tokens = [t for t in tokens if t["state"] in states and wanted_tags.issubset(t["tags"] or [])]
    tokens.sort(key=lambda t: (t.get("created_at") or "", t["id"] or ""))  # oldest first, whatever the listing's order
    if params["user_email"] is not None:
        result["by_email"] = dict((normalize_email(e), None) for e in params["user_email"])
        for token in tokens:
            if token["state"] == "PENDING" and token["user_email"] in result["by_email"]:
                result["by_email"][token["user_email"]] = token  # the newest pending token wins
    if params["query"]:
        tokens = _query(module, tokens)
    result.update(changed=False, tokens=tokens, count=len(tokens))
    return result
