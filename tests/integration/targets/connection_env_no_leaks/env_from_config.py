# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Print shell exports of the APPLIVERY_* variables taken from integration_config.yml."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import shlex
import sys

import yaml


def main():
    with open(sys.argv[1]) as handle:
        config = yaml.safe_load(handle)
    exports = {
        "APPLIVERY_API_URL": config["applivery_api_url"],
        "APPLIVERY_API_TOKEN": config["applivery_api_token"],
        "APPLIVERY_ORGANIZATION": config["applivery_organization"],
        "APPLIVERY_EMULATOR_URL": config["applivery_emulator_url"],
    }
    for name, value in sorted(exports.items()):
        print("export %s=%s" % (name, shlex.quote(str(value))))


if __name__ == "__main__":
    main()
