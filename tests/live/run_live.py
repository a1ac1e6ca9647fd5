# -*- coding: utf-8 -*-
# Copyright: applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the live-tenant checks of applivery.mdm: ``make test-live``.

    run_live.py --collections-path DIR [--report FILE] [--run-id ID] [--ansible-bin DIR] [--stage DIR]

Needs APPLIVERY_API_URL, APPLIVERY_API_TOKEN, APPLIVERY_ORGANIZATION, APPLIVERY_LIVE_POLICY and
APPLIVERY_LIVE_EMAIL_DOMAIN; without them it prints "skipped" and exits 0. Optional:
APPLIVERY_LIVE_PLATFORMS (default android,apple,windows,aosp), APPLIVERY_LIVE_VIEWER_TOKEN,
APPLIVERY_LIVE_BULK_LIMIT=1, APPLIVERY_VALIDATE_CERTS, APPLIVERY_CA_PATH.

1. removes leftovers of earlier runs that were killed (run users older than LEFTOVER_HOURS);
2. runs the probes of the API assumptions C1-C14 (probes.py), one line each: confirmed / differs;
3. runs the collection's modules against the tenant (tests/live/playbook.yml) with run users only;
4. runs the ansible-test integration targets that are live-safe: marked with the alias ``live/safe``
   (opt-in, so that a new target never reaches a real tenant by accident), and neither the target nor a
   target it depends on has the alias ``needs/emulator`` (the targets that reset the emulator, read its
   request log or move its clock; today the four enrollment_token_<platform> targets are live-safe and
   skip those steps when ``applivery_emulator_url`` is not defined). Their integration_config.yml holds
   the tenant and ``applivery_live_run_prefix``, ``applivery_live_email_domain`` and
   ``applivery_live_policy``; they must only create users whose email starts with that prefix;
5. always, even after a failure or SIGTERM: revokes every token of the run's users and deletes the
   users, then checks that none is left.

Everything the run creates belongs to a user ``amdm-<run id>-<name>@<domain>``. Exit status 0 when no
probe differs, the playbook and targets passed and the cleanup left nothing behind; 1 otherwise.
A JSON report (``--report``) has the details.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import datetime
import json
import os
import random
import signal
import subprocess
import sys
import time

REQUIRED = ('APPLIVERY_API_URL', 'APPLIVERY_API_TOKEN', 'APPLIVERY_ORGANIZATION', 'APPLIVERY_LIVE_POLICY', 'APPLIVERY_LIVE_EMAIL_DOMAIN')
ALL_PLATFORMS = ('android', 'apple', 'windows', 'aosp')
HERE = os.path.dirname(os.path.abspath(__file__))
LEFTOVER_HOURS = 6
EMULATOR_ALIAS = 'needs/emulator'
LIVE_ALIAS = 'live/safe'


def log(message):
    print('test-live: %s' % message, flush=True)


def new_run_id():
    return '%s-%04x' % (datetime.datetime.utcnow().strftime('%Y%m%d%H%M%S'), random.SystemRandom().randrange(1 << 16))


def env_flag(name):
    return (os.environ.get(name) or '').strip().lower() in ('1', 'true', 'yes', 'on')


# ---------------------------------------------------------------------------------------------- cleanup
def run_users(client, prefix, domain):
    """MDM users whose email starts with ``prefix`` and ends with ``@domain``."""
    suffix = '@' + domain.lower()
    return [u for u in client.paginate(client.org_path('mdm/users'), params={'search': prefix})
            if (u.get('email') or '').lower().startswith(prefix) and (u.get('email') or '').lower().endswith(suffix)]


