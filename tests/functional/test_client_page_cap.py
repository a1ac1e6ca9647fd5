# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""paginate against the emulator's page cap: it asks for 1000 and follows what the server gives, whatever its cap."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.applivery.mdm.plugins.module_utils._client import AppliveryClient

TOKENS = "mdm/apple/enterprise/enrollment-tokens"


@pytest.mark.parametrize("cap", [10, 50, 100, 1000])
def test_one_get_per_page_of_the_servers_cap(emu, cap):
    emu.control.inject_tokens("acme", "apple", [{"email": "cap%04d@example.com" % i} for i in range(1050)])
    emu.control.set_settings(page_cap=cap)
    api = AppliveryClient("applivery-emu-admin-token", "acme", api_url=emu.url)
    mark = emu.control.last_seq()
    ids = [t["id"] for t in api.paginate(api.org_path(TOKENS))]
    gets = emu.control.summary(mark)["reads"]
    assert len(ids) == len(set(ids)) >= 1050
    assert gets == -(-len(ids) // cap), "one GET per page of the cap"
    assert ids == [t["id"] for t in api.paginate(api.org_path(TOKENS), read_ahead=1)], "the read-ahead keeps the order"
