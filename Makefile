# Quality gate and developer entry points for the applivery.mdm collection.
#
#   make demo   - list the emulator's seeded enrollment tokens with the collection
#   make test   - every check below, with a per-step table and "N passed, M failed"
#
# Everything (virtual environments, ansible-test's offline pip bootstrap, the
# staged copy of the collection) is created on demand from a bare Python 3.
# Helper scripts live in tests/ci/.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules

HOST_PYTHON ?= python3
CI := tests/ci
BUILD_DIR := $(CURDIR)/build
COLLECTIONS_DIR := $(BUILD_DIR)
STAGE := $(BUILD_DIR)/ansible_collections/applivery/mdm
LOG_DIR := $(BUILD_DIR)/logs
export CI_LOG_DIR := $(LOG_DIR)

# ansible-core lines under test: the default one (2.19, all tooling), the newest
# (2.21, needs Python >= 3.12) and the oldest that meta/runtime.yml claims (2.16).
# .venv also gets the emulator's requirements (integration, functional and system tests run the
# emulator with it); the unit tests are pure, so .venv-221 has only what ansible-test units needs.
ANSIBLE_CORE_219 ?= 2.19.14
ANSIBLE_CORE_221 ?= 2.21.5
ANSIBLE_CORE_216 ?= 2.16.19
VENV := $(CURDIR)/.venv
VENV_221 := $(CURDIR)/.venv-221
VENV_216 := $(CURDIR)/.venv-216
PY_219 := 3.11
# ansible-core 2.21 needs Python >= 3.12: take 3.12, else 3.13
ifndef PY_221
PY_221 := $(firstword $(shell $(CI)/find_python.sh --list 3.12 3.13) 3.12)
endif
PY_216 := 3.11
# sanity compile/import also runs on each of these that exists here
SANITY_PYTHONS ?= 3.8 3.9 3.10 3.11 3.12 3.13
# what `ansible-test units --local` needs, at the pins of tests/requirements-ci.txt
UNIT_TEST_REQS := $(shell grep -E '^(pytest|pytest-xdist|pytest-mock|mock|segno)==' tests/requirements-ci.txt)

# seconds one step of `make test` may run before it is stopped and failed
STEP_TIMEOUT ?= 1800

# the steps of `make test`, in order (each one is also a make target); mk/*.mk add theirs
# to EXTRA_TEST_STEPS, which run after the core ones
CORE_TEST_STEPS := setup \
	sanity-2.19 sanity-2.19-pythons sanity-2.21 \
	units-2.19 units-2.21 \
	emulator-tests \
	integration-2.21 integration-2.16 \
	ansible-lint docs-lint galaxy-importer ee-builder changelog-lint
EXTRA_TEST_STEPS :=
TEST_STEPS = $(CORE_TEST_STEPS) $(EXTRA_TEST_STEPS)

RUN_STEPS := $(HOST_PYTHON) $(CI)/run_checks.py --make "$(MAKE)" --timeout $(STEP_TIMEOUT)
# ansible-test must see real interpreters, not pyenv shims
# $(VENV)/bin: test tools that ansible-test sanity looks up on PATH (shellcheck)
ANSIBLE_TEST_PATH = $(shell $(CI)/find_python.sh --dirs $(SANITY_PYTHONS)):$(abspath $(VENV))/bin:$(PATH)
ANSIBLE_TEST_OPTS := --color no
SKIP := 77