def clean_up(client, api, platforms_module, users):
    """Revoke every live token of ``users`` on every platform, delete the users; return what is left behind."""
    ids = [u['id'] for u in users]
    left = {'tokens': [], 'users': [], 'errors': []}
    if not ids:
        return left
    for name in ALL_PLATFORMS:
        platform = platforms_module.PLATFORMS[name]
        try:
            tokens = [t for t in api.list_tokens(client, platform, user_ids=ids) if t['state'] != 'DELETED']
        except Exception as error:  # pylint: disable=broad-except
            left['errors'].append('listing %s tokens: %s' % (name, error))
            continue
        for token in tokens:
            try:
                client.delete(client.org_path(platform.token_path(token['id'])))
            except Exception as error:  # pylint: disable=broad-except
                left['errors'].append('revoking %s token %s: %s' % (name, token['id'], error))
        try:
            remaining = [t for t in api.list_tokens(client, platform, user_ids=ids) if t['state'] != 'DELETED']
        except Exception as error:  # pylint: disable=broad-except
            left['errors'].append('listing %s tokens again: %s' % (name, error))
            continue
        left['tokens'].extend('%s %s (%s, %s)' % (name, t['id'], t['state'], t.get('user_email') or t['user_id']) for t in remaining)
    for user in users:
        try:
            client.delete(client.org_path('mdm/users/%s' % user['id']))
        except Exception as error:  # pylint: disable=broad-except
            left['errors'].append('deleting user %s: %s' % (user.get('email'), error))
    for user in users:
        if api.get_user(client, user['id']) is not None:
            left['users'].append(user.get('email'))
    return left


def sweep_leftovers(client, api, platforms_module, domain, now):
    """Remove the users (and tokens) of earlier runs that are older than LEFTOVER_HOURS."""
    cutoff = (now - datetime.timedelta(hours=LEFTOVER_HOURS)).strftime('%Y-%m-%dT%H:%M:%S')
    old = [u for u in run_users(client, 'amdm-', domain) if (u.get('createdAt') or '9') < cutoff]
    if old:
        log('removing %d user(s) left by earlier runs: %s' % (len(old), ', '.join(u['email'] for u in old[:10])))
    return clean_up(client, api, platforms_module, old)


