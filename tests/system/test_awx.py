# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWX / AAP pieces: the credential type (docs/awx/credential_type.yml) and the execution environment.

* The credential type injects exactly the environment variables the modules fall back to, and an AWX
  credential with only its required fields filled makes the modules work (optional fields render to
  values the modules accept), over http and over https with the credential's CA bundle.
* The execution environment's Python requirements cover every third-party import of plugins/.
"""

from __future__ import annotations

import ast
import importlib
import os
import re
import sys

import pytest
import yaml
from jinja2 import meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

from emulator.certificates import write_self_signed  # pylint: disable=import-error
from emulator.harness import ADMIN_TOKEN, EmulatorProcess  # pylint: disable=import-error
from system.conftest import ORGANIZATION, ROOT, ansible_env, collections_path, inject_credential, load_credential_type, run  # pylint: disable=import-error

# Third-party top-level packages plugins/ may import: the runtime dependencies and what they bring.
ALLOWED_THIRD_PARTY = {"requests", "jmespath", "urllib3"}
# A package that is not in requirements.txt itself but comes with one that is.
PROVIDED_BY = {"urllib3": "requests"}

INFO_PLAYBOOK = """
- name: Read tokens with the credential's environment only
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Alice's apple tokens
      applivery.mdm.enrollment_token_info:
        platform: apple
        user_email: alice@example.com
      register: info
    - name: Show the count
      ansible.builtin.debug:
        msg: "tokens={{ info.tokens | length }}"
"""


def staged_module_utils():
    """The staged collection's plugins.module_utils._module, imported as Ansible would import it."""
    path = collections_path()
    if path not in sys.path:
        sys.path.insert(0, path)
    return importlib.import_module("ansible_collections.applivery.mdm.plugins.module_utils._module")


# ---------------------------------------------------------------- the credential type


def test_credential_type_is_a_valid_awx_definition():
    ctype = load_credential_type()
    assert set(ctype) == {"name", "description", "kind", "inputs", "injectors"}
    assert ctype["kind"] == "cloud"
    fields = ctype["inputs"]["fields"]
    ids = [f["id"] for f in fields]
    assert len(ids) == len(set(ids))
    assert len(set(f["label"] for f in fields)) == len(fields)
    assert all(f.get("type", "string") in ("string", "boolean") for f in fields)
    assert set(ctype["inputs"]["required"]) == {"api_url", "api_token", "organization"}
    secret = [f["id"] for f in fields if f.get("secret")]
    assert secret == ["api_token"]
    # every template uses only the credential's fields, and tower (for tower.filename.<label>)
    sandbox = ImmutableSandboxedEnvironment()
    for template in list(ctype["injectors"]["env"].values()) + list(ctype["injectors"].get("file", {}).values()):
        assert meta.find_undeclared_variables(sandbox.parse(template)) <= set(ids) | {"tower"}, template
    assert all(label.startswith("template.") for label in ctype["injectors"].get("file", {}))
    assert "extra_vars" not in ctype["injectors"], "the token must not travel as an extra var"


def test_awx_guide_shows_the_shipped_definition():
    with open(os.path.join(ROOT, "docs", "docsite", "rst", "guide_awx.rst"), encoding="utf-8") as handle:
        guide = handle.read()
    start = guide.index("The definition:\n\n.. code-block:: yaml+jinja\n\n")
    block = guide[start:].split("\n\n", 3)[2]
    shown = yaml.safe_load("\n".join(line[3:] for line in block.splitlines()))
    assert shown == load_credential_type()


def test_injector_env_names_are_exactly_the_module_env_fallbacks():
    module = staged_module_utils()
    injected = set(load_credential_type()["injectors"]["env"])
    assert injected == set(module.CONNECTION_ENV.values())
    # and each of them really is the fallback of its option
    for option, variable in module.CONNECTION_ENV.items():
        assert module.CONNECTION_ARGUMENT_SPEC[option]["fallback"][1] == [variable]


def test_injector_env_names_check_fails_when_a_variable_is_renamed(monkeypatch):
    module = staged_module_utils()
    renamed = dict(module.CONNECTION_ENV, api_token="APPLIVERY_TOKEN")
    monkeypatch.setattr(module, "CONNECTION_ENV", renamed)
    with pytest.raises(AssertionError):
        test_injector_env_names_are_exactly_the_module_env_fallbacks()


def test_optional_fields_render_to_the_module_defaults(tmp_path):
    module = staged_module_utils()
    spec = module.CONNECTION_ARGUMENT_SPEC
    env = inject_credential(load_credential_type(), {"api_url": "https://api.example.test", "api_token": "t0ken", "organization": "acme"},
                            str(tmp_path))
    assert env["APPLIVERY_VALIDATE_CERTS"] == "true"
    assert env["APPLIVERY_CA_PATH"] == ""
    assert env["APPLIVERY_TIMEOUT"] == str(spec["timeout"]["default"])
    assert env["APPLIVERY_RETRIES"] == str(spec["retries"]["default"])
    api_url_field = [f for f in load_credential_type()["inputs"]["fields"] if f["id"] == "api_url"][0]
    assert api_url_field["default"] == spec["api_url"]["default"]
    skip = inject_credential(load_credential_type(), {"api_url": "https://x.test", "api_token": "t", "organization": "acme",
                                                      "skip_tls_verify": True, "timeout": "5", "retries": "0"}, str(tmp_path))
    assert (skip["APPLIVERY_VALIDATE_CERTS"], skip["APPLIVERY_TIMEOUT"], skip["APPLIVERY_RETRIES"]) == ("false", "5", "0")


