# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The onboarding_people filter: who lands on which platform's list, with which settings."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest
import yaml

from ansible.errors import AnsibleFilterError

from ansible_collections.applivery.mdm.plugins.filter.onboarding_people import onboarding_people
from ansible_collections.applivery.mdm.plugins.module_utils._platforms import PLATFORM_NAMES

# hostvars as the role sees them: a host's own variables merged with its groups' variables
HOSTVARS = {
    "ann@example.com": {"applivery_platform": "android", "applivery_duration": "7d", "applivery_send_email": False},
    "ben@example.com": {"applivery_platform": "android"},
    "cid": {"applivery_user_email": "cid@example.com", "applivery_platform": "apple", "applivery_language": "fr",
            "applivery_email_text": "Welcome", "applivery_send_email": "yes", "applivery_duration": 3600},
    "dee@example.com": {"applivery_platform": "android", "applivery_management_mode": "COPE", "applivery_policy": None,
                        "applivery_display_name": ""},
    "eve@example.com": {},
}
GROUPS = {"all": sorted(HOSTVARS), "people": sorted(HOSTVARS), "ungrouped": []}


def people(users=(), group_names=None, csv_text=None, **kwargs):
    return onboarding_people(list(users), hostvars=HOSTVARS, groups=GROUPS, group_names=group_names, csv_text=csv_text,
                             **kwargs)


def test_present_puts_a_person_without_platform_on_the_default_platform():
    assert people(["Zed@Example.com"], default_platform="windows") == {"windows": [{"email": "zed@example.com"}]}


def test_absent_puts_a_person_without_platform_on_every_platform():
    result = people(["leaver@example.com", {"email": "other@example.com", "display_name": "Other"}],
                    csv_text="email,platform\ncsv@example.com,\n", state="absent")
    assert sorted(result) == sorted(PLATFORM_NAMES)
    for platform in PLATFORM_NAMES:
        assert result[platform] == [{"email": "csv@example.com"}, {"email": "leaver@example.com"},
                                    {"email": "other@example.com"}]


def test_absent_keeps_an_explicit_platform_to_that_platform():
    result = people([{"email": "only@example.com", "platform": "Windows", "tags": ["x"]}],
                    csv_text="email,platform\nrow@example.com,aosp\n", state="absent")
    assert result == {"windows": [{"email": "only@example.com"}], "aosp": [{"email": "row@example.com"}]}


def test_absent_host_without_platform_is_on_every_platform_and_hosts_with_one_stay_there():
    result = people(group_names=["people"], state="absent")
    assert result["android"] == [{"email": "ann@example.com"}, {"email": "ben@example.com"}, {"email": "dee@example.com"},
                                 {"email": "eve@example.com"}]
    assert result["apple"] == [{"email": "cid@example.com"}, {"email": "eve@example.com"}]
    assert result["windows"] == result["aosp"] == [{"email": "eve@example.com"}]


def test_absent_ignores_settings_so_a_person_given_twice_is_no_conflict():
    result = people([{"email": "a@example.com", "display_name": "A"}, {"email": "a@example.com", "platform": "android"}],
                    state="absent")
    assert result["android"] == [{"email": "a@example.com"}]


def test_host_and_group_settings_become_item_keys_only_when_set():
    result = people(group_names=["people"])
    assert result["android"] == [
        {"email": "ann@example.com", "duration": "7d", "send_email": False},
        {"email": "ben@example.com"},
        {"email": "dee@example.com", "management_mode": "COPE"},
    ]
    assert result["apple"] == [
        {"email": "cid@example.com", "language": "fr", "email_text": "Welcome", "send_email": True, "duration": 3600},
        {"email": "eve@example.com"},
    ]


def test_list_items_take_the_same_settings():
    result = people([{"email": "f@example.com", "platform": "aosp", "management_mode": "DEVICE_OWNER", "duration": 600,
                      "send_email": "true", "language": "es", "email_text": "Hola"}])
    assert result == {"aosp": [{"email": "f@example.com", "management_mode": "DEVICE_OWNER", "duration": 600,
                                "send_email": True, "language": "es", "email_text": "Hola"}]}


