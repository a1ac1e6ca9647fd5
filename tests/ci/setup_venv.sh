#!/usr/bin/env bash
# Create or refresh one virtual environment, idempotently.
#
#   setup_venv.sh VENV_DIR PYTHON_X.Y SPEC [SPEC...]
#
# SPEC is either a pip requirement ("ansible-core==2.19.14") or a path to a
# requirements file ("requirements.txt"); requirement files that do not exist
# (yet) are skipped. A stamp file inside the venv records a hash of the Python
# version, the specs and the contents of the requirement files: when nothing
# changed, the venv is left alone (warm runs take well under a second); when
# they changed, the venv is updated in place with pip; a venv of another Python
# version (or a broken one) is rebuilt from scratch.
set -euo pipefail

venv=$1; pyver=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
log_dir=${CI_LOG_DIR:-build/logs}
mkdir -p "$log_dir"
log="$log_dir/pip-$(basename "$venv").log"

python=$("$here/find_python.sh" "$pyver")

pip_args=()
stamp_input="python=$pyver"$'\n'
for spec in "$@"; do
    if [[ "$spec" == *.txt ]]; then
        if [ -f "$spec" ]; then
            pip_args+=(-r "$spec")
            stamp_input+="file=$spec"$'\n'"$(cat "$spec")"$'\n'
        else
            echo "setup_venv: $spec does not exist (yet), not installing it"
            stamp_input+="missing=$spec"$'\n'
        fi
    else
        pip_args+=("$spec")
        stamp_input+="req=$spec"$'\n'
    fi
done
want=$(printf '%s' "$stamp_input" | sha256sum | cut -d' ' -f1)
stamp="$venv/.ci-stamp"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && "$venv/bin/python" -c '' 2>/dev/null; then
    echo "setup_venv: $venv is up to date (Python $pyver)"
    exit 0
fi

current=$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)
if [ "$current" = "$pyver" ]; then
    # requirements changed: update in place (quicker, and leaves the venv usable meanwhile)
    echo "setup_venv: updating $venv ($*)"
    rm -f "$stamp"
else
    echo "setup_venv: building $venv with $python ($*)"
    rm -rf "$venv"
    "$python" -m venv "$venv"
fi
if ! "$venv/bin/python" -m pip install --disable-pip-version-check --progress-bar off \
        "${pip_args[@]}" >"$log" 2>&1; then
    echo "setup_venv: pip install failed for $venv; last lines of $log:" >&2
    grep -v "is ignored: it is neither a file nor a directory" "$log" | tail -40 >&2
    exit 1
fi
"$venv/bin/python" -m pip freeze --disable-pip-version-check >"$venv/.ci-freeze.txt" 2>/dev/null || true
echo "$want" >"$stamp"
echo "setup_venv: $venv ready ($(grep -ci '^ansible-core==' "$venv/.ci-freeze.txt" >/dev/null && grep -i '^ansible-core==' "$venv/.ci-freeze.txt"))"
