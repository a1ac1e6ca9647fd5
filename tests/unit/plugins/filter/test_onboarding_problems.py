# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The onboarding_problems filter: the check pass's problems, naming people and credentials (issue 12)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.applivery.mdm.plugins.filter.onboarding_problems import onboarding_problems

PEOPLE = {"windows": [{"email": "a@example.com"}, {"email": "b@example.com", "duration": "2h"}]}


def test_a_person_is_named_by_email_and_platform_and_repeats_are_listed_once():
    problems = ["users[1]: renew_before 12h is too long", "policy 'X' matches no windows policy",
                "b@example.com on windows, users[1].duration: 2h is too short"]
    runs = [{"__applivery_platform": "windows", "problems": problems},
            {"__applivery_platform": "apple", "problems": []}]
    assert onboarding_problems(runs, people=PEOPLE) == ["b@example.com on windows: renew_before 12h is too long",
                                                        "policy 'X' matches no windows policy",
                                                        "b@example.com on windows: duration: 2h is too short"]


def test_a_missing_credential_names_the_option_the_variable_and_the_environment_variable():
    runs = [{"__applivery_platform": p, "failed": False, "msg": "missing required arguments: api_token, organization"}
            for p in ("android", "windows")]
    assert onboarding_problems(runs) == [
        "api_token is not set: set the variable applivery_api_token (vault it) or the environment variable APPLIVERY_API_TOKEN "
        "(the module option api_token)",
        "organization is not set: set the variable applivery_organization (vault it) or the environment variable "
        "APPLIVERY_ORGANIZATION (the module option organization)"]


def test_the_same_problem_on_several_platforms_is_one_line_naming_them():
    problem = "renew_before 36h (129600 s) is not shorter than the token's life"
    runs = [{"__applivery_platform": p, "problems": [problem]} for p in ("android", "apple", "windows")]
    runs[2]["problems"].append("policy 'X' matches no windows policy")
    assert onboarding_problems(runs) == ["android, apple, windows: " + problem, "policy 'X' matches no windows policy"]
    # only platforms are merged: a problem that starts with another word and ': ' stays as it is
    runs = [{"__applivery_platform": "android", "problems": ["duration: 99d is too long", "tags: tag 'android-x' is too long"]},
            {"__applivery_platform": "apple", "problems": ["duration: 99d is too long"]}]
    assert onboarding_problems(runs) == ["android, apple: duration: 99d is too long", "tags: tag 'android-x' is too long"]
