# -*- coding: utf-8 -*-
# Copyright: applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check that the release artifact of applivery.mdm installs cleanly and works: ``make release-check``.

    release_check.py --stage DIR --out DIR --tools-venv VENV --python PY --ansible-core X.Y.Z

1. ``ansible-galaxy collection build`` of the staged copy (``--stage``) into OUT/dist;
2. galaxy-importer on the tarball (tests/ci/galaxy-importer.cfg): 0 errors and 0 warnings;
3. a fresh venv (OUT/venv, Python ``--python``) with only the runtime dependencies
   (ansible-core, requirements.txt), and a plain
   ``ansible-galaxy collection install <tarball> -p <tmp>/collections``;
4. from a directory outside the checkout, with ANSIBLE_COLLECTIONS_PATH set to that directory only:
   ``ansible-doc`` for every module, filter and role of the installed artifact (each must resolve to
   the installed files, and the artifact must hold every plugin of the checkout), then the demo
   playbook ``applivery.mdm.list_tokens`` against a freshly started API emulator;
5. ``antsibull-changelog lint`` is clean;
6. changelogs/changelog.yaml has a release entry for galaxy.yml's version, CHANGELOG.rst has its
   section, and both are in the tarball;
7. the release entry is up to date: generating it again from the fragments (see below) gives the
   committed changelogs/changelog.yaml and CHANGELOG.rst.

Every step prints PASS or FAIL; the exit status is 1 when any failed.

    release_check.py --update-changelog --stage DIR --tools-venv VENV   (``make changelog-release``)

writes the release entry for galaxy.yml's version from every fragment in changelogs/fragments:
``antsibull-changelog release --version V --update-existing --refresh-fragments`` in a scratch copy
with ``keep_fragments: true``, so that no fragment file is deleted and fragments added or edited
later are folded into the same, not yet published, release; then changelogs/changelog.yaml and
CHANGELOG.rst are copied back. Run it after adding or editing a fragment, and commit both files.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTION = 'applivery.mdm'
DEMO_PLAYBOOK = 'applivery.mdm.list_tokens'
PLATFORMS = ('android', 'apple', 'windows', 'aosp')
# tokens of the emulator's seed (tests/emulator/README.md): alice's token on each platform
# the seeded people whose tokens list_tokens prints, one table row each (email, state, expiry, the link's start)
SEEDED_PEOPLE = ('alice@example.com', 'bob@example.com')
CHANGELOG_FILES = (os.path.join('changelogs', 'changelog.yaml'), 'CHANGELOG.rst')
PROBLEM_RE = re.compile(r'(^|[^A-Za-z])(ERROR|WARNING)([^A-Za-z]|$)')


class Checker:
    """Runs named checks, prints PASS/FAIL per check, and remembers the failures."""

    def __init__(self):
        self.failures = []
        self.timings = []

    def check(self, name, ok, detail=''):
        print('release-check: %s %s%s' % ('PASS' if ok else 'FAIL', name, (': %s' % detail) if detail else ''), flush=True)
        if not ok:
            self.failures.append(name)
        return ok


def run(command, cwd=None, env=None, timeout=900):
    """Run a command; return (exit status, stdout, stderr) and echo a short trace."""
    started = time.monotonic()
    result = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True, timeout=timeout, check=False)
    print('release-check: $ %s  (exit %s, %.1f s)' % (' '.join(command), result.returncode, time.monotonic() - started),
          flush=True)
    return result.returncode, result.stdout, result.stderr


def tail(text, lines=30):
    return '\n'.join(text.strip().splitlines()[-lines:])


def galaxy_version():
    with open(os.path.join(ROOT, 'galaxy.yml')) as handle:
        return str(yaml.safe_load(handle)['version'])


def plugin_names(collection_root, folder):
    return sorted(os.path.splitext(os.path.basename(p))[0]
                  for p in glob.glob(os.path.join(collection_root, 'plugins', folder, '*.py'))
                  if os.path.basename(p) != '__init__.py')


def role_names(collection_root):
    return sorted(os.path.basename(os.path.dirname(os.path.dirname(p)))
                  for p in glob.glob(os.path.join(collection_root, 'roles', '*', 'meta', 'argument_specs.yml')))


def build(checker, args, version):
    dist = os.path.join(args.out, 'dist')
    shutil.rmtree(dist, ignore_errors=True)
    os.makedirs(dist)
    status, out, err = run([os.path.join(args.tools_venv, 'bin', 'ansible-galaxy'), 'collection', 'build', '--force',
                            '--output-path', dist], cwd=args.stage)
    tarball = os.path.join(dist, 'applivery-mdm-%s.tar.gz' % version)
    checker.check('build the tarball', status == 0 and os.path.isfile(tarball), tail(out + err) if status else tarball)
    return tarball if os.path.isfile(tarball) else None


