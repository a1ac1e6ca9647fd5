# -*- coding: utf-8 -*-
# Copyright: applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``make live-dry-run``: run make test-live's runner against a local API emulator as if it were a tenant.

    PYTHONPATH=tests dry_run.py --collections-path DIR --stage DIR --ansible-bin DIR --out DIR

1. without the APPLIVERY_* variables the runner must print "skipped" and exit 0;
2. an emulator is started (tests/emulator, seed org ``acme``) and the runner gets only what a live
   run gets: APPLIVERY_API_URL, APPLIVERY_API_TOKEN, APPLIVERY_ORGANIZATION, APPLIVERY_LIVE_POLICY
   ("Corporate Standard", on every platform), APPLIVERY_LIVE_EMAIL_DOMAIN, the Viewer token and
   APPLIVERY_LIVE_BULK_LIMIT=1. It never sees the emulator's control API;
3. the runner must exit 0, every checkable probe (C1-C9, C12-C14) must print "confirmed" with no part
   skipped, C10 and C11 "not checkable live", and the playbook must pass;
4. the ansible-test targets marked ``live/safe`` (the four enrollment_token_<platform> targets) must have
   run, as if live, and passed; their tokens must carry the run's tag and belong to the run's users
   (``amdm-<run id>-rhythm-<platform>@live-dry-run.example``, not the emulator-mode emails);
5. through the control API: every token created during the run is DELETED, and no user is left
   beyond the seeded ones (so no ``amdm-`` user either, including those the targets created);
6. a probe must also notice a tenant that differs: with the emulator's bulk endpoint switched to
   counting unknown emails as failures (instead of creating their users, contract C6), the C6 probe
   alone must print "differs" naming that, the runner must exit 1, and the cleanup must still leave
   nothing behind.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import json
import os
import re
import subprocess
import sys
import time

from emulator.harness import ADMIN_TOKEN, VIEWER_TOKEN, EmulatorProcess

HERE = os.path.dirname(os.path.abspath(__file__))
ORGANIZATION = 'acme'
PLATFORMS = ('android', 'apple', 'windows', 'aosp')
CHECKABLE = ('C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7', 'C8', 'C9', 'C12', 'C13', 'C14')
NOT_CHECKABLE = ('C10', 'C11')
DOMAIN = 'live-dry-run.example'
# the integration targets marked live/safe, in the order run_live.py lists them
LIVE_SAFE_TARGETS = tuple('enrollment_token_%s' % p for p in sorted(PLATFORMS))


def say(message):
    print('live-dry-run: %s' % message, flush=True)


def base_env():
    return dict((k, v) for k, v in os.environ.items() if not k.startswith('APPLIVERY_'))


def runner(args, env, report, extra=()):
    command = [sys.executable, os.path.join(HERE, 'run_live.py'), '--collections-path', args.collections_path,
               '--stage', args.stage, '--ansible-bin', args.ansible_bin, '--report', report] + list(extra)
    result = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    print(result.stdout, end='', flush=True)
    return result.returncode, result.stdout


def snapshot(control, tags=None):
    """``(tokens, users)``: token id -> (platform, state, owner email); user id -> email. ``tags``, if a dict, gets token id -> tags."""
    tokens = {}
    for platform in PLATFORMS:
        for token in control.state_tokens(ORGANIZATION, platform):
            tokens[token['id']] = (platform, token.get('state') or token.get('status'), (token.get('mdmUser') or {}).get('email'))
            if tags is not None:
                tags[token['id']] = token.get('tags') or []
    users = dict((u['id'], u['email']) for u in control.state_users(ORGANIZATION))
    return tokens, users