def test_bad_send_email_and_unknown_keys_are_named():
    with pytest.raises(AnsibleFilterError) as error:
        people([{"email": "g@example.com", "send_email": "maybe"}, {"email": "h@example.com", "managment_mode": "COPE"}],
               csv_text="email,duration\ni@example.com,7d\n", csv_unknown_columns="error")
    text = str(error.value)
    assert "applivery_onboarding_users[0] (g@example.com on apple): send_email 'maybe' is not a boolean" in text
    assert "applivery_onboarding_users[1]: unknown key(s) managment_mode" in text
    assert "CSV: column(s) duration are an error" in text


def test_platform_tags_are_added_to_own_tags():
    result = people([{"email": "j@example.com", "platform": "windows", "tags": "a; b"}],
                    platform_settings={"windows": {"tags": ["laptops", "a"]}})
    assert result == {"windows": [{"email": "j@example.com", "tags": ["a", "b", "laptops"]}]}


def test_an_unknown_state_is_refused():
    with pytest.raises(AnsibleFilterError, match="state 'gone' is not one of present, absent"):
        people(["k@example.com"], state="gone")


# issue 12: inputs as -e key=value and AWX surveys give them, and HR exports as HR systems write them

@pytest.mark.parametrize("users", ["a@example.com, b@example.com", '["a@example.com", "b@example.com"]',
                                   "['a@example.com', 'b@example.com']", ["a@example.com", "b@example.com"]])
def test_a_list_may_be_a_comma_separated_or_yaml_string(users):
    assert onboarding_people(users) == {"apple": [{"email": "a@example.com"}, {"email": "b@example.com"}]}


def test_groups_as_a_string_and_anything_else_named_with_its_type():
    result = people(group_names="people", default_platform="windows")
    assert [item["email"] for item in result["apple"]] == ["cid@example.com"]
    assert result == people(group_names=["people"], default_platform="windows")
    result = onboarding_people(5, problems="return")
    assert result["problems"] == ["applivery_onboarding_users must be a list, a comma-separated string or a YAML/JSON list; got a number"]


def test_platform_may_be_a_list():
    result = people([{"email": "m@example.com", "platform": ["apple", "Windows"]}], csv_text="email,platform\nn@example.com,android;aosp\n")
    assert result == {"apple": [{"email": "m@example.com"}], "windows": [{"email": "m@example.com"}],
                      "android": [{"email": "n@example.com"}], "aosp": [{"email": "n@example.com"}]}


def test_an_hr_export_with_bom_semicolons_aliases_extra_columns_and_empty_rows():
    text = u"\ufeffE-Mail Address;Platform;Employee ID\r\n\r\n;;\r\n\"x@example.com\";apple;7\r\n  ;  ;\r\nbad;apple;8\r\n"
    result = onboarding_people([], csv_text=text, problems="return")
    assert result["people"] == {"apple": [{"email": "x@example.com"}]}
    assert result["problems"] == ["CSV line 6: 'bad' is not a valid email address"], "physical line numbers"
    assert result["warnings"] == ["CSV: column(s) Employee ID are ignored (the columns used are email, platform, display_name, tags, policy, "
                                  "devices, reinvite)"]


def test_an_undecodable_file_is_named_with_an_encoding_to_try(tmp_path):
    path = tmp_path / "hr.csv"
    path.write_bytes(u"email,display_name\nx@example.com,Ren\u00e9e\n".encode("cp1252"))
    result = onboarding_people([], csv_path=str(path), problems="return")
    assert result["problems"][0].startswith("%s: line 2 is not utf-8-sig (byte 0xe9)" % path) and "cp1252" in result["problems"][0]
    assert onboarding_people([], csv_path=str(path), csv_encoding="cp1252") == {"apple": [{"email": "x@example.com", "display_name": u"Ren\u00e9e"}]}


def test_typos_in_variable_names_get_the_closest_known_name():
    result = onboarding_people([], known_vars=["applivery_plaform", "applivery_onboarding_exclusiv", "applivery_emulator_url"],
                               problems="return")
    assert result["warnings"] == [
        "applivery_onboarding_exclusiv is not a variable the collection knows; did you mean applivery_onboarding_exclusive?",
        "applivery_plaform is not a variable the collection knows; did you mean applivery_platform?"]


