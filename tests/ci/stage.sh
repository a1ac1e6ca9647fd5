#!/usr/bin/env bash
# Copy the collection to build/ansible_collections/applivery/mdm.
#
# ansible-test only works inside .../ansible_collections/<namespace>/<name>
# (a symlink does not count), and CI clones this repository anywhere. The copy
# holds exactly the files git knows about (tracked + untracked-but-not-ignored),
# and gets its own git repository so that ansible-test sanity looks at those
# files only, not at venvs or caches. tests/output of a previous run is kept.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
dest=${1:-$root/build/ansible_collections/applivery/mdm}

mkdir -p "$dest"
list=$(mktemp)
trap 'rm -f "$list"' EXIT
(cd "$root" && git ls-files -co --exclude-standard -z) >"$list"

# start from a clean slate, but keep the copy's .git and ansible-test's output
find "$dest" -mindepth 1 -maxdepth 1 -not -name .git -not -name tests -exec rm -rf {} +
if [ -d "$dest/tests" ]; then
    find "$dest/tests" -mindepth 1 -maxdepth 1 -not -name output -exec rm -rf {} +
fi

# copy (tar keeps modes and symlinks; tracked files deleted from the work tree are skipped)
(cd "$root" && tr '\0' '\n' <"$list" | while IFS= read -r f; do
    if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
done | tar --null -T - -cf -) | (cd "$dest" && tar -xf -)

cd "$dest"
if [ ! -d .git ]; then
    git init -q .
fi
git add -A . >/dev/null 2>&1
echo "stage: $(git ls-files | wc -l) files in $dest"