# ---------------------------------------------------------------------------------------------- ansible
def run_playbook(args, run_id, platforms):
    """The modules against the tenant, run users only (tests/live/playbook.yml)."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=args.collections_path, ANSIBLE_LOCALHOST_WARNING='false',
               ANSIBLE_INVENTORY_UNPARSED_WARNING='false', ANSIBLE_NOCOLOR='1', ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false')
    command = [os.path.join(args.ansible_bin, 'ansible-playbook'), os.path.join(HERE, 'playbook.yml'),
               '-e', json.dumps({'amdm_run_id': run_id, 'amdm_domain': os.environ['APPLIVERY_LIVE_EMAIL_DOMAIN'].lower(),
                                 'amdm_policy': os.environ['APPLIVERY_LIVE_POLICY'], 'amdm_platforms': platforms})]
    started = time.monotonic()
    result = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    output = result.stdout
    token = os.environ['APPLIVERY_API_TOKEN']
    leaked = token in output
    if leaked:
        output = output.replace(token, '<TOKEN>')
    recap = [line for line in output.splitlines() if line.startswith('localhost')]
    ok = result.returncode == 0 and not leaked
    log('playbook tests/live/playbook.yml: %s (%.0f s) %s%s'
        % ('passed' if ok else 'FAILED', time.monotonic() - started, recap[-1] if recap else '',
           ' - the API token appears in the output' if leaked else ''))
    if not ok:
        print('\n'.join(output.splitlines()[-60:]), flush=True)
    return {'passed': ok, 'seconds': round(time.monotonic() - started, 1), 'recap': recap[-1] if recap else None}


def target_aliases(targets_dir, name):
    path = os.path.join(targets_dir, name, 'aliases')
    if not os.path.isfile(path):
        return set()
    with open(path) as handle:
        return set(line.split('#')[0].strip() for line in handle if line.split('#')[0].strip())


def target_dependencies(targets_dir, name):
    path = os.path.join(targets_dir, name, 'meta', 'main.yml')
    if not os.path.isfile(path):
        return []
    import yaml  # pylint: disable=import-outside-toplevel
    with open(path) as handle:
        meta = yaml.safe_load(handle) or {}
    deps = []
    for dep in meta.get('dependencies') or []:
        deps.append(dep.get('role') if isinstance(dep, dict) else dep)
    return [d for d in deps if d]


def live_safe_targets(targets_dir):
    """``(safe, other, conflicts)`` target names: safe ones carry LIVE_ALIAS and neither they nor a dependency EMULATOR_ALIAS."""
    names = sorted(n for n in os.listdir(targets_dir) if os.path.isdir(os.path.join(targets_dir, n)))

    def needs_emulator(name, seen=()):
        if EMULATOR_ALIAS in target_aliases(targets_dir, name):
            return True
        return any(needs_emulator(dep, seen + (name,)) for dep in target_dependencies(targets_dir, name)
                   if dep in names and dep not in seen)
    safe, other, conflicts = [], [], []
    for name in names:
        aliases = target_aliases(targets_dir, name)
        if 'hidden' in aliases or 'disabled' in aliases or 'unsupported' in aliases:
            continue
        if LIVE_ALIAS in aliases and needs_emulator(name):
            conflicts.append(name)
        (safe if LIVE_ALIAS in aliases and not needs_emulator(name) else other).append(name)
    return safe, other, conflicts


def run_targets(args, run_id):
    stage = args.stage
    targets_dir = os.path.join(stage, 'tests', 'integration', 'targets')
    if not os.path.isdir(targets_dir):
        log('ansible-test targets: none (no %s)' % targets_dir)
        return {'passed': True, 'targets': [], 'not_live': []}
    safe, other, conflicts = live_safe_targets(targets_dir)
    if conflicts:
        log('ansible-test targets: %s carry %s but need the emulator (%s themselves or through a dependency)'
            % (', '.join(conflicts), LIVE_ALIAS, EMULATOR_ALIAS))
        return {'passed': False, 'targets': [], 'not_live': other, 'conflicts': conflicts}
    if not safe:
        log('ansible-test targets: none is marked %s; not run live: %s' % (LIVE_ALIAS, ', '.join(other)))
        return {'passed': True, 'targets': [], 'not_live': other}
    config = os.path.join(stage, 'tests', 'integration', 'integration_config.yml')
    with open(config, 'w') as handle:
        handle.write('# Written by tests/live/run_live.py for a run against a live tenant.\n')
        for key, name in (('applivery_api_url', 'APPLIVERY_API_URL'), ('applivery_api_token', 'APPLIVERY_API_TOKEN'),
                          ('applivery_organization', 'APPLIVERY_ORGANIZATION'), ('applivery_live_policy', 'APPLIVERY_LIVE_POLICY')):
            handle.write('%s: %s\n' % (key, json.dumps(os.environ[name])))
        handle.write('applivery_live_email_domain: %s\n' % json.dumps(os.environ['APPLIVERY_LIVE_EMAIL_DOMAIN'].strip().lower()))
        handle.write('applivery_live_run_prefix: %s\n' % json.dumps('amdm-%s-' % run_id))
    log('ansible-test integration (live-safe): %s' % ', '.join(safe))
    started = time.monotonic()
    try:
        result = subprocess.run([os.path.join(args.ansible_bin, 'ansible-test'), 'integration', '--local', '--color', 'no'] + safe,
                                cwd=stage, check=False)
    finally:
        os.remove(config)
    log('ansible-test targets: %s (%.0f s)' % ('passed' if result.returncode == 0 else 'FAILED', time.monotonic() - started))
    return {'passed': result.returncode == 0, 'targets': safe, 'not_live': other}


# ---------------------------------------------------------------------------------------------- main
def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--check-env', action='store_true',
                        help='only check the environment: exit 0 when a tenant is configured, else print "skipped" and exit 3')
    parser.add_argument('--collections-path', help='directory holding ansible_collections/applivery/mdm')
    parser.add_argument('--stage', help='the staged collection, for its integration targets (default: in --collections-path)')
    parser.add_argument('--ansible-bin', default=os.path.dirname(sys.executable), help='directory of ansible-playbook and ansible-test')
    parser.add_argument('--report', help='write a JSON report here')
    parser.add_argument('--run-id', default=None, help='run id (default: a timestamp and a random number)')
    parser.add_argument('--skip-ansible', action='store_true', help='probes only: no playbook, no ansible-test targets')
    parser.add_argument('--only', action='append', help='run only this probe (repeatable), for example c06_bulk')
    args = parser.parse_args()
    missing = [name for name in REQUIRED if not (os.environ.get(name) or '').strip()]
    if args.check_env:
        if missing:
            log('skipped: no live tenant configured (set %s)' % ', '.join(missing))
            return 3
        return 0
    if not args.collections_path:
        parser.error('--collections-path is required')
    args.collections_path = os.path.abspath(args.collections_path)
    args.stage = os.path.abspath(args.stage or os.path.join(args.collections_path, 'ansible_collections', 'applivery', 'mdm'))

    if missing:
        log('skipped: no live tenant configured (set %s)' % ', '.join(missing))
        if args.report:
            with open(args.report, 'w') as handle:
                json.dump({'skipped': True, 'missing': missing}, handle, indent=2)
        return 0

    sys.path.insert(0, args.collections_path)
    sys.path.insert(0, HERE)
    # pylint: disable=import-error,import-outside-toplevel
    import probes
    from ansible_collections.applivery.mdm.plugins.module_utils import _resources as api
    from ansible_collections.applivery.mdm.plugins.module_utils import _platforms as platforms_module

    run_id = (args.run_id or new_run_id()).lower()
    prefix = 'amdm-%s-' % run_id
    domain = os.environ['APPLIVERY_LIVE_EMAIL_DOMAIN'].strip().lower()
    platforms = [p.strip() for p in (os.environ.get('APPLIVERY_LIVE_PLATFORMS') or ','.join(ALL_PLATFORMS)).split(',') if p.strip()]
    unknown = [p for p in platforms if p not in ALL_PLATFORMS]
    if unknown:
        log('APPLIVERY_LIVE_PLATFORMS: unknown platform(s) %s' % ', '.join(unknown))
        return 2
    validate = (os.environ.get('APPLIVERY_VALIDATE_CERTS') or 'true').strip().lower() not in ('0', 'false', 'no', 'off')
    ctx = probes.Context(api_url=os.environ['APPLIVERY_API_URL'], api_token=os.environ['APPLIVERY_API_TOKEN'],
                         organization=os.environ['APPLIVERY_ORGANIZATION'], domain=domain,
                         policy_name=os.environ['APPLIVERY_LIVE_POLICY'], platforms=platforms, run_id=run_id,
                         viewer_token=os.environ.get('APPLIVERY_LIVE_VIEWER_TOKEN') or None,
                         bulk_limit=env_flag('APPLIVERY_LIVE_BULK_LIMIT'), validate_certs=validate,
                         ca_path=os.environ.get('APPLIVERY_CA_PATH') or None)
    log('run %s against %s, organization %s, platforms %s; run users %s*@%s'
        % (run_id, os.environ['APPLIVERY_API_URL'], os.environ['APPLIVERY_ORGANIZATION'], ','.join(ctx.platforms), prefix, domain))

    report = {'run_id': run_id, 'platforms': ctx.platforms, 'probes': [], 'playbook': None, 'targets': None}
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))  # run the finally clause on SIGTERM too
    started = time.monotonic()
    try:
        report['leftovers'] = sweep_leftovers(ctx.client, api, platforms_module, domain, ctx.started)
        report['probes'] = probes.run_probes(ctx, log=lambda line: log('probe %s' % line), only=args.only)
        if not args.skip_ansible:
            report['playbook'] = run_playbook(args, run_id, ctx.platforms)
            report['targets'] = run_targets(args, run_id)
    finally:
        users = run_users(ctx.client, prefix, domain)
        report['cleanup'] = clean_up(ctx.client, api, platforms_module, users)
        report['cleanup']['users_removed'] = len(users)
        left = report['cleanup']
        log('cleanup: %d run user(s) and their tokens removed; left behind: %d token(s), %d user(s)%s'
            % (len(users), len(left['tokens']), len(left['users']),
               ''.join('\n  %s' % item for item in left['tokens'] + left['users'] + left['errors'])))
        report['seconds'] = round(time.monotonic() - started, 1)
        if args.report:
            with open(args.report, 'w') as handle:
                json.dump(report, handle, indent=2, sort_keys=True)

    verdicts = [p['verdict'] for p in report['probes']]
    failed = []
    if 'differs' in verdicts:
        failed.append('%d probe(s) differ' % verdicts.count('differs'))
    if report['playbook'] is not None and not report['playbook']['passed']:
        failed.append('the playbook failed')
    if report['targets'] is not None and not report['targets']['passed']:
        failed.append('ansible-test targets failed')
    if left['tokens'] or left['users'] or left['errors']:
        failed.append('the cleanup left things behind')
    log('%s: %d confirmed, %d confirmed in part, %d differ, %d skipped, %d not checkable live (%.0f s)%s'
        % ('FAILED' if failed else 'passed', verdicts.count('confirmed'), verdicts.count('confirmed in part'), verdicts.count('differs'),
           verdicts.count('skipped'), verdicts.count('not checkable live'), report['seconds'],
           (' - ' + '; '.join(failed)) if failed else ''))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
