#!/usr/bin/env bash
# Print the path of a real (non-shim) interpreter for each requested Python X.Y.
#
#   find_python.sh 3.12            -> /root/.pyenv/versions/3.12.1/bin/python3.12
#   find_python.sh --dirs 3.8 3.9  -> colon-separated bin dirs of the versions found
#   find_python.sh --list 3.8 3.9  -> the versions found, space-separated
#
# pyenv shims only expose the global version, and ansible-test refuses to work
# through them, so prefer the concrete interpreters under $PYENV_ROOT/versions,
# then the usual system locations, then whatever is on PATH (verified to run).
set -u

find_one() {
    local ver=$1 cand
    local pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
    # newest patch release first
    for cand in $(find "$pyenv_root/versions" -mindepth 3 -maxdepth 3 -path "*/versions/$ver.*/bin/python$ver" 2>/dev/null | sort -V -r) \
                /usr/local/bin/python"$ver" /usr/bin/python"$ver" \
                "$(command -v python"$ver" 2>/dev/null)"; do
        if [ -z "$cand" ] || [ ! -x "$cand" ]; then
            continue
        fi
        case "$cand" in */shims/*) continue ;; esac
        if [ "$("$cand" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "$ver" ]; then
            echo "$cand"
            return 0
        fi
    done
    return 1
}

if [ "${1:-}" = "--dirs" ]; then
    shift
    dirs=""
    for v in "$@"; do
        p=$(find_one "$v") || continue
        d=$(dirname "$p")
        case ":$dirs:" in *":$d:"*) ;; *) dirs="${dirs:+$dirs:}$d" ;; esac
    done
    echo "$dirs"
    exit 0
fi

if [ "${1:-}" = "--list" ]; then
    shift
    found=""
    for v in "$@"; do
        find_one "$v" >/dev/null && found="${found:+$found }$v"
    done
    echo "$found"
    exit 0
fi

rc=0
for v in "$@"; do
    find_one "$v" || { echo "find_python.sh: no Python $v interpreter found" >&2; rc=1; }
done
exit $rc