# feature-specific targets and steps (docs site, reliability, system tests, ...)
-include $(sort $(wildcard mk/*.mk))

.PHONY: help test demo bench sanity units integration lint docs clean clean-all \
	setup setup-venv setup-venv-221 setup-venv-216 get-pip-shims stage docsite \
	$(CORE_TEST_STEPS)

help:
	@echo "make demo         list the seeded tokens, onboard playbooks/inventories/ twice, against a local emulator"
	@echo "make test         the whole quality gate: $(TEST_STEPS)"
	@echo "make sanity | units | integration | lint | docs   parts of it (docs also builds the HTML site)"
	@echo "any step above on its own: make <step>"
	@echo "make bench        tests/perf benchmarks (not part of make test; BENCH_ARGS=... passes options)"
	@echo "make clean        remove build/ and test output; clean-all also removes the venvs"

## ---------------------------------------------------------------- entry points

test:
	@$(RUN_STEPS) $(TEST_STEPS)

sanity:
	@$(RUN_STEPS) setup sanity-2.19 sanity-2.19-pythons sanity-2.21

units:
	@$(RUN_STEPS) setup units-2.19 units-2.21 emulator-tests functional

integration:
	@$(RUN_STEPS) setup integration-2.21 integration-2.16

lint:
	@$(RUN_STEPS) setup ansible-lint docs-lint changelog-lint

docs:
	@$(RUN_STEPS) setup docs-lint docsite

demo: setup-venv stage
	@$(HOST_PYTHON) $(CI)/with_emulator.py --python $(VENV)/bin/python -- \
		env ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS_DIR) ANSIBLE_LOCALHOST_WARNING=false \
		ANSIBLE_INVENTORY_UNPARSED_WARNING=false ANSIBLE_INJECT_FACT_VARS=false \
		$(CI)/demo.sh $(VENV)/bin/ansible-playbook $(BUILD_DIR)/demo-reports

bench: setup-venv stage
	@shopt -s nullglob; benches=(tests/perf/*.py); \
	if [ $${#benches[@]} -eq 0 ]; then echo "bench: no tests/perf/*.py yet"; exit 0; fi; \
	rc=0; for b in "$${benches[@]}"; do \
		echo "=== $$b"; \
		PATH="$(VENV)/bin:$$PATH" PYTHONPATH=tests ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS_DIR) \
			$(VENV)/bin/python $$b $(BENCH_ARGS) || rc=1; \
	done; exit $$rc

clean:
	rm -rf $(BUILD_DIR) tests/output tests/integration/integration_config.yml .pytest_cache

clean-all: clean
	rm -rf $(VENV) $(VENV_221) $(VENV_216)

## ---------------------------------------------------------------- setup

# the three venvs build in parallel (pip is mostly waiting on downloads), each logging to build/logs
setup:
	@$(MAKE) --no-print-directory -j3 --output-sync=target setup-venv setup-venv-221 setup-venv-216
	@$(MAKE) --no-print-directory get-pip-shims stage

setup-venv:
	@$(CI)/setup_venv.sh $(VENV) $(PY_219) ansible-core==$(ANSIBLE_CORE_219) \
		requirements.txt tests/requirements-ci.txt tests/requirements-emulator.txt

setup-venv-221:
	@$(CI)/setup_venv.sh $(VENV_221) $(PY_221) ansible-core==$(ANSIBLE_CORE_221) \
		requirements.txt $(UNIT_TEST_REQS)

setup-venv-216:
	@$(CI)/setup_venv.sh $(VENV_216) $(PY_216) ansible-core==$(ANSIBLE_CORE_216) requirements.txt

get-pip-shims:
	@$(CI)/install_get_pip_shims.sh $(VENV) $(VENV_221) $(VENV_216)

stage:
	@$(HOST_PYTHON) $(CI)/stage.py $(STAGE)

## ---------------------------------------------------------------- steps of make test

# all sanity tests; no tests/sanity/ignore-*.txt is allowed
sanity-2.19: stage
	@if ls tests/sanity/ignore-*.txt >/dev/null 2>&1; then \
		echo "tests/sanity/ignore-*.txt must not exist: fix the code instead"; exit 1; fi
	@echo "ansible-test sanity --venv --python $(PY_219)  (ansible-core $(ANSIBLE_CORE_219), in $(STAGE))"
	@cd $(STAGE) && PATH="$(ANSIBLE_TEST_PATH)" \
		$(VENV)/bin/ansible-test sanity --venv --python $(PY_219) $(ANSIBLE_TEST_OPTS)

sanity-2.19-pythons: stage
	cd $(STAGE) && $(CURDIR)/$(CI)/sanity_pythons.sh $(VENV) "$(PY_219)" $(SANITY_PYTHONS)

sanity-2.21: stage
	@echo "ansible-test sanity --venv --python $(PY_221)  (ansible-core $(ANSIBLE_CORE_221), in $(STAGE))"
	@cd $(STAGE) && PATH="$(ANSIBLE_TEST_PATH)" \
		$(VENV_221)/bin/ansible-test sanity --venv --python $(PY_221) $(ANSIBLE_TEST_OPTS)

units-2.19: stage
	cd $(STAGE) && $(VENV)/bin/ansible-test units --local --python $(PY_219) $(ANSIBLE_TEST_OPTS)

units-2.21: stage
	cd $(STAGE) && $(VENV_221)/bin/ansible-test units --local --python $(PY_221) $(ANSIBLE_TEST_OPTS)

emulator-tests:
	@if [ ! -d tests/emulator/tests ]; then echo "skipped: tests/emulator/tests does not exist yet"; exit $(SKIP); fi
	PYTHONPATH=tests $(VENV)/bin/python -m pytest -p no:cacheprovider tests/emulator/tests

# one emulator per run, reset before ansible-test starts; ansible-test runs targets one at a time
define run_integration
	@if [ -z "$$(find tests/integration/targets -mindepth 1 -maxdepth 1 -type d 2>/dev/null)" ]; then \
		echo "skipped: no integration targets yet"; exit $(SKIP); fi
	@if [ ! -f tests/emulator/__main__.py ]; then \
		echo "skipped: the emulator (tests/emulator/__main__.py) does not exist yet"; exit $(SKIP); fi
	$(HOST_PYTHON) $(CI)/with_emulator.py --python $(VENV)/bin/python \
		--config $(STAGE)/tests/integration/integration_config.yml \
		--config tests/integration/integration_config.yml -- \
		bash -c 'cd $(STAGE) && exec $(1)/bin/ansible-test integration --local --python $(2) \
			--continue-on-error $(ANSIBLE_TEST_OPTS)'
endef

integration-2.21: stage
	$(call run_integration,$(VENV_221),$(PY_221))

integration-2.16: stage
	$(call run_integration,$(VENV_216),$(PY_216))

ansible-lint: stage
	cd $(STAGE) && PATH="$(VENV)/bin:$$PATH" ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS_DIR) \
		ANSIBLE_LINT_SKIP_SCHEMA_UPDATE=1 $(VENV)/bin/ansible-lint --nocolor

docs-lint: stage
	cd $(STAGE) && PATH="$(VENV)/bin:$$PATH" ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS_DIR) \
		$(VENV)/bin/antsibull-docs lint-collection-docs --plugin-docs .

# the HTML docsite, built offline with antsibull-docs + Sphinx (warnings are errors);
# the docs-site step of make test (mk/docs.mk) builds it too and checks it in a browser
docsite: stage
	@if [ ! -f tests/docs/build_docsite.py ]; then echo "skipped: tests/docs/build_docsite.py does not exist yet"; exit $(SKIP); fi
	rm -rf $(BUILD_DIR)/docsite
	$(VENV)/bin/python tests/docs/build_docsite.py --collections-path $(COLLECTIONS_DIR) \
		--dest $(BUILD_DIR)/docsite --bin $(VENV)/bin

galaxy-importer: stage
	rm -rf $(BUILD_DIR)/dist && mkdir -p $(BUILD_DIR)/dist
	cd $(STAGE) && $(VENV)/bin/ansible-galaxy collection build --force --output-path $(BUILD_DIR)/dist
	cd $(BUILD_DIR)/dist && PATH="$(VENV)/bin:$$PATH" GALAXY_IMPORTER_CONFIG=$(CURDIR)/$(CI)/galaxy-importer.cfg \
		$(VENV)/bin/python -m galaxy_importer.main applivery-mdm-*.tar.gz 2>&1 | tee $(LOG_DIR)/galaxy-importer.log
	@if grep -n -E '(^|[^A-Za-z])ERROR' $(LOG_DIR)/galaxy-importer.log; then \
		echo "galaxy-importer reported errors (above)"; exit 1; fi

# ansible-builder resolves dependency files next to the EE file, galaxy's introspection
# relative to the collection root: lay them out as the collection root has them
ee-builder:
	rm -rf $(BUILD_DIR)/ee && mkdir -p $(BUILD_DIR)/ee
	cp meta/execution-environment.yml requirements.txt bindep.txt $(BUILD_DIR)/ee/
	cd $(BUILD_DIR)/ee && $(VENV)/bin/ansible-builder create --file execution-environment.yml \
		--context context --output-filename Containerfile --verbosity 2
	test -s $(BUILD_DIR)/ee/context/Containerfile

changelog-lint: stage
	cd $(STAGE) && $(VENV)/bin/antsibull-changelog lint