def test_credential_env_alone_drives_the_modules(emu, credential_env, tmp_path):
    playbook = tmp_path / "info.yml"
    playbook.write_text(INFO_PLAYBOOK)
    result = run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), str(playbook), "-vvv"], ansible_env(credential_env))
    assert result.returncode == 0, result.stdout[-3000:]
    assert "tokens=1" in result.stdout
    assert ADMIN_TOKEN not in result.stdout + result.stderr
    assert emu.control.summary()["reads"] > 0


def test_ca_bundle_and_skip_tls_verify_fields_over_https(tmp_path):
    cert, key = write_self_signed(tmp_path)
    playbook = tmp_path / "info.yml"
    playbook.write_text(INFO_PLAYBOOK)
    ansible_playbook = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    ctype = load_credential_type()
    with EmulatorProcess(tls_cert=cert, tls_key=key) as emu:
        base = {"api_url": emu.url, "api_token": ADMIN_TOKEN, "organization": ORGANIZATION}
        outcomes = {}
        for case, extra in (("no CA", {}), ("CA bundle", {"ca_bundle": open(cert, encoding="ascii").read()}), ("skip verify", {"skip_tls_verify": True})):
            env = inject_credential(ctype, dict(base, **extra), str(tmp_path / case.replace(" ", "-")))
            # keep the machine's CA settings out of it: only the credential decides
            env = ansible_env(env)
            for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR"):
                env.pop(name, None)
            result = run([ansible_playbook, str(playbook)], env)
            outcomes[case] = (result.returncode, result.stdout + result.stderr)
            assert ADMIN_TOKEN not in result.stdout + result.stderr
    assert outcomes["no CA"][0] != 0 and "certificate" in outcomes["no CA"][1].lower()
    assert outcomes["CA bundle"][0] == 0 and "tokens=1" in outcomes["CA bundle"][1]
    assert outcomes["skip verify"][0] == 0 and "validate_certs is false" in outcomes["skip verify"][1]


# ---------------------------------------------------------------- the execution environment


def third_party_imports(directory):
    """{top-level module: [files]} of every absolute import under ``directory`` that is not stdlib,
    ansible, or this collection."""
    found = {}
    for base, _dirs, files in os.walk(directory):
        for name in files:
            if not name.endswith(".py"):
                continue
            path = os.path.join(base, name)
            with open(path, encoding="utf-8") as handle:
                tree = ast.parse(handle.read(), path)
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level:
                    modules = [node.module]
                else:
                    continue
                for module in modules:
                    top = module.split(".")[0]
                    if top in sys.stdlib_module_names or top in ("__future__", "ansible"):
                        continue
                    if top == "ansible_collections":
                        if not module.startswith("ansible_collections.applivery.mdm."):
                            found.setdefault(module, []).append(os.path.relpath(path, directory))
                        continue
                    found.setdefault(top, []).append(os.path.relpath(path, directory))
    return found


def requirement_names(path):
    names = set()
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.split("#", 1)[0].strip()
            if line:
                names.add(re.split(r"[\s<>=!~;\[]", line, maxsplit=1)[0].lower().replace("_", "-"))
    return names


def ee_definition():
    with open(os.path.join(ROOT, "meta", "execution-environment.yml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def test_ee_python_requirements_cover_every_third_party_import_of_plugins():
    ee = ee_definition()
    assert ee["version"] == 3
    python_file = os.path.join(ROOT, ee["dependencies"]["python"])
    assert os.path.isfile(python_file), python_file
    assert os.path.isfile(os.path.join(ROOT, ee["dependencies"]["system"]))
    required = requirement_names(python_file)
    imports = third_party_imports(os.path.join(ROOT, "plugins"))
    assert "requests" in imports and "jmespath" in imports, "the scan found none of the known imports: it is broken"
    unexpected = dict((module, files) for module, files in imports.items() if module not in ALLOWED_THIRD_PARTY)
    assert not unexpected, "plugins/ import packages that are not runtime dependencies: %s" % unexpected
    missing = sorted(m for m in imports if PROVIDED_BY.get(m, m) not in required)
    assert not missing, "%s is imported by plugins/ but not in %s" % (missing, ee["dependencies"]["python"])
    # and the EE needs nothing else: ansible-core comes with the base image
    assert required <= {"requests", "jmespath"}, required


def test_import_scan_finds_an_unlisted_package(tmp_path):
    (tmp_path / "x.py").write_text("import os\nimport yaml\nfrom ansible.module_utils.basic import AnsibleModule\n"
                                   "from ansible_collections.applivery.mdm.plugins.module_utils import api\n"
                                   "from ansible_collections.community.general.plugins.module_utils import y\n"
                                   "from . import sibling\ntry:\n    import boto3.session\nexcept ImportError:\n    pass\n")
    assert sorted(third_party_imports(str(tmp_path))) == ["ansible_collections.community.general.plugins.module_utils", "boto3", "yaml"]
