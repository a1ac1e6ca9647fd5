#!/usr/bin/env bash
# Make ansible-test's pip bootstrap work without its download host.
#
#   install_get_pip_shims.sh VENV [VENV...]
#
# For the ansible-core installed in each VENV: read the pip (and, for older
# releases, setuptools/wheel) versions that ansible-test pins for new virtual
# environments, fetch those wheels from the package index once, and install
# tests/ci/get_pip_shim.py as ~/.ansible/test/cache/get_pip_<X_Y>.py.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${ANSIBLE_TEST_CACHE_DIR:-$HOME/.ansible/test/cache}
mkdir -p "$cache/wheels"

for venv in "$@"; do
    if [ ! -x "$venv/bin/ansible-test" ]; then
        echo "get-pip shims: $venv has no ansible-test, skipping it"
        continue
    fi
    # name==version lines, e.g. "pip==24.2"
    pins=$("$venv/bin/python" - <<'PY'
import types
from ansible_test._internal.python_requirements import get_venv_packages
for name, version in get_venv_packages(types.SimpleNamespace(version='3.99')).items():
    print('%s==%s' % (name, version))
PY
)
    pip_version=$(sed -n 's/^pip==//p' <<<"$pins")
    for pin in $pins; do
        name=${pin%%==*}; version=${pin##*==}
        if ! ls "$cache/wheels/${name//-/_}-$version-"*.whl >/dev/null 2>&1; then
            echo "get-pip shims: downloading $pin"
            "$venv/bin/python" -m pip download --disable-pip-version-check -q --no-deps \
                --only-binary :all: -d "$cache/wheels" "$pin" 2>&1 \
                | grep -v "is ignored: it is neither a file nor a directory" || true
            ls "$cache/wheels/${name//-/_}-$version-"*.whl >/dev/null
        fi
    done
    target="$cache/get_pip_${pip_version//./_}.py"
    if ! cmp -s "$here/get_pip_shim.py" "$target"; then
        cp "$here/get_pip_shim.py" "$target"
    fi
    echo "get-pip shims: $(basename "$venv") -> $target (${pins//$'\n'/ })"
done