def _platform_spec():
    """The options of applivery_onboarding_platforms in the role's own argument spec, as the role passes them."""
    path = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "roles", "device_onboarding", "meta", "argument_specs.yml")
    with open(path) as handle:
        return yaml.safe_load(handle)["argument_specs"]["main"]["options"]["applivery_onboarding_platforms"]["options"]


PLATFORM_SPEC = _platform_spec()


@pytest.mark.parametrize("settings", ['{"android": {"tags": ["t"]}}', "{android: {tags: [t]}}", "android:\n  tags:\n    - t\n",
                                      {"android": {"tags": ["t"]}}])
def test_platform_settings_may_be_a_dict_or_a_json_flow_or_block_yaml_string(settings):
    result = onboarding_people([], platform_settings=settings, platform_spec=PLATFORM_SPEC, problems="return")
    assert result["platforms"] == result["known_platforms"] == {"android": {"tags": ["t"]}} and result["problems"] == []


@pytest.mark.parametrize("settings, problem", [
    ("- android", "applivery_onboarding_platforms must be a dict (or a string that holds a YAML/JSON dict); got a list"),
    ("android: [", "applivery_onboarding_platforms is a string that is neither YAML nor JSON: "),
    (5, "applivery_onboarding_platforms must be a dict (or a string that holds a YAML/JSON dict); got a number"),
])
def test_platform_settings_of_another_kind_are_named_with_the_kind(settings, problem):
    problems = onboarding_people([], platform_settings=settings, problems="return")["problems"]
    assert len(problems) == 1 and problems[0].startswith(problem)


@pytest.mark.parametrize("settings", ["null", "# nothing yet", ""])
def test_platform_settings_that_hold_nothing_are_no_settings(settings):
    result = onboarding_people([], platform_settings=settings, platform_spec=PLATFORM_SPEC, problems="return")
    assert result["known_platforms"] == {} and result["problems"] == []


def test_unknown_platforms_keys_and_bad_values_are_named_and_left_out_of_known_platforms():
    settings = {"andriod": {}, "ios": {}, "android": {"polcy": "Corp", "language": "kl", "send_email": "yes", "tags": "a,b"},
                "apple": {"management_mode": "COPE", "policy": None}, "windows": "Corp", "aosp": None,
                }
    result = onboarding_people([], platform_settings=settings, platform_spec=PLATFORM_SPEC, problems="return")
    keys = "duration, email_text, language, management_mode, on_drift, policy, renew_before, send_email, tags"
    assert result["problems"] == [
        "applivery_onboarding_platforms: 'andriod' is not a platform (did you mean android?); use android, aosp, apple, windows",
        "applivery_onboarding_platforms.android: value of language must be one of: es, en, fr, de, it, zh, pt, ru, got: kl",
        "applivery_onboarding_platforms.android: 'polcy' is not a setting of android (did you mean policy?); a platform may have " + keys,
        "applivery_onboarding_platforms.apple: 'management_mode' is not a setting of apple; a platform may have "
        + keys.replace("management_mode, ", ""),
        "applivery_onboarding_platforms: 'ios' is not a platform; use android, aosp, apple, windows",
        "applivery_onboarding_platforms.windows must be a dict of settings; got a string"]
    # what is left, converted as the spec says; a misspelt long key still gets a hint
    assert result["known_platforms"] == {"android": {"send_email": True, "tags": ["a", "b"]}, "apple": {"policy": None}, "aosp": {}}
    hinted = onboarding_people([], platform_settings={"android": {"managemnt_mod": "COPE"}}, platform_spec=PLATFORM_SPEC, problems="return")
    assert "(did you mean management_mode?)" in hinted["problems"][0]


def test_without_a_spec_the_settings_are_not_checked():
    settings = {"ios": {"polcy": 1}}
    result = onboarding_people([], platform_settings=settings, problems="return")
    assert result["problems"] == [] and result["known_platforms"] == settings
