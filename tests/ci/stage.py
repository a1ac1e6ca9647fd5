"""Mirror the collection into build/ansible_collections/applivery/mdm.

    stage.py [DEST]

ansible-test only works inside ``.../ansible_collections/<namespace>/<name>``
(a symlink does not count), and CI clones this repository anywhere. The copy
holds exactly the files git knows about (tracked, plus untracked ones that are
not ignored) and gets its own git repository, so that ansible-test sanity looks
at those files only, not at venvs or caches.

The copy is updated in place: only changed files are rewritten (each one
atomically), files that are gone are removed, and ansible-test's tests/output
is kept, so a warm run is quick and a process reading the copy never sees a
half-written file. Standard library only.
"""

import os
import shutil
import stat
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_DEST = os.path.join(ROOT, 'build', 'ansible_collections', 'applivery', 'mdm')
# never touched in the copy
PRESERVED = ('.git', os.path.join('tests', 'output'))


def source_files():
    """The repository's files as git sees them (relative paths that exist)."""
    listing = subprocess.run(['git', 'ls-files', '-co', '--exclude-standard', '-z'], cwd=ROOT,
                             check=True, stdout=subprocess.PIPE).stdout.decode('utf-8')
    return sorted(set(path for path in listing.split('\0')
                      if path and os.path.lexists(os.path.join(ROOT, path))))


def same(src, dst):
    try:
        src_stat, dst_stat = os.lstat(src), os.lstat(dst)
    except FileNotFoundError:
        return False
    if stat.S_ISLNK(src_stat.st_mode) or stat.S_ISLNK(dst_stat.st_mode):
        return (stat.S_ISLNK(src_stat.st_mode) and stat.S_ISLNK(dst_stat.st_mode)
                and os.readlink(src) == os.readlink(dst))
    return (src_stat.st_size == dst_stat.st_size
            and int(src_stat.st_mtime) == int(dst_stat.st_mtime)
            and stat.S_IMODE(src_stat.st_mode) == stat.S_IMODE(dst_stat.st_mode))


def copy(src, dst):
    """Copy one file (or symlink) so that dst is replaced atomically."""
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if os.path.isdir(dst) and not os.path.islink(dst):
        shutil.rmtree(dst)
    tmp = '%s.stage-%d' % (dst, os.getpid())
    if os.path.islink(src):
        os.symlink(os.readlink(src), tmp)
    else:
        shutil.copy2(src, tmp)
    os.replace(tmp, dst)


def preserved(relative):
    return any(relative == keep or relative.startswith(keep + os.sep) for keep in PRESERVED)


def main():
    dest = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DEST
    os.makedirs(dest, exist_ok=True)
    files = source_files()
    wanted = set(files)

    changed = 0
    for relative in files:
        src, dst = os.path.join(ROOT, relative), os.path.join(dest, relative)
        if not same(src, dst):
            copy(src, dst)
            changed += 1

    removed = 0
    for directory, subdirs, filenames in os.walk(dest, topdown=True):
        rel_dir = os.path.relpath(directory, dest)
        rel_dir = '' if rel_dir == '.' else rel_dir
        subdirs[:] = [d for d in subdirs if not preserved(os.path.join(rel_dir, d))]
        for name in filenames:
            relative = os.path.join(rel_dir, name)
            if relative not in wanted and not preserved(relative):
                os.unlink(os.path.join(directory, name))
                removed += 1
    for directory, dummy_subdirs, dummy_files in os.walk(dest, topdown=False):
        rel_dir = os.path.relpath(directory, dest)
        if rel_dir != '.' and not preserved(rel_dir) and not os.listdir(directory):
            os.rmdir(directory)

    if not os.path.isdir(os.path.join(dest, '.git')):
        subprocess.run(['git', 'init', '-q', '.'], cwd=dest, check=True)
    subprocess.run(['git', 'add', '-A', '.'], cwd=dest, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print('stage: %d files in %s (%d updated, %d removed)' % (len(files), dest, changed, removed))


if __name__ == '__main__':
    main()
