# -*- coding: utf-8 -*-
# Copyright: applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build the HTML documentation site of applivery.mdm with antsibull-docs and Sphinx, offline.

    build_docsite.py --collections-path DIR --dest DIR [--bin DIR]

``--collections-path`` holds ``ansible_collections/applivery/mdm`` (a staged copy of the
collection); the site is built into ``DEST/html`` from sources generated in ``DEST/site``.

1. ``antsibull-docs sphinx-init --use-current`` writes the Sphinx project (conf.py,
   antsibull-docs.cfg). The site's front page is tests/docs/site_index.rst, with a link to every
   extra doc (docs/docsite/extra-docs.yml, in its order) and every module, filter and role filled in.
2. conf.py gets an offline intersphinx setup: the only external references antsibull-docs
   generates point into the Ansible documentation, and ``ansible_devel.inv`` (written here)
   resolves exactly those labels to their docs.ansible.com pages, so the build never needs the
   network and still links to the right pages.
3. ``antsibull-docs collection --fail-on-error`` renders every plugin's DOCUMENTATION, the
   role's argument specs and the extra docs (docs/docsite/extra-docs.yml) to RST.
4. ``sphinx-build -W --keep-going -n`` builds the HTML: any warning, including a reference
   that does not resolve, fails the build.
5. The expected pages are checked to exist: one per module, filter and role, one per extra doc.

Exit status 0 when the site is complete, 1 otherwise.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import glob
import os
import shutil
import subprocess
import sys
import time
import re
import zlib

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
COLLECTION = 'applivery.mdm'
ANSIBLE_DOCS = 'https://docs.ansible.com/projects/ansible/devel/'
LABEL_RE = re.compile(r'^\.\. _([^:]+):\s*$')

# Labels of the Ansible documentation that generated pages refer to: label -> (page#anchor, title).
ANSIBLE_LABELS = {
    'common_return_values': ('reference_appendices/common_return_values.html#common-return-values', 'Return Values'),
    'ansible_configuration_settings': ('reference_appendices/config.html#ansible-configuration-settings',
                                       'Ansible Configuration Settings'),
    'module_defaults': ('playbook_guide/playbooks_module_defaults.html#module-defaults', 'Module defaults'),
    'check_mode_dry': ('playbook_guide/playbooks_checkmode.html#check-mode-dry', 'Validating tasks: check mode and diff mode'),
    'playbooks_vault': ('vault_guide/index.html#vault-guide-index', 'Protecting sensitive data with Ansible vault'),
}

CONF_APPENDIX = """

# ---- added by tests/docs/build_docsite.py: build offline -------------------------------------
# The only inventory is a local one that lists the Ansible documentation labels the generated pages
# use; links still point to docs.ansible.com.
intersphinx_mapping = {{
    'ansible_devel': ({url!r}, {inventory!r}),
}}
html_title = 'applivery.mdm collection documentation'
html_short_title = 'applivery.mdm'
html_last_updated_fmt = None
"""


def log(message):
    print('build_docsite: %s' % message, flush=True)


def run(command, cwd=None, env=None):
    log('$ %s' % ' '.join(command))
    started = time.monotonic()
    result = subprocess.run(command, cwd=cwd, env=env, check=False)
    log('  (%.1f s, exit %s)' % (time.monotonic() - started, result.returncode))
    if result.returncode != 0:
        raise SystemExit('build_docsite: %s failed with exit status %s' % (command[0], result.returncode))


def write_inventory(path):
    """Write a Sphinx (version 2) object inventory with ANSIBLE_LABELS."""
    lines = []
    for label in sorted(ANSIBLE_LABELS):
        uri, title = ANSIBLE_LABELS[label]
        lines.append('%s std:label -1 %s %s' % (label, uri, title))
    header = ('# Sphinx inventory version 2\n'
              '# Project: Ansible\n'
              '# Version: devel\n'
              '# The remainder of this file is compressed using zlib.\n')
    with open(path, 'wb') as handle:
        handle.write(header.encode('utf-8'))
        handle.write(zlib.compress(('\n'.join(lines) + '\n').encode('utf-8')))


def extra_docs(collection_root):
    """``[(section title, [(label, title), ...]), ...]`` from docs/docsite/extra-docs.yml and the RST files."""
    index = os.path.join(collection_root, 'docs', 'docsite', 'extra-docs.yml')
    if not os.path.exists(index):
        return []
    with open(index) as handle:
        sections = (yaml.safe_load(handle) or {}).get('sections') or []
    result = []
    for section in sections:
        docs = []
        for ref in section.get('toctree') or []:
            ref = ref['ref'] if isinstance(ref, dict) else ref
            with open(os.path.join(collection_root, 'docs', 'docsite', 'rst', ref + '.rst')) as handle:
                lines = handle.read().splitlines()
            labels = [m.group(1) for m in (LABEL_RE.match(line) for line in lines) if m]
            titles = [lines[i] for i in range(len(lines) - 1)
                      if lines[i].strip() and set(lines[i + 1]) == set('=') and len(lines[i + 1]) >= len(lines[i].strip())]
            if not labels or not titles:
                raise SystemExit('build_docsite: %s.rst needs a label and a title' % ref)
            docs.append((labels[0], titles[0].strip()))
        result.append((section.get('title') or '', docs))
    return result


