# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: onboarding_problems
short_description: The problems of a check pass over every platform, one sentence each, naming people by email and platform
version_added: 0.1.0
author:
  - applivery.mdm contributors (@applivery-mdm)
description:
  - Takes the C(results) of a looped M(applivery.mdm.enrollment_token_bulk) task run with
    O(applivery.mdm.enrollment_token_bulk#module:validate_only=true), one iteration per platform, and returns every problem
    found, as the P(applivery.mdm.device_onboarding#role) role lists them before it stops with no write.
  - A problem about C(users[N]) names the person instead, as C(email on platform); a missing connection option names the
    option, the variable and the environment variable; the same problem found on several platforms is listed once,
    after the platforms it was found on, for example C(android, apple).
options:
  _input:
    description: The C(results) list of the registered loop.
    type: list
    elements: dict
    required: true
  people:
    description: The C(users) lists the loop passed, keyed by platform (the P(applivery.mdm.onboarding_people#filter) filter's result).
    type: dict
    default: {}
  platform_key:
    description: The loop variable that holds each iteration's platform.
    type: str
    default: __applivery_platform
"""

EXAMPLES = r"""
- name: Every problem of the check pass
  ansible.builtin.set_fact:
    problems: "{{ check.results | applivery.mdm.onboarding_problems(people=people, platform_key='item') }}"
"""

RETURN = r"""
_value:
  description: One sentence per problem, in the order found, without repeats.
  type: list
  elements: str
"""

import re

from ansible_collections.applivery.mdm.plugins.filter.onboarding_report import run_platform
from ansible_collections.applivery.mdm.plugins.module_utils._platforms import PLATFORM_NAMES

# The connection options, with the variable and the environment variable that set each.
CONNECTION = {
    "api_url": ("applivery_api_url", "APPLIVERY_API_URL"),
    "api_token": ("applivery_api_token", "APPLIVERY_API_TOKEN"),
    "organization": ("applivery_organization", "APPLIVERY_ORGANIZATION"),
}
MISSING_RE = re.compile(r"missing required arguments: (.+)$")
# The bulk module names a person as "alice@example.com on android, users[3]...": the role says "email on platform: ".
ITEM_RE = re.compile(r"(?:\S+ on [a-z]+, )?\busers\[(\d+)\](?:\.|: )")


def _missing(msg):
    match = MISSING_RE.search(msg or "")
    if not match:
        return None
    sentences = []
    for name in (n.strip() for n in match.group(1).split(",")):
        if name in CONNECTION:
            variable, env = CONNECTION[name]
            sentences.append("%s is not set: set the variable %s (vault it) or the environment variable %s "
                             "(the module option %s)" % (name, variable, env, name))
        else:
            sentences.append("missing required argument: %s" % name)
    return sentences


def onboarding_problems(runs, people=None, platform_key="__applivery_platform"):
    problems = []

    def add(sentence):
        if sentence not in problems:
            problems.append(sentence)

    for run in runs or []:
        platform = run_platform(run, platform_key)
        if run.get("skipped"):
            continue
        users = (people or {}).get(platform) or []

        def named(match):
            index = int(match.group(1))
            email = users[index].get("email") if index < len(users) and isinstance(users[index], dict) else None
            return "%s on %s: " % (email, platform) if email else match.group(0)

        if "problems" not in run:  # the module failed (failed_when: false in the role hides the failed flag)
            for sentence in _missing(run.get("msg")) or ["%s: %s" % (platform, run.get("msg"))]:
                add(sentence)
            continue
        for problem in run.get("problems") or []:
            text = ITEM_RE.sub(named, problem)
            add(text if platform in text else "%s: %s" % (platform, text))
    return _merge_platforms(problems)


def _merge_platforms(problems):
    """The same sentence said for several platforms ("android: X", "apple: X") as one: "android, apple: X"."""
    order = []
    platforms_of = {}
    for problem in problems:
        platform, sep, text = problem.partition(": ")
        key = text if sep and platform in PLATFORM_NAMES else None
        if (key, problem) not in order and (key is None or key not in platforms_of):
            order.append((key, problem))
            platforms_of.setdefault(key, [])
        if key is not None:
            platforms_of[key].append(platform)
    return [problem if key is None else "%s: %s" % (", ".join(platforms_of[key]), key) for key, problem in order]


class FilterModule:
    """applivery.mdm filters."""

    def filters(self):
        return {"onboarding_problems": onboarding_problems}
