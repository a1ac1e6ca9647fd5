#!/usr/bin/env bash
# ansible-test sanity --test compile --test import on several Pythons.
#
#   sanity_pythons.sh VENV "SKIP_VERSIONS" VERSION [VERSION...]
#
# Run from the staged collection. Each VERSION that the ansible-core in VENV
# supports and that has a real interpreter on this machine is tested; the
# others are reported as skipped. SKIP_VERSIONS (space-separated) are left out
# because another step already covers them. Exit status: 0 all passed,
# 1 any failed, 77 nothing could run.
set -uo pipefail

venv=$1; skip_versions=" $2 "; shift 2
here=$(cd "$(dirname "$0")" && pwd)

supported=" $("$venv/bin/python" -c '
from ansible_test._util.target.common.constants import CONTROLLER_PYTHON_VERSIONS, REMOTE_ONLY_PYTHON_VERSIONS
print(" ".join(REMOTE_ONLY_PYTHON_VERSIONS + CONTROLLER_PYTHON_VERSIONS))') "
core=$("$venv/bin/python" -c 'from ansible.release import __version__; print(__version__)')
PATH="$("$here/find_python.sh" --dirs "$@"):$PATH"
export PATH

ran=0; failed=""; summary=""
for v in "$@"; do
    if [[ "$skip_versions" == *" $v "* ]]; then
        continue
    elif [[ "$supported" != *" $v "* ]]; then
        summary+="  Python $v: skipped (ansible-core $core does not support it)"$'\n'
    elif ! "$here/find_python.sh" "$v" >/dev/null 2>&1; then
        summary+="  Python $v: skipped (no interpreter on this machine)"$'\n'
    else
        echo "--- ansible-core $core: sanity compile + import on Python $v"
        ran=$((ran + 1))
        if "$venv/bin/ansible-test" sanity --venv --color no --python "$v" --test compile --test import; then
            summary+="  Python $v: passed"$'\n'
        else
            summary+="  Python $v: FAILED"$'\n'
            failed+=" $v"
        fi
    fi
done
echo "sanity compile/import with ansible-core $core:"
printf '%s' "$summary"
if [ -n "$failed" ]; then
    exit 1
elif [ "$ran" -eq 0 ]; then
    exit 77
fi