def check_targets(check, report, output, created, tags):
    """The live-safe ansible-test targets ran as if live, passed, and used the run's users only."""
    targets = report.get('targets') or {}
    check(targets.get('targets') == list(LIVE_SAFE_TARGETS) and targets.get('passed') is True and not targets.get('conflicts')
          and not set(LIVE_SAFE_TARGETS) & set(targets.get('not_live') or []),
          'the live-safe targets %s ran as if live and passed: %s' % (', '.join(LIVE_SAFE_TARGETS), json.dumps(targets, sort_keys=True)))
    check(re.search(r'^test-live: ansible-test integration \(live-safe\): %s$' % re.escape(', '.join(LIVE_SAFE_TARGETS)), output, re.M) is not None
          and re.search(r'^test-live: ansible-test targets: passed \(\d+ s\)$', output, re.M) is not None,
          'the runner printed that it ran them and that they passed')
    prefix = 'amdm-%s-' % report.get('run_id')
    for platform in PLATFORMS:
        rhythm = dict((i, t) for i, t in created.items() if t[0] == platform and 'rhythm' in tags.get(i, []))
        # AOSP tokens name only their user's id: the emails of the others must be the run user's
        foreign = sorted(set(t[2] for t in rhythm.values() if t[2] is not None) - set(['%srhythm-%s@%s' % (prefix, platform, DOMAIN)]))
        untagged = sorted(i for i in rhythm if 'amdm-run:%s' % report.get('run_id') not in tags[i])
        check(len(rhythm) >= 2 and not foreign and not untagged, 'enrollment_token_%s created %d tokens, tagged amdm-run:%s, for %srhythm-%s@%s only%s%s'
              % (platform, len(rhythm), report.get('run_id'), prefix, platform, DOMAIN, (': also ' + ', '.join(foreign)) if foreign else '',
                 (': untagged ' + ', '.join(untagged)) if untagged else ''))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--collections-path', required=True)
    parser.add_argument('--stage', required=True)
    parser.add_argument('--ansible-bin', required=True)
    parser.add_argument('--out', required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    failures = []

    def check(ok, text):
        say('%s %s' % ('PASS' if ok else 'FAIL', text))
        if not ok:
            failures.append(text)

    # 1. no tenant configured
    status, output = runner(args, base_env(), os.path.join(args.out, 'report-unconfigured.json'))
    check(status == 0 and 'test-live: skipped: no live tenant configured' in output, 'without APPLIVERY_* the runner says skipped and exits 0')

    # 2. the emulator as a tenant
    started = time.monotonic()
    with EmulatorProcess() as emulator:
        control = emulator.control
        tokens_before, users_before = snapshot(control)
        env = dict(base_env(), APPLIVERY_API_URL=emulator.url, APPLIVERY_API_TOKEN=ADMIN_TOKEN, APPLIVERY_ORGANIZATION=ORGANIZATION,
                   APPLIVERY_LIVE_POLICY='Corporate Standard', APPLIVERY_LIVE_EMAIL_DOMAIN=DOMAIN,
                   APPLIVERY_LIVE_VIEWER_TOKEN=VIEWER_TOKEN, APPLIVERY_LIVE_BULK_LIMIT='1')
        report_path = os.path.join(args.out, 'report.json')
        status, output = runner(args, env, report_path)
        check(status == 0, 'the runner exits 0 against the emulator (exit %s)' % status)
        with open(report_path) as handle:
            report = json.load(handle)

        # 3. probes, playbook
        verdicts = dict((p['contract'], p) for p in report.get('probes') or [])
        for contract in CHECKABLE:
            probe = verdicts.get(contract) or {}
            statuses = [part['status'] for part in probe.get('parts') or []]
            line = re.search(r'^test-live: probe %s\s+%s\s+confirmed \(\d+ checks\)$' % (contract, probe.get('probe')), output, re.M)
            check(probe.get('verdict') == 'confirmed' and statuses and set(statuses) == set(['confirmed']) and line is not None,
                  '%s %s: confirmed, %d checks%s' % (contract, probe.get('probe'), len(statuses),
                                                     '' if probe.get('verdict') == 'confirmed' else ' - ' + json.dumps(probe.get('parts'))))
        for contract in NOT_CHECKABLE:
            check((verdicts.get(contract) or {}).get('verdict') == 'not checkable live', '%s: not checkable live' % contract)
        check(bool(report.get('playbook') and report['playbook']['passed']), 'the playbook passed on every platform: %s'
              % (report.get('playbook') or {}).get('recap'))
        check(report.get('platforms') == list(PLATFORMS), 'all four platforms were exercised')

        # 4. the live-safe targets and 5. the cleanup, seen from the emulator's side
        tags = {}
        tokens_after, users_after = snapshot(control, tags)
        created = dict((i, t) for i, t in tokens_after.items() if i not in tokens_before)
        check_targets(check, report, output, created, tags)
        alive = ['%s %s %s (%s)' % (t[0], i, t[1], t[2]) for i, t in sorted(created.items()) if t[1] != 'DELETED']
        changed = ['%s %s -> %s' % (tokens_before[i][0], i, tokens_after.get(i)) for i in tokens_before if tokens_after.get(i) != tokens_before[i]]
        check(len(created) > 0 and not alive,
              '%d tokens created during the run, all DELETED%s' % (len(created), (': alive ' + ', '.join(alive[:10])) if alive else ''))
        check(not changed, 'the seeded tokens are untouched%s' % (': ' + ', '.join(changed[:10]) if changed else ''))
        extra_users = sorted(e for i, e in users_after.items() if i not in users_before)
        run_users = sorted(e for e in users_after.values() if e.startswith('amdm-'))
        leftover = ': ' + ', '.join((extra_users + run_users)[:10]) if extra_users or run_users else ''
        check(not extra_users and not run_users and users_after == users_before,
              'no user left beyond the seed (%d seeded, %d now)%s' % (len(users_before), len(users_after), leftover))
        check(report.get('cleanup', {}).get('users_removed', 0) > 0, 'the runner removed its %s run users'
              % report.get('cleanup', {}).get('users_removed'))

        # 6. a tenant that differs from the contract
        control.settings(bulk_creates_users=False)
        tokens_before, users_before = snapshot(control)
        status, output = runner(args, env, os.path.join(args.out, 'report-differs.json'), ['--only', 'c06_bulk', '--skip-ansible'])
        line = re.search(r'^test-live: probe C6\s+c06_bulk\s+differs: .*the unknown email got no MDM user.*$', output, re.M)
        check(status == 1 and line is not None and 'test-live: FAILED: 0 confirmed, 0 confirmed in part, 1 differ' in output,
              'with bulk_creates_users off, c06_bulk prints "differs" and the runner exits 1 (exit %s)' % status)
        tokens_after, users_after = snapshot(control)
        alive = sorted(i for i, t in tokens_after.items() if i not in tokens_before and t[1] != 'DELETED')
        check(not alive and users_after == users_before, 'after the differing run nothing is left (%d live tokens, %d extra users)'
              % (len(alive), len(set(users_after) - set(users_before))))

    say('%s in %.0f s' % ('all checks passed' if not failures else '%d check(s) FAILED' % len(failures), time.monotonic() - started))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
