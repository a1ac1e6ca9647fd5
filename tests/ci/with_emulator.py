"""Run a command against a freshly started Applivery API emulator.

    with_emulator.py [--python PY] [--config PATH]... [--no-reset] -- COMMAND [ARG...]

1. starts ``PYTHONPATH=tests PY -m emulator --host 127.0.0.1 --port 0`` from
   the repository root; the emulator prints its base URL as its first line;
2. writes the ansible-test integration config (see ``write_config``) to each
   ``--config`` path;
3. resets the emulator (``POST <URL>/_emulator/reset``);
4. runs COMMAND with APPLIVERY_API_URL, APPLIVERY_API_TOKEN,
   APPLIVERY_ORGANIZATION and APPLIVERY_EMULATOR_URL set;
5. stops the emulator whatever happened, and exits with COMMAND's status.

Standard library only.
"""

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

ADMIN_TOKEN = 'applivery-emu-admin-token'
ORGANIZATION = 'acme'

CONFIG_TEMPLATE = """\
# Written by tests/ci/with_emulator.py for one run against the local emulator.
applivery_api_url: {url}
applivery_emulator_url: {url}/_emulator
applivery_api_token: applivery-emu-admin-token
applivery_developer_token: applivery-emu-developer-token
applivery_viewer_token: applivery-emu-viewer-token
applivery_other_org_token: applivery-emu-other-org-token
applivery_organization: acme
applivery_small_organization: tiny-shop
"""


def log(message):
    print('with_emulator: %s' % message, file=sys.stderr, flush=True)


def start_emulator(python, startup_timeout):
    """Start the emulator; return (process, base URL)."""
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        [os.path.join(ROOT, 'tests')] + ([env['PYTHONPATH']] if env.get('PYTHONPATH') else []))
    env['PYTHONUNBUFFERED'] = '1'
    proc = subprocess.Popen([python, '-m', 'emulator', '--host', '127.0.0.1', '--port', '0'],
                            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            universal_newlines=True)
    first_line = []
    reader = threading.Thread(target=lambda: first_line.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(startup_timeout)
    url = first_line[0].strip() if first_line else ''
    if not url.startswith('http'):
        stop_emulator(proc)
        raise SystemExit('with_emulator: the emulator did not print its URL within %ss (got %r, exit %s)'
                         % (startup_timeout, url, proc.poll()))
    # keep draining stdout so the emulator never blocks on a full pipe
    threading.Thread(target=drain, args=(proc.stdout,), daemon=True).start()
    return proc, url.rstrip('/')


def drain(stream):
    """Read and drop everything from stream."""
    for dummy in stream:
        pass


def stop_emulator(proc):
    if proc.poll() is not None:
        log('the emulator had already exited, with status %s' % proc.returncode)
        return
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            proc.send_signal(sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def reset(url, attempts=50):
    """POST <url>/_emulator/reset, retrying while the server comes up."""
    last_error = None
    for dummy in range(attempts):
        try:
            request = urllib.request.Request(url + '/_emulator/reset', data=b'', method='POST')
            with urllib.request.urlopen(request, timeout=10) as response:
                if response.status < 300:
                    return
        except Exception as error:  # pylint: disable=broad-except
            last_error = error
        time.sleep(0.2)
    raise SystemExit('with_emulator: could not reset the emulator at %s: %s' % (url, last_error))


def write_config(path, url):
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        log('not writing %s (no such directory)' % path)
        return
    with open(path, 'w') as handle:
        handle.write(CONFIG_TEMPLATE.format(url=url))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--python', default=sys.executable, help='interpreter that runs the emulator')
    parser.add_argument('--config', action='append', default=[], help='integration_config.yml to write')
    parser.add_argument('--no-reset', action='store_true', help='do not reset the emulator first')
    parser.add_argument('--startup-timeout', type=float, default=60)
    parser.add_argument('command', nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ['--'] else args.command
    if not command:
        parser.error('no command given')

    proc, url = start_emulator(args.python, args.startup_timeout)
    log('emulator pid %s at %s' % (proc.pid, url))
    child = None
    try:
        for path in args.config:
            write_config(path, url)
        if not args.no_reset:
            reset(url)
        env = dict(os.environ,
                   APPLIVERY_API_URL=url,
                   APPLIVERY_API_TOKEN=ADMIN_TOKEN,
                   APPLIVERY_ORGANIZATION=ORGANIZATION,
                   APPLIVERY_EMULATOR_URL=url + '/_emulator')
        child = subprocess.Popen(command, env=env)
        return child.wait()
    except KeyboardInterrupt:
        if child is not None:
            child.terminate()
            child.wait()
        return 130
    finally:
        stop_emulator(proc)
        log('emulator stopped')


if __name__ == '__main__':
    # turn SIGTERM into a normal exit so that the finally clause stops the emulator
    signal.signal(signal.SIGTERM, lambda *args: sys.exit(143))
    sys.exit(main())
