# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bulk module's input handling happens before any request and names every bad item."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.applivery.mdm.plugins.module_utils._bulk.input import check_marker, item_checker, parse_users
from ansible_collections.applivery.mdm.plugins.module_utils._bulk.report import diff_text
from ansible_collections.applivery.mdm.plugins.module_utils._platforms import PLATFORMS


def test_emails_are_trimmed_lowercased_and_collapsed():
    entries, duplicates, problems = parse_users([" Alice@Example.com", "alice@example.com", "bob@example.com",
                                                 {"email": "carol@example.com", "tags": ["x"]}], 128)
    assert problems == []
    assert list(entries) == ["alice@example.com", "bob@example.com", "carol@example.com"]
    assert entries["carol@example.com"] == {"tags": ["x"]}
    assert duplicates == ["alice@example.com"]


def test_every_bad_item_is_named():
    _entries, _duplicates, problems = parse_users(
        ["good@example.com", "bad", "", {"mail": "x@example.com"}, {"email": "d@example.com", "display_name": "x" * 129},
         {"email": "t@example.com", "tags": ["y" * 129]}, 42], 128)
    text = "\n".join(problems)
    assert "users[1]: 'bad' is not a valid email address" in text
    assert "users[2]: an email is empty" in text
    assert "users[3]: unknown key(s) mail" in text
    assert "users[4].display_name is 129 characters long; the limit is 128" in text
    assert "users[5].tags: tag 'yyyy" in text
    assert "users[6]: 42 is neither an email nor a dict with an email" in text


def test_same_email_with_different_settings_is_a_conflict():
    _entries, _duplicates, problems = parse_users([{"email": "a@example.com", "tags": ["x"]}, "A@example.com"], 128)
    assert problems == ["a@example.com, users[1]: a@example.com appears more than once with different settings"]


def test_empty_list_is_valid():
    assert parse_users([], 128) == ({}, [], [])


def test_marker_limits():
    assert check_marker("managed-by:applivery.mdm") == []
    assert check_marker("m" * 129) == ["marker_tag is 129 characters long; the limit is 128"]


def test_diff_lists_emails_per_action_without_secrets():
    text = diff_text({"create": ["a@example.com", "b@example.com"], "revoke": ["c@example.com"], "unchanged": ["d@example.com"]}, "apple")
    creates, revokes = text.split("- apple revoke (1):")
    assert creates.startswith("+ apple create (2):") and "a@example.com" in creates and "b@example.com" in creates
    assert "c@example.com" in revokes and "d@example.com" not in text, "unchanged people are not in the diff"
    assert all(line[0] in "+-" for line in text.splitlines()), "every line carries its action's mark"
    assert diff_text({}, "aosp") == "  aosp: nothing to change\n"


def _item_check(platform, **options):
    params = dict(PARAMS, **options)
    return item_checker(params, PLATFORMS[platform])


PARAMS = {"display_name": None, "tags": None, "policy": None, "policy_assignments": None, "management_mode": None, "send_email": False,
          "language": None, "email_text": None, "duration": None, "perpetual": None, "segment_id": None, "dpc_build_tag": None,
          "push_notification_provider": None, "profiles": None, "applications": None, "vpp_location": None,
          "renew_before": 0, "on_drift": "keep", "revoke_duplicates": False}


def test_items_may_carry_the_token_settings_of_a_person():
    entries, _duplicates, problems = parse_users(
        [{"email": "a@example.com", "management_mode": "PROFILE_OWNER", "duration": "2h", "send_email": True, "language": "fr",
          "email_text": "Welcome"}, "b@example.com"], 128, check=_item_check("android"))
    assert problems == []
    assert entries["a@example.com"] == {"management_mode": "PROFILE_OWNER", "duration": "2h", "send_email": True, "language": "fr",
                                        "email_text": "Welcome"}
    assert entries["b@example.com"] == {}


def test_item_settings_are_validated_as_the_options_are_and_name_the_item():
    _entries, _duplicates, problems = parse_users(
        ["ok@example.com", {"email": "a@example.com", "management_mode": "COPE"}, {"email": "b@example.com", "duration": str(2 ** 53)},
         {"email": "c@example.com", "duration": "soon"}, {"email": "d@example.com", "duration": "1h"}],
        256, check=_item_check("aosp", renew_before="2h"))
    text = "\n".join(problems)
    assert "users[1].management_mode COPE is not valid for platform aosp" in text
    assert "users[2].duration: %d is %d seconds, outside the allowed 0 s to %d s" % (2 ** 53, 2 ** 53, 2 ** 53 - 1) in text
    assert "users[3].duration: 'soon' is not a duration" in text
    assert "users[4]: renew_before 2h (7200 s) is not shorter than the token's life (3600 s, duration 1h)" in text
    assert "users[0]" not in text


def test_module_level_problems_are_not_repeated_per_item():
    problems = item_checker(dict(PARAMS, profiles=["bad"]), PLATFORMS["apple"])({"language": "de"}, "users[0]")
    assert problems == []
    problems = item_checker(PARAMS, PLATFORMS["windows"])({"management_mode": "DEVICE_OWNER"}, "users[5]")
    assert len(problems) == 1
    assert problems[0].startswith("users[5].management_mode is not valid for platform windows (Windows): the bulk page does not document")


def test_conversion_errors_stop_the_platform_checks_for_that_item():
    def convert(own, where):
        return own, ["%s: value of language must be one of: es, en, got: xx" % where] if own.get("language") == "xx" else []

    _entries, _duplicates, problems = parse_users([{"email": "a@example.com", "language": "xx", "management_mode": "COPE"}], 128,
                                                  convert=convert, check=_item_check("aosp"))
    assert problems == ["a@example.com, users[0]: value of language must be one of: es, en, got: xx"]


def test_a_bad_item_is_named_by_its_person_and_platform_first():
    _entries, _duplicates, problems = parse_users(
        [{"email": "Ann@Example.com", "devices": -1}, {"email": "x@", "devices": -1}], 128, platform="android")
    assert problems == ["ann@example.com on android, users[0].devices must be 0 or more, got -1",
                        "users[1].devices must be 0 or more, got -1", "users[1]: 'x@' is not a valid email address"]
