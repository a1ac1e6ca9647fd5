# tests/reliability: faults, concurrency, bad input, secrets, TLS and timeouts, proven against the emulator
# with real ansible-playbook (and ansible-runner) runs of the staged collection.
#
#   make reliability        the `make test` step: every reliability test, 2,000 users per platform under faults
#   make test-reliability   the same at a larger scale (RELIABILITY_LONG_USERS per platform), with timings
#
# Measured on the 2-core machine in fresh-clone CI runs: `reliability` 5.5-6 minutes (78 tests; the 2,000-user
# fault run is about 1 minute of it), `test-reliability` at 5,000 users 9-12 minutes.

EXTRA_TEST_STEPS += reliability

RELIABILITY_LONG_USERS ?= 5000
RELIABILITY_PYTEST_ARGS ?=
# RELIABILITY_REQUIRE_RUNNER: test_secrets.py fails (instead of skipping) when ansible-runner is missing
RELIABILITY_ENV = PATH="$(VENV)/bin:$$PATH" PYTHONPATH=tests APPLIVERY_COLLECTIONS_PATH=$(COLLECTIONS_DIR) RELIABILITY_REQUIRE_RUNNER=1

.PHONY: reliability test-reliability reliability-deps

# ansible-runner (tests/requirements-reliability.txt) into .venv, only when it is missing
reliability-deps: setup-venv
	@$(VENV)/bin/python -c 'import ansible_runner' 2>/dev/null || \
		$(VENV)/bin/python -m pip install --quiet -r tests/requirements-reliability.txt

reliability: reliability-deps stage
	@if [ ! -d tests/reliability ]; then echo "skipped: tests/reliability does not exist yet"; exit 77; fi
	$(RELIABILITY_ENV) $(VENV)/bin/python -m pytest -p no:cacheprovider --durations=0 -rA $(RELIABILITY_PYTEST_ARGS) tests/reliability

test-reliability: reliability-deps stage
	$(RELIABILITY_ENV) RELIABILITY_FAULT_USERS=$(RELIABILITY_LONG_USERS) \
		$(VENV)/bin/python -m pytest -p no:cacheprovider --durations=0 -rA -s $(RELIABILITY_PYTEST_ARGS) tests/reliability
