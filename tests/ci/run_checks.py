"""Run the quality-gate steps of ``make test`` one after another.

    run_checks.py [--make MAKE] [--timeout SECONDS] STEP [STEP...]

Each STEP is a make target (``make --no-print-directory STEP``).  Every step
runs even when an earlier one failed; its outcome is recorded as

* ``passed``  - exit status 0
* ``skipped`` - exit status 77 (the step's input does not exist yet)
* ``failed``  - anything else, including running longer than --timeout

At the end a table (step, status, seconds) is printed, then the summary line
``N passed, M failed`` as the very last line.  The exit status is 1 when any
step failed.  Standard library only: this runs on the bare Python that
bootstraps everything else.
"""

import argparse
import os
import signal
import subprocess
import sys
import time

SKIP_STATUS = 77


def group_alive(pgid):
    try:
        os.killpg(pgid, 0)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def reap_group(pgid, step):
    """Stop whatever the step left running in its process group (servers a test forgot)."""
    if not group_alive(pgid):
        return
    print('run_checks: %s left processes behind; stopping them' % step, flush=True)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if not group_alive(pgid):
                return
            time.sleep(0.2)


def run_step(make, step, timeout):
    """Run one make target in its own process group; return (status, seconds)."""
    start = time.monotonic()
    proc = subprocess.Popen([make, '--no-print-directory', step],
                            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        print('run_checks: %s exceeded %ss, stopping it' % (step, timeout), flush=True)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=15)
                break
            except subprocess.TimeoutExpired:
                continue
        code = 124
    except KeyboardInterrupt:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait()
        raise
    reap_group(proc.pid, step)
    seconds = time.monotonic() - start
    if code == 0:
        return 'passed', seconds
    if code == SKIP_STATUS:
        return 'skipped', seconds
    return 'failed (exit %s)' % code, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--make', default=os.environ.get('MAKE', 'make'))
    parser.add_argument('--timeout', type=float, default=1800,
                        help='seconds one step may take (default: %(default)s)')
    parser.add_argument('steps', nargs='+')
    args = parser.parse_args()

    results = []
    total_start = time.monotonic()
    for index, step in enumerate(args.steps, 1):
        print('\n======== [%d/%d] %s ========' % (index, len(args.steps), step), flush=True)
        status, seconds = run_step(args.make, step, args.timeout)
        results.append((step, status, seconds))
        print('======== %s: %s (%.1f s) ========' % (step, status.upper(), seconds), flush=True)
    total = time.monotonic() - total_start

    statuses = [result[1] for result in results]
    passed = statuses.count('passed')
    skipped = statuses.count('skipped')
    failed = len(results) - passed - skipped

    width = max(len(result[0]) for result in results + [('total',)])
    row = '{0:<%d}  {1:<16} {2:>9}' % width
    rule = row.format('-' * width, '-' * 16, '-' * 9)
    print('\n' + row.format('step', 'status', 'seconds'))
    print(rule)
    for step, status, seconds in results:
        print(row.format(step, status, '%.1f' % seconds))
    print(rule)
    print(row.format('total', '', '%.1f' % total))
    if skipped:
        print('(%d step%s skipped: input not present yet)' % (skipped, '' if skipped == 1 else 's'))
    sys.stdout.flush()
    print('%d passed, %d failed' % (passed, failed), flush=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
