# Documentation site, live-tenant test mode and release check of applivery.mdm.
# Included by the Makefile (every mk/*.mk is); on its own: make -f Makefile -f mk/docs.mk <target>
#
#   make docs-site       build the HTML site (tests/docs/build_docsite.py: antsibull-docs + Sphinx, offline) into
#                        build/docsite/html, render it in headless Chromium and check it (step of make test);
#                        `make docs` (Makefile) builds the same site without the browser check
#   make test-live       probes and live-safe tests against a real tenant (APPLIVERY_* env vars), else "skipped"
#   make live-dry-run    test-live's runner against a local emulator as if it were a tenant (step of make test)
#   make release-check   build the tarball, galaxy-importer, install it into a fresh venv and use it (step of make test)

EXTRA_TEST_STEPS += docs-site release-check live-dry-run

DOCS_OUT := $(BUILD_DIR)/docsite
DOCS_REQS := tests/requirements-docs.txt
RELEASE_OUT := $(BUILD_DIR)/release
LIVE_OUT := $(BUILD_DIR)/live
LIVE_COLLECTIONS := $(LIVE_OUT)/collections
# Debian packages of the browser the docs check drives
DOCS_BROWSER_PACKAGES := chromium chromium-driver

.PHONY: docs-venv docs-browser docs-site test-live live-run live-dry-run release-check changelog-release

# The docs tools on top of .venv; a stamp in the venv remembers the requirements' hash, and
# disappears with the venv when setup-venv rebuilds it.
docs-venv: setup-venv
	@want=$$(sha256sum $(DOCS_REQS) | cut -d' ' -f1); \
	if [ "$$(cat $(VENV)/.docs-stamp 2>/dev/null)" = "$$want" ]; then \
		echo "docs-venv: $(DOCS_REQS) already installed in $(VENV)"; \
	else \
		mkdir -p $(LOG_DIR); echo "docs-venv: installing $(DOCS_REQS) into $(VENV)"; \
		if ! $(VENV)/bin/python -m pip install --disable-pip-version-check --progress-bar off \
				-r $(DOCS_REQS) >$(LOG_DIR)/pip-docs.log 2>&1; then \
			grep -v "is ignored: it is neither a file nor a directory" $(LOG_DIR)/pip-docs.log | tail -30; exit 1; fi; \
		echo "$$want" >$(VENV)/.docs-stamp; \
	fi

docs-browser:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then \
		echo "docs-browser: $$(/usr/bin/chromium --version 2>/dev/null | head -1)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		mkdir -p $(LOG_DIR); echo "docs-browser: apt-get install $(DOCS_BROWSER_PACKAGES)"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			$(DOCS_BROWSER_PACKAGES); } >$(LOG_DIR)/apt-docs-browser.log 2>&1 \
			|| { tail -20 $(LOG_DIR)/apt-docs-browser.log; exit 1; }; \
	else \
		echo "docs-browser: /usr/bin/chromium and /usr/bin/chromedriver are missing; install the Debian packages" \
			"$(DOCS_BROWSER_PACKAGES) (needs root)"; exit 1; \
	fi

docs-site: stage docs-venv docs-browser
	rm -rf $(DOCS_OUT)
	$(VENV)/bin/python tests/docs/build_docsite.py --collections-path $(COLLECTIONS_DIR) --dest $(DOCS_OUT) --bin $(VENV)/bin
	DOCSITE_HTML=$(DOCS_OUT)/html DOCSITE_SCREENSHOTS=$(DOCS_OUT)/screenshots DOCSITE_COLLECTION=$(STAGE) \
		$(VENV)/bin/python -m pytest -p no:cacheprovider -v -s tests/docs
	@ls -l $(DOCS_OUT)/screenshots

# The release artifact, as a user gets it: build, galaxy-importer (0 errors, 0 warnings), install into a
# fresh venv with plain ansible-galaxy, ansible-doc and the demo playbook from the installed copy,
# changelog lint and a release entry for galaxy.yml's version (tests/docs/release_check.py).
release-check: setup-venv stage
	$(VENV)/bin/python tests/docs/release_check.py --stage $(STAGE) --out $(RELEASE_OUT) --tools-venv $(VENV) \
		--python "$$($(CI)/find_python.sh $(PY_219))" --ansible-core $(ANSIBLE_CORE_219) \
		--emulator-python $(VENV)/bin/python --host-python $(HOST_PYTHON)

# Write the release entry of galaxy.yml's version from every fragment (kept, not deleted) into
# changelogs/changelog.yaml and CHANGELOG.rst; run it after adding or editing a fragment.
changelog-release: setup-venv stage
	$(VENV)/bin/python tests/docs/release_check.py --update-changelog --stage $(STAGE) --tools-venv $(VENV)

# Against a real tenant (tests/live/run_live.py; docs/docsite/rst/guide_api_assumptions.rst lists the
# variables). Without APPLIVERY_API_URL, APPLIVERY_API_TOKEN, APPLIVERY_ORGANIZATION, APPLIVERY_LIVE_POLICY
# and APPLIVERY_LIVE_EMAIL_DOMAIN it prints "skipped" and succeeds, before setting anything up.
test-live:
	@status=0; $(HOST_PYTHON) tests/live/run_live.py --check-env || status=$$?; \
	if [ $$status = 0 ]; then $(MAKE) --no-print-directory live-run; elif [ $$status != 3 ]; then exit $$status; fi

live-run: setup-venv stage
	@mkdir -p $(LIVE_OUT)
	$(VENV)/bin/python tests/live/run_live.py --collections-path $(COLLECTIONS_DIR) --stage $(STAGE) \
		--ansible-bin $(VENV)/bin --report $(LIVE_OUT)/report.json

# test-live's runner against a fresh emulator posing as a tenant: every checkable probe confirmed,
# the playbook passes, and the emulator's state shows nothing of the run left (tests/live/dry_run.py)
live-dry-run: setup-venv stage
	@mkdir -p $(LIVE_OUT)
	PYTHONPATH=tests PATH="$(VENV)/bin:$$PATH" $(VENV)/bin/python tests/live/dry_run.py --collections-path $(COLLECTIONS_DIR) \
		--stage $(STAGE) --ansible-bin $(VENV)/bin --out $(LIVE_OUT)