def galaxy_importer(checker, args, tarball):
    env = dict(os.environ, GALAXY_IMPORTER_CONFIG=os.path.join(ROOT, 'tests', 'ci', 'galaxy-importer.cfg'),
               PATH=os.pathsep.join([os.path.join(args.tools_venv, 'bin'), os.environ.get('PATH', '')]))
    status, out, err = run([os.path.join(args.tools_venv, 'bin', 'python'), '-m', 'galaxy_importer.main', tarball],
                           cwd=os.path.dirname(tarball), env=env)
    log = out + err
    with open(os.path.join(args.out, 'galaxy-importer.log'), 'w') as handle:
        handle.write(log)
    problems = [line for line in log.splitlines() if PROBLEM_RE.search(line)]
    errors = [line for line in problems if 'ERROR' in line]
    warnings = [line for line in problems if 'ERROR' not in line]
    completed = 'Importer processing completed successfully' in log
    checker.check('galaxy-importer: completed, %d errors, %d warnings' % (len(errors), len(warnings)),
                  status == 0 and completed and not problems,
                  '\n'.join(problems[:40]) if problems else ('' if completed and status == 0 else tail(log)))


def fresh_venv(checker, args):
    venv = os.path.join(args.out, 'venv')
    shutil.rmtree(venv, ignore_errors=True)
    status, out, err = run([args.python, '-m', 'venv', venv])
    if not checker.check('create a fresh venv (%s)' % args.python, status == 0, tail(out + err)):
        return None
    status, out, err = run([os.path.join(venv, 'bin', 'python'), '-m', 'pip', 'install', '--disable-pip-version-check',
                            '--progress-bar', 'off', 'ansible-core==%s' % args.ansible_core,
                            '-r', os.path.join(ROOT, 'requirements.txt')])
    checker.check('install ansible-core %s and requirements.txt (runtime dependencies only)' % args.ansible_core,
                  status == 0, tail(out + err) if status else '')
    return venv if status == 0 else None


def install(checker, venv, tarball, workdir, version):
    collections = os.path.join(workdir, 'collections')
    status, out, err = run([os.path.join(venv, 'bin', 'ansible-galaxy'), 'collection', 'install', tarball, '-p', collections],
                           cwd=workdir, env=clean_env(venv, None))
    installed = os.path.join(collections, 'ansible_collections', 'applivery', 'mdm')
    with_manifest = os.path.isfile(os.path.join(installed, 'MANIFEST.json'))
    checker.check('ansible-galaxy collection install <tarball> -p <tmp>', status == 0 and with_manifest
                  and ('applivery.mdm:%s was installed successfully' % version) in out, tail(out + err))
    return collections if with_manifest else None


def clean_env(venv, collections):
    """The environment of a user who has only the fresh venv and the installed collection."""
    env = dict((k, v) for k, v in os.environ.items()
               if not k.startswith('ANSIBLE_') and k not in ('PYTHONPATH', 'VIRTUAL_ENV'))
    env['PATH'] = os.pathsep.join([os.path.join(venv, 'bin'), '/usr/local/bin', '/usr/bin', '/bin'])
    env['ANSIBLE_COLLECTIONS_SCAN_SYS_PATH'] = 'false'
    env['ANSIBLE_NOCOLOR'] = '1'
    if collections:
        env['ANSIBLE_COLLECTIONS_PATH'] = collections
    return env


