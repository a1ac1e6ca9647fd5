"""Offline stand-in for the get-pip.py script that ansible-test downloads.

ansible-test bootstraps pip into every virtual environment it creates
(``ansible-test sanity --venv`` and friends) by running
``~/.ansible/test/cache/get_pip_<X_Y>.py`` with the pinned requirements as
arguments, e.g.::

    python get_pip_24_2.py --disable-pip-version-check pip==24.2 --no-setuptools --no-wheel

When that file is missing it downloads it from a host that only the internet
reaches.  ``make setup`` installs this script under that name instead and
puts the pinned wheels (fetched from the package index with
``pip download --no-deps``) into ``~/.ansible/test/cache/wheels/``.

All it does is unpack each requested ``name==version`` wheel into the running
interpreter's site-packages and write its console scripts, which is what
installing a pure-Python wheel amounts to.  It must run on every Python that
ansible-test supports as a target (3.8 and newer), so it uses the standard
library only.
"""

import os
import re
import sys
import sysconfig
import zipfile

WHEEL_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'wheels')

SCRIPT = """#!{python}
# -*- coding: utf-8 -*-
import sys
from {module} import {attr}
if __name__ == '__main__':
    sys.argv[0] = sys.argv[0].rsplit('/', 1)[-1]
    sys.exit({func}())
"""


def find_wheel(name, version):
    """Return the path of the cached wheel for name==version."""
    prefix = '%s-%s-' % (re.sub(r'[-_.]+', '_', name).lower(), version)
    for filename in sorted(os.listdir(WHEEL_DIR)) if os.path.isdir(WHEEL_DIR) else []:
        if filename.lower().startswith(prefix) and filename.endswith('.whl'):
            return os.path.join(WHEEL_DIR, filename)
    sys.exit('get_pip shim: no wheel for %s==%s in %s (run "make setup" to fetch it)' % (name, version, WHEEL_DIR))


def console_scripts(archive):
    """Yield (script name, module, attribute) for the wheel's console_scripts entry points."""
    entry_points = [n for n in archive.namelist() if re.match(r'^[^/]+\.dist-info/entry_points\.txt$', n)]
    section = None
    for raw in archive.read(entry_points[0]).decode('utf-8').splitlines() if entry_points else []:
        line = raw.strip()
        if line.startswith('['):
            section = line.strip('[]')
        elif section == 'console_scripts' and '=' in line:
            script, target = [part.strip() for part in line.split('=', 1)]
            module, attr = (target.split(':', 1) + [''])[:2]
            yield script, module.strip(), attr.split('[')[0].strip()


def install(wheel_path):
    """Unpack one pure-Python wheel into the current environment."""
    purelib = sysconfig.get_paths()['purelib']
    scripts_dir = sysconfig.get_paths()['scripts']
    with zipfile.ZipFile(wheel_path) as archive:
        archive.extractall(purelib)
        for dist_info in set(n.split('/', 1)[0] for n in archive.namelist() if '.dist-info/' in n):
            with open(os.path.join(purelib, dist_info, 'INSTALLER'), 'w') as installer:
                installer.write('ansible-test-get-pip-shim\n')
        scripts = dict((script, (module, attr)) for script, module, attr in console_scripts(archive))
    if 'pip' in scripts:
        # the wheel's pip3.N entry names the Python that built it: name ours instead
        for script in [s for s in scripts if re.match(r'^pip\d', s)]:
            del scripts[script]
        for alias in ('pip%d' % sys.version_info[0], 'pip%d.%d' % sys.version_info[:2]):
            scripts[alias] = scripts['pip']
    for script, (module, attr) in sorted(scripts.items()):
        path = os.path.join(scripts_dir, script)
        with open(path, 'w') as handle:
            handle.write(SCRIPT.format(python=sys.executable, module=module,
                                       attr=attr.split('.')[0], func=attr))
        os.chmod(path, 0o755)
    print('get_pip shim: installed %s' % os.path.basename(wheel_path))


def main():
    requested = [arg for arg in sys.argv[1:] if not arg.startswith('-')]
    if not requested:
        sys.exit('get_pip shim: nothing to install (arguments: %r)' % sys.argv[1:])
    for requirement in requested:
        name, sep, version = requirement.partition('==')
        if not sep:
            sys.exit('get_pip shim: only pinned "name==version" requirements are supported, got %r' % requirement)
        install(find_wheel(name.strip(), version.strip()))


if __name__ == '__main__':
    main()
