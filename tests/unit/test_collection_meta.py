# -*- coding: utf-8 -*-
# Copyright: applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Consistency checks on the collection's metadata (galaxy.yml, meta/runtime.yml).

Runs under ``ansible-test units`` (from the collection root, or a copy of it at
ansible_collections/applivery/mdm) and under plain pytest.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

import pytest
import yaml

# tests/unit/test_collection_meta.py -> the collection root
COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODULES_DIR = os.path.join(COLLECTION_ROOT, 'plugins', 'modules')

REQUIRED_TAGS = {'applivery', 'mdm', 'enrollment', 'android', 'apple', 'windows'}


def load_yaml(*parts):
    with open(os.path.join(COLLECTION_ROOT, *parts)) as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope='module')
def galaxy():
    return load_yaml('galaxy.yml')


@pytest.fixture(scope='module')
def runtime():
    return load_yaml('meta', 'runtime.yml')


def module_names():
    return sorted(
        os.path.splitext(name)[0]
        for name in os.listdir(MODULES_DIR)
        if name.endswith('.py') and name != '__init__.py' and not name.startswith('_')
    ) if os.path.isdir(MODULES_DIR) else []


def action_group(runtime):
    groups = runtime.get('action_groups') or {}
    assert 'applivery' in groups, 'meta/runtime.yml has no action_groups.applivery'
    return [entry for entry in groups['applivery'] if isinstance(entry, str)]


def test_every_module_is_in_the_action_group(runtime):
    missing = sorted(set(module_names()) - set(action_group(runtime)))
    assert not missing, ('modules missing from action_groups.applivery in meta/runtime.yml: %s'
                         % ', '.join(missing))


def test_action_group_lists_only_existing_modules(runtime):
    stale = sorted(set(action_group(runtime)) - set(module_names()))
    assert not stale, ('action_groups.applivery in meta/runtime.yml lists modules that do not exist '
                       'in plugins/modules/: %s' % ', '.join(stale))


def test_action_group_has_no_duplicates(runtime):
    group = action_group(runtime)
    duplicates = sorted(set(name for name in group if group.count(name) > 1))
    assert not duplicates, 'action_groups.applivery lists these more than once: %s' % ', '.join(duplicates)


def test_requires_ansible(runtime):
    assert runtime.get('requires_ansible') == '>=2.16.0'


def test_galaxy_identity(galaxy):
    assert galaxy['namespace'] == 'applivery'
    assert galaxy['name'] == 'mdm'
    assert re.match(r'^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$', str(galaxy['version'])), galaxy['version']


def test_user_agent_version_is_the_galaxy_version(galaxy):
    from ansible_collections.applivery.mdm.plugins.module_utils._version import COLLECTION_VERSION  # pylint: disable=import-outside-toplevel
    assert COLLECTION_VERSION == str(galaxy['version']), 'plugins/module_utils/_version.py must follow galaxy.yml'


def test_galaxy_license(galaxy):
    assert galaxy.get('license') == ['GPL-3.0-or-later']
    assert 'license_file' not in galaxy, 'use either license or license_file, not both'


def test_galaxy_tags(galaxy):
    tags = galaxy.get('tags') or []
    missing = sorted(REQUIRED_TAGS - set(tags))
    assert not missing, 'galaxy.yml tags lack: %s' % ', '.join(missing)
    assert len(tags) <= 20, 'Galaxy accepts at most 20 tags'
    bad = [tag for tag in tags if not re.match(r'^[a-z0-9_]{1,64}$', str(tag))]
    assert not bad, 'Galaxy tags must match [a-z0-9_]+: %s' % bad


def test_galaxy_required_fields(galaxy):
    for field in ('readme', 'authors', 'description', 'repository'):
        assert galaxy.get(field), 'galaxy.yml: %s is required' % field
    assert galaxy['readme'] == 'README.md'
    assert isinstance(galaxy.get('dependencies', {}), dict)


def test_galaxy_build_ignore_keeps_tarball_clean(galaxy):
    ignored = set(galaxy.get('build_ignore') or [])
    for pattern in ('tests/output', 'tests/integration/integration_config.yml', 'build', '.venv*'):
        assert pattern in ignored, 'galaxy.yml build_ignore should contain %r' % pattern