def use_installed(checker, args, venv, collections, workdir, version):
    env = clean_env(venv, collections)
    installed = os.path.join(collections, 'ansible_collections', 'applivery', 'mdm')
    status, out, err = run([os.path.join(venv, 'bin', 'ansible-galaxy'), 'collection', 'list', COLLECTION, '--format', 'json'],
                           cwd=workdir, env=env)
    try:
        listed = json.loads(out)
    except ValueError:
        listed = {}
    found = dict((path, entries.get(COLLECTION, {}).get('version')) for path, entries in listed.items())
    checker.check('ansible-galaxy collection list sees only the installed %s %s' % (COLLECTION, version),
                  status == 0 and found == {os.path.join(collections, 'ansible_collections'): version}, json.dumps(found))

    wanted = [('module', n) for n in plugin_names(ROOT, 'modules')] + [('filter', n) for n in plugin_names(ROOT, 'filter')] \
        + [('role', n) for n in role_names(ROOT)]
    shipped = [('module', n) for n in plugin_names(installed, 'modules')] + [('filter', n) for n in plugin_names(installed, 'filter')] \
        + [('role', n) for n in role_names(installed)]
    checker.check('the artifact holds every module, filter and role of the checkout (%d)' % len(wanted),
                  sorted(wanted) == sorted(shipped), 'checkout %s, artifact %s' % (wanted, shipped))
    for kind, name in shipped:
        fqcn = '%s.%s' % (COLLECTION, name)
        status, out, err = run([os.path.join(venv, 'bin', 'ansible-doc', ), '-t', kind, '--json', fqcn], cwd=workdir, env=env)
        try:
            doc = json.loads(out)[fqcn]
        except (ValueError, KeyError):
            doc = {}
        if kind == 'role':
            filename = doc.get('path') or ''
            summary = ((doc.get('entry_points') or {}).get('main') or {}).get('short_description')
        else:
            filename = (doc.get('doc') or {}).get('filename') or ''
            summary = (doc.get('doc') or {}).get('short_description')
        text_status, text, text_err = run([os.path.join(venv, 'bin', 'ansible-doc', ), '-t', kind, fqcn], cwd=workdir, env=env)
        problems = [line for line in (err + text_err).splitlines() if '[WARNING]' in line or '[ERROR]' in line]
        checker.check('ansible-doc -t %s %s' % (kind, fqcn),
                      status == 0 and text_status == 0 and bool(summary) and filename.startswith(installed)
                      and fqcn in text and not problems,
                      'summary %r, from %s%s' % (summary, filename, ('; ' + '; '.join(problems)) if problems else ''))

    # the demo playbook, shipped in the collection, against a local API emulator
    command = [args.host_python, os.path.join(ROOT, 'tests', 'ci', 'with_emulator.py'), '--python', args.emulator_python,
               '--', os.path.join(venv, 'bin', 'ansible-playbook'), DEMO_PLAYBOOK]
    demo_env = dict(env, ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false')
    status, out, err = run(command, cwd=workdir, env=demo_env)
    with open(os.path.join(args.out, 'demo.log'), 'w') as handle:
        handle.write(out + err)
    counts = dict(re.findall(r'"(android|apple|windows|aosp): (\d+) token\(s\)"', out))
    rows = re.findall(r'"([\w.+-]+@[\w.-]+) +(PENDING|DONE|EXPIRED|PROCESSING|DELETED) ', out)
    seeded = [person for person in SEEDED_PEOPLE if sum(1 for email, _state in rows if email == person) == len(PLATFORMS)]
    checker.check('ansible-playbook %s from the artifact against the emulator' % DEMO_PLAYBOOK,
                  status == 0 and re.search(r'localhost\s+: ok=\d+\s+changed=0\s+unreachable=0\s+failed=0', out) is not None
                  and sorted(counts) == sorted(PLATFORMS) and all(int(n) > 0 for n in counts.values())
                  and len(seeded) == len(SEEDED_PEOPLE) and '[WARNING]' not in out + err,
                  'token counts %s, %d of %d seeded people listed on every platform%s'
                  % (counts, len(seeded), len(SEEDED_PEOPLE), '' if status == 0 else '\n' + tail(out + err)))


def changelog(checker, args, version, tarball):
    status, out, err = run([os.path.join(args.tools_venv, 'bin', 'antsibull-changelog'), 'lint'], cwd=args.stage)
    checker.check('antsibull-changelog lint is clean', status == 0 and not (out + err).strip(), tail(out + err))

    with open(os.path.join(ROOT, 'changelogs', 'changelog.yaml')) as handle:
        releases = (yaml.safe_load(handle) or {}).get('releases') or {}
    entry = releases.get(version) or {}
    checker.check('changelogs/changelog.yaml has a release entry for %s (galaxy.yml)' % version,
                  bool(entry.get('release_date')) and bool(entry.get('changes') or entry.get('fragments')),
                  'releases: %s' % ', '.join(sorted(releases)) or 'none')
    rst = os.path.join(ROOT, 'CHANGELOG.rst')
    text = open(rst).read() if os.path.isfile(rst) else ''
    checker.check('CHANGELOG.rst has a v%s section' % version, re.search(r'^v%s\n[=~^-]+$' % re.escape(version), text, re.M) is not None)
    try:
        generated = generate_changelog(args.tools_venv, args.stage, version, str(entry.get('release_date') or ''))
    except RuntimeError as error:
        generated = {}
        checker.check('the %s release entry can be generated from the fragments' % version, False, str(error))
    if generated:
        stale = []
        for relative, text in sorted(generated.items()):
            path = os.path.join(ROOT, relative)
            if not os.path.isfile(path) or open(path).read() != text:
                stale.append(relative)
        checker.check('the %s release entry holds every fragment as it is now' % version, not stale,
                      '%s differ from what the fragments give: run `make changelog-release` and commit them'
                      % ' and '.join(stale) if stale else '')
    if tarball:
        with tarfile.open(tarball) as archive:
            names = archive.getnames()
            packed = archive.extractfile('changelogs/changelog.yaml').read() if 'changelogs/changelog.yaml' in names else b''
        checker.check('the tarball ships CHANGELOG.rst and the %s release entry' % version,
                      'CHANGELOG.rst' in names and version in ((yaml.safe_load(packed) or {}).get('releases') or {}))


def generate_changelog(tools_venv, stage, version, date):
    """Run the release in a scratch copy of ``stage``; return {relative path: generated text}."""
    scratch = tempfile.mkdtemp(prefix='amdm-changelog-')
    try:
        copy = os.path.join(scratch, 'ansible_collections', 'applivery', 'mdm')
        shutil.copytree(stage, copy, ignore=shutil.ignore_patterns('.git', 'output', '.plugin-cache.yaml'))
        config_path = os.path.join(copy, 'changelogs', 'config.yaml')
        with open(config_path) as handle:
            config = yaml.safe_load(handle)
        config['keep_fragments'] = True
        with open(config_path, 'w') as handle:
            yaml.safe_dump(config, handle, default_flow_style=False)
        env = dict(os.environ, PATH=os.pathsep.join([os.path.join(tools_venv, 'bin'), os.environ.get('PATH', '')]))
        command = [os.path.join(tools_venv, 'bin', 'antsibull-changelog'), 'release', '--version', version, '--date', date,
                   '--update-existing', '--refresh-fragments', 'without-archives']
        # Twice: the run that creates the entry leaves out what a refresh of an existing entry adds (the
        # trivial section), so only the second run gives the fixed point that later runs reproduce.
        for dummy in range(2):
            status, out, err = run(command, cwd=copy, env=env)
            if status != 0:
                raise RuntimeError('antsibull-changelog release failed: %s' % tail(out + err))
        generated = {}
        for relative in CHANGELOG_FILES:
            with open(os.path.join(copy, relative)) as handle:
                generated[relative] = handle.read()
        return generated
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def committed_release_date(version):
    with open(os.path.join(ROOT, 'changelogs', 'changelog.yaml')) as handle:
        entry = ((yaml.safe_load(handle) or {}).get('releases') or {}).get(version) or {}
    return str(entry.get('release_date') or '')


def update_changelog(args):
    """``make changelog-release``: write the release entry of galaxy.yml's version into the checkout."""
    version = galaxy_version()
    date = committed_release_date(version) or time.strftime('%Y-%m-%d', time.gmtime())
    for relative, text in generate_changelog(args.tools_venv, args.stage, version, date).items():
        with open(os.path.join(ROOT, relative), 'w') as handle:
            handle.write(text)
        print('release-check: wrote %s (release %s of %s)' % (relative, version, date))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--update-changelog', action='store_true', help='write the release entry and exit')
    parser.add_argument('--stage', required=True, help='staged copy of the collection (ansible_collections/applivery/mdm)')
    parser.add_argument('--out', help='output directory (tarball, logs, fresh venv)')
    parser.add_argument('--tools-venv', required=True, help='venv with ansible-core, galaxy-importer, antsibull-changelog')
    parser.add_argument('--python', help='interpreter of the fresh venv')
    parser.add_argument('--ansible-core', help='ansible-core version for the fresh venv')
    parser.add_argument('--emulator-python', help='interpreter that runs the API emulator')
    parser.add_argument('--host-python', default=sys.executable, help='interpreter for tests/ci/with_emulator.py')
    args = parser.parse_args()
    args.tools_venv = os.path.abspath(args.tools_venv)
    args.stage = os.path.abspath(args.stage)
    if args.update_changelog:
        return update_changelog(args)
    missing = [name for name in ('out', 'python', 'ansible_core', 'emulator_python') if not getattr(args, name)]
    if missing:
        parser.error('missing: %s' % ', '.join('--' + name.replace('_', '-') for name in missing))
    args.out = os.path.abspath(args.out)
    os.makedirs(args.out, exist_ok=True)

    started = time.monotonic()
    checker = Checker()
    version = galaxy_version()
    tarball = build(checker, args, version)
    if tarball:
        galaxy_importer(checker, args, tarball)
        venv = fresh_venv(checker, args)
        workdir = tempfile.mkdtemp(prefix='amdm-release-')  # outside the checkout on purpose
        try:
            collections = install(checker, venv, tarball, workdir, version) if venv else None
            if collections:
                use_installed(checker, args, venv, collections, workdir, version)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    changelog(checker, args, version, tarball)

    outcome = '%d check(s) FAILED' % len(checker.failures) if checker.failures else 'all checks passed'
    print('release-check: %s in %.0f s%s' % (outcome, time.monotonic() - started, ''.join('\n  - %s' % f for f in checker.failures)),
          flush=True)
    return 1 if checker.failures else 0


if __name__ == '__main__':
    sys.exit(main())