def plugins(collection_root):
    """``[(kind label, [FQCN#type, ...]), ...]`` of the collection's modules, filters and roles."""
    found = []
    for label, folder, kind in (('Modules', 'modules', 'module'), ('Filters', 'filter', 'filter')):
        names = sorted(os.path.splitext(os.path.basename(p))[0]
                       for p in glob.glob(os.path.join(collection_root, 'plugins', folder, '*.py')))
        found.append((label, ['%s.%s#%s' % (COLLECTION, n, kind) for n in names if n != '__init__']))
    roles = sorted(os.path.basename(os.path.dirname(os.path.dirname(p)))
                   for p in glob.glob(os.path.join(collection_root, 'roles', '*', 'meta', 'argument_specs.yml')))
    found.append(('Roles', ['%s.%s#role' % (COLLECTION, n) for n in roles]))
    return [(label, names) for label, names in found if names]


def front_page(collection_root, path):
    """Write the site's index.rst from tests/docs/site_index.rst."""
    with open(os.path.join(HERE, 'site_index.rst')) as handle:
        text = handle.read()
    docs = []
    for dummy, entries in extra_docs(collection_root):
        for label, title in entries:
            docs.append('* :ref:`%s <%s>`' % (title.replace('<', r'\<'), label))
    refs = ['* %s: %s' % (label, ', '.join(':ansplugin:`%s`' % n for n in names)) for label, names in plugins(collection_root)]
    text = text.replace('@EXTRA_DOCS@', '\n'.join(docs)).replace('@PLUGINS@', '\n'.join(refs))
    with open(path, 'w') as handle:
        handle.write(text)


def expected_pages(collection_root):
    """HTML pages (relative to the site root) the collection's content must produce."""
    base = 'collections/applivery/mdm/'
    pages = ['index.html', base + 'index.html']
    for kind, folder in (('module', 'modules'), ('filter', 'filter')):
        for path in sorted(glob.glob(os.path.join(collection_root, 'plugins', folder, '*.py'))):
            name = os.path.splitext(os.path.basename(path))[0]
            if name != '__init__':
                pages.append('%s%s_%s.html' % (base, name, kind))
    for path in sorted(glob.glob(os.path.join(collection_root, 'roles', '*', 'meta', 'argument_specs.yml'))):
        pages.append('%s%s_role.html' % (base, os.path.basename(os.path.dirname(os.path.dirname(path)))))
    index = os.path.join(collection_root, 'docs', 'docsite', 'extra-docs.yml')
    if os.path.exists(index):
        with open(index) as handle:
            sections = (yaml.safe_load(handle) or {}).get('sections') or []
        prefix = 'ansible_collections.%s.docsite.' % COLLECTION
        for section in sections:
            for ref in section.get('toctree') or []:
                ref = ref['ref'] if isinstance(ref, dict) else ref
                pages.append('%sdocsite/%s.html' % (base, ref[len(prefix):] if ref.startswith(prefix) else ref))
    return pages


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--collections-path', required=True, help='directory holding ansible_collections/')
    parser.add_argument('--dest', required=True, help='output directory (site sources in DEST/site, HTML in DEST/html)')
    parser.add_argument('--bin', default=os.path.dirname(sys.executable), help='directory of antsibull-docs and sphinx-build')
    args = parser.parse_args()

    started = time.monotonic()
    collections_path = os.path.abspath(args.collections_path)
    collection_root = os.path.join(collections_path, 'ansible_collections', 'applivery', 'mdm')
    if not os.path.isfile(os.path.join(collection_root, 'galaxy.yml')):
        raise SystemExit('build_docsite: no collection at %s' % collection_root)
    dest = os.path.abspath(args.dest)
    site = os.path.join(dest, 'site')
    html = os.path.join(dest, 'html')
    for path in (site, html):
        shutil.rmtree(path, ignore_errors=True)
    # antsibull-docs wants its destination to exist and be writable by its owner only
    os.makedirs(site, mode=0o755)
    os.chmod(site, 0o755)

    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path,
               PATH=os.pathsep.join([args.bin, os.environ.get('PATH', '')]))
    env.pop('ANSIBLE_COLLECTIONS_PATHS', None)
    antsibull = os.path.join(args.bin, 'antsibull-docs')

    front = os.path.join(dest, 'index.rst')
    front_page(collection_root, front)
    run([antsibull, 'sphinx-init', '--use-current', '--fail-on-error', '--dest-dir', site,
         '--index-rst-source', front,
         '--project', 'applivery.mdm', '--copyright', 'applivery.mdm contributors, GPL-3.0-or-later',
         '--title', 'applivery.mdm collection documentation', '--html-short-title', 'applivery.mdm',
         COLLECTION], env=env)

    inventory = os.path.join(site, 'ansible_devel.inv')
    write_inventory(inventory)
    with open(os.path.join(site, 'conf.py'), 'a') as handle:
        handle.write(CONF_APPENDIX.format(url=ANSIBLE_DOCS, inventory=inventory))

    rst = os.path.join(site, 'rst')
    os.chmod(rst, 0o755)
    run([antsibull, '--config-file', os.path.join(site, 'antsibull-docs.cfg'), 'collection',
         '--cleanup', 'everything', '--fail-on-error', '--use-current', '--dest-dir', rst, COLLECTION], env=env)

    run([os.path.join(args.bin, 'sphinx-build'), '-b', 'html', '-W', '--keep-going', '-n', '-q',
         '-c', site, '-d', os.path.join(site, 'doctrees'), rst, html], env=env)

    missing = [page for page in expected_pages(collection_root) if not os.path.isfile(os.path.join(html, page))]
    if missing:
        for page in missing:
            log('missing page: %s' % page)
        return 1
    log('site complete: %d expected pages present in %s (%.1f s)'
        % (len(expected_pages(collection_root)), html, time.monotonic() - started))
    return 0


if __name__ == '__main__':
    sys.exit(main())
