# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ensure_user_token against the emulator over real HTTP: what the diff and the result say."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.applivery.mdm.plugins.module_utils._client import AppliveryClient
from ansible_collections.applivery.mdm.plugins.module_utils._single import InputError, ensure_user_token
from ansible_collections.applivery.mdm.plugins.module_utils._settings import token_settings_spec
from ansible_collections.applivery.mdm.plugins.module_utils._tokens import parse_time

ADMIN = "applivery-emu-admin-token"


def params(**overrides):
    base = dict((name, spec.get("default")) for name, spec in token_settings_spec().items())
    base.update(user_email=None, user_id=None, create_user=False, state="present")
    base.update(overrides)
    return base


def test_aosp_diff_names_the_owner_in_check_mode_and_in_the_real_run(emu):
    """AOSP tokens carry only mdmUserId; the diff still shows whose token it is, the same way in both modes."""
    api = AppliveryClient(ADMIN, "acme", api_url=emu.url)
    args = params(platform="aosp", user_email="Owner.Aosp@Example.com ", create_user=True, duration="2h")
    mark = emu.control.last_seq()
    planned = ensure_user_token(api, args, check_mode=True)
    assert emu.control.writes_since(mark) == []
    done = ensure_user_token(api, args)
    assert planned["diff"]["after"]["user_email"] == done["diff"]["after"]["user_email"] == "owner.aosp@example.com"
    assert done["diff"]["after"]["user_id"] == done["user"]["id"] == done["token"]["user_id"]
    assert sorted(planned["diff"]["after"]) == sorted(done["diff"]["after"])
    # check mode predicts the expiry from the duration (2 h), as the API will set it
    predicted, real = parse_time(planned["diff"]["after"]["expires_at"]), parse_time(done["diff"]["after"]["expires_at"])
    assert abs((real - predicted).total_seconds()) < 60
    again = ensure_user_token(api, args)
    assert again["action"] == "unchanged" and again["diff"]["before"] == again["diff"]["after"] == done["diff"]["after"]


def test_revoked_duplicates_show_in_the_diff_and_the_message(emu):
    api = AppliveryClient(ADMIN, "acme", api_url=emu.url)
    args = params(platform="apple", user_email="twice@example.com", create_user=True)
    first = ensure_user_token(api, args)
    emu.control.inject_tokens("acme", "apple", [{"email": "twice@example.com"}])
    healed = ensure_user_token(api, dict(args, revoke_duplicates=True))
    assert healed["changed"] is True and healed["action"] == "unchanged"
    # the newest matching token stays (the injected one); the older is the duplicate
    assert healed["revoked"] == [first["token"]["id"]] and healed["token"]["id"] != first["token"]["id"]
    assert healed["diff"]["before"]["duplicates"] == healed["revoked"] and healed["diff"]["after"]["duplicates"] == []
    assert "revoked 1 duplicate pending token" in healed["msg"]


def test_absent_treats_an_unknown_user_id_like_an_unknown_email(emu):
    api = AppliveryClient(ADMIN, "acme", api_url=emu.url)
    mark = emu.control.last_seq()
    by_id = ensure_user_token(api, params(platform="apple", user_id="64a0000000000000000000ff", state="absent"))
    by_email = ensure_user_token(api, params(platform="apple", user_email="nobody@example.com", state="absent"))
    assert (by_id["action"], by_id["changed"], by_id["user"]) == (by_email["action"], by_email["changed"], by_email["user"]) == ("absent", False, None)
    assert emu.control.writes_since(mark) == []
    with pytest.raises(InputError) as info:
        ensure_user_token(api, params(platform="apple", user_id="64a0000000000000000000ff"))
    assert "user_id '64a0000000000000000000ff' is not an MDM user" in str(info.value)


def test_a_missing_user_without_create_user_is_a_clear_error_before_any_write(emu):
    api = AppliveryClient(ADMIN, "acme", api_url=emu.url)
    mark = emu.control.last_seq()
    with pytest.raises(InputError) as info:
        ensure_user_token(api, params(platform="android", user_email="stranger@example.com"))
    assert str(info.value) == ("user_email 'stranger@example.com' is not an MDM user of organization 'acme'; "
                               "create the user first, or set create_user: true")
    assert emu.control.writes_since(mark) == []
