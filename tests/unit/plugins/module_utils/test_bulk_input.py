# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bulk module's input handling happens before any request and names every bad item."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.applivery.mdm.plugins.module_utils.bulk import check_marker, diff_text, parse_users


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
    assert problems == ["users[1]: a@example.com appears more than once with different settings"]


def test_empty_list_is_valid():
    assert parse_users([], 128) == ({}, [], [])


def test_marker_limits():
    assert check_marker("managed-by:applivery.mdm") == []
    assert check_marker("m" * 129) == ["marker_tag is 129 characters long; the limit is 128"]


def test_diff_lists_emails_per_action_without_secrets():
    text = diff_text({"create": ["a@example.com", "b@example.com"], "revoke": ["c@example.com"], "unchanged": ["d@example.com"]}, "apple")
    assert text == "+ apple create (2): a@example.com, b@example.com\n- apple revoke (1): c@example.com\n"
    assert diff_text({}, "aosp") == "  aosp: nothing to change\n"
