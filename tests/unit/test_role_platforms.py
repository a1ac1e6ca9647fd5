# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The device_onboarding role has one bulk task per platform of the platform table, and reads back exactly those results.

The role spells the platforms out (one task each, see the comment in tasks/main.yml); this test keeps that list
and the register names in vars/main.yml equal to _platforms.PLATFORM_NAMES.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

import pytest
import yaml

from ansible_collections.applivery.mdm.plugins.module_utils._platforms import PLATFORM_NAMES

ROLE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "roles", "device_onboarding")
BULK_MODULES = ("applivery.mdm.enrollment_token_bulk", "enrollment_token_bulk")
REGISTER_PREFIX = "__applivery_run_"


def load(*parts):
    with open(os.path.join(ROLE, *parts)) as handle:
        return yaml.safe_load(handle)


def walk(tasks):
    """Every task, including those inside blocks."""
    for task in tasks or []:
        yield task
        for key in ("block", "rescue", "always"):
            yield from walk(task.get(key))


@pytest.fixture(scope="module")
def bulk_tasks():
    """The tasks that reconcile a platform: the bulk module, registered as ``__applivery_run_<platform>``.

    Other bulk tasks (a check over every platform, say) register other names and are not counted here.
    """
    tasks = [task for task in walk(load("tasks", "main.yml")) if any(module in task for module in BULK_MODULES)]
    return [task for task in tasks if task.get("register", "").startswith(REGISTER_PREFIX)]


def test_one_bulk_task_per_platform_registered_under_its_name(bulk_tasks):
    platforms = [task["register"][len(REGISTER_PREFIX):] for task in bulk_tasks]
    assert sorted(platforms) == sorted(set(platforms)), "a platform has two bulk tasks: %s" % platforms
    assert set(platforms) == set(PLATFORM_NAMES)


def test_each_bulk_task_runs_its_own_platform(bulk_tasks):
    for task in bulk_tasks:
        platform = task["register"][len(REGISTER_PREFIX):]
        assert task["vars"]["__applivery_platform"] == platform
        assert "'%s' in __applivery_platforms" % platform in task["when"]
        assert platform in task["name"]


def test_vars_read_back_every_registered_platform_and_label_it():
    runs = load("vars", "main.yml")["__applivery_runs"]
    registered = re.findall(r"\b%s(\w+)\b" % REGISTER_PREFIX, runs)
    labelled = re.findall(r"'__applivery_platform':\s*'(\w+)'", runs)
    assert sorted(registered) == sorted(set(registered)) and set(registered) == set(PLATFORM_NAMES)
    assert labelled == registered, "each registered result is labelled with its own platform"
