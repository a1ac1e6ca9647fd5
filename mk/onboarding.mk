# System tests of the device onboarding feature (tests/system): the AWX credential type and execution
# environment, the onboarding playbook through ansible-runner, and the GitOps example pipeline, all against
# the emulator. Included by the Makefile (mk/*.mk); `make test` runs the step onboarding-system.
#   make onboarding-system            (before the hook lands: make -f Makefile -f mk/onboarding.mk onboarding-system)
#   make onboarding-bench             the 10,000-person benchmark (tests/perf/bench_onboarding.py)

EXTRA_TEST_STEPS += onboarding-system
SYSTEM_REQS := tests/requirements-system.txt
SYSTEM_STAMP = $(VENV)/.onboarding-system-stamp

.PHONY: onboarding-system onboarding-system-venv onboarding-bench

# .venv is rebuilt from scratch whenever its own requirements change (tests/ci/setup_venv.sh), which drops
# this stamp with it; so the stamp holds the hash of tests/requirements-system.txt and a missing or different
# stamp means "install".
onboarding-system-venv: setup-venv
	@want=$$(sha256sum $(SYSTEM_REQS) | cut -d' ' -f1); \
	if [ -f $(SYSTEM_STAMP) ] && [ "$$(cat $(SYSTEM_STAMP))" = "$$want" ]; then \
		echo "onboarding-system: $(SYSTEM_REQS) already installed in $(VENV)"; \
	else \
		echo "onboarding-system: installing $(SYSTEM_REQS) into $(VENV)"; \
		$(VENV)/bin/python -m pip install --disable-pip-version-check --progress-bar off -q -r $(SYSTEM_REQS) && \
		echo "$$want" > $(SYSTEM_STAMP); \
	fi

onboarding-system: onboarding-system-venv stage
	PYTHONPATH=tests ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS_DIR) $(VENV)/bin/python -m pytest -p no:cacheprovider tests/system

onboarding-bench: setup-venv stage
	PYTHONPATH=tests ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS_DIR) $(VENV)/bin/python tests/perf/bench_onboarding.py
