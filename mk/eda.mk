# Event-Driven Ansible: the event source applivery.mdm.enrollment_events and its example rulebooks (issue 15),
# run by a real ansible-rulebook against the emulator.
#
#   make eda        the `make test` step: tests/eda (installs what it needs first)
#   make eda-venv   ansible-rulebook (tests/requirements-eda.txt, pinned) with ansible-core and the collection's
#                   requirements in .venv-eda, and a Java 17 runtime (ansible-rulebook's rule engine runs on the JVM):
#                   Debian's $(EDA_JAVA_PACKAGES) through apt-get when `java` is missing or older than 17
#
# Measured on the 2-core machine, warm: 52 s for the rulebook tests alone on a quiet machine; 2.5 minutes for all five
# tests (5 ansible-rulebook processes, 3 playbook runs) while other suites kept the load average at 12. A cold
# .venv-eda adds about 16 s of pip, a missing Java an apt-get install.

EXTRA_TEST_STEPS += eda

EDA_VENV := $(CURDIR)/.venv-eda
EDA_JAVA_PACKAGES := openjdk-17-jre-headless
EDA_PYTEST_ARGS ?=

.PHONY: eda eda-venv eda-java eda-clean

# java >= 17 on PATH, else Debian's package (as root)
eda-java:
	@major=$$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1); \
	if [ -n "$$major" ] && [ "$$major" -ge 17 ]; then \
		echo "eda-java: $$(java -version 2>&1 | head -1)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		mkdir -p $(LOG_DIR); echo "eda-java: apt-get install $(EDA_JAVA_PACKAGES)"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			$(EDA_JAVA_PACKAGES); } >$(LOG_DIR)/apt-eda-java.log 2>&1 \
			|| { tail -20 $(LOG_DIR)/apt-eda-java.log; exit 1; }; \
		java -version 2>&1 | head -1; \
	else \
		echo "eda-java: ansible-rulebook needs Java 17 or newer; install Debian's $(EDA_JAVA_PACKAGES) (needs root)"; exit 1; \
	fi

eda-venv: eda-java
	@$(CI)/setup_venv.sh $(EDA_VENV) $(PY_219) ansible-core==$(ANSIBLE_CORE_219) requirements.txt tests/requirements-eda.txt
	@$(EDA_VENV)/bin/ansible-rulebook --version | head -1

eda: setup-venv eda-venv stage
	PATH="$(VENV)/bin:$$PATH" PYTHONPATH=tests APPLIVERY_COLLECTIONS_PATH=$(COLLECTIONS_DIR) EDA_BIN=$(EDA_VENV)/bin \
		$(VENV)/bin/python -m pytest -p no:cacheprovider --durations=0 -rA $(EDA_PYTEST_ARGS) tests/eda

eda-clean:
	rm -rf $(EDA_VENV)

clean-all: eda-clean
