# Onboarding kits (tests/kit): the device_onboarding role with applivery_onboarding_kit and the applivery.mdm.kit
# playbook against one emulator, the sheets rendered in headless Chromium, their QR codes decoded from screenshots
# with zxing-cpp, index.html printed to PDF (one page per sheet, A4 and Letter), file modes, check mode, byte-identical
# regeneration and the message without segno. Included by the Makefile (mk/*.mk); `make test` runs the step kit.
#
#   make kit              the step; screenshots and PDFs in build/kit. Measured on the 2-core machine: 12 tests,
#                         80-90 s wall on a quiet machine (about 50 s of CPU: 8 ansible-playbook/-runner runs,
#                         6 Chromium runs), 4-5 minutes while other suites load it to a load average of 13
#   make kit-screenshot   the step, then copy the AOSP sheet's screenshot to the guide's picture
#                         (docs/images/onboarding-kit-sheet.png; commit it when the sheet's look changes)

EXTRA_TEST_STEPS += kit

KIT_REQS := tests/requirements-kit.txt
KIT_STAMP = $(VENV)/.kit-stamp
KIT_OUT := $(BUILD_DIR)/kit
KIT_PICTURE := docs/images/onboarding-kit-sheet.png

.PHONY: kit kit-venv kit-screenshot

# segno, zxing-cpp, pillow and pypdf into .venv; the stamp holds the requirements' hash and goes with the venv
# when setup-venv rebuilds it
kit-venv: setup-venv
	@want=$$(sha256sum $(KIT_REQS) | cut -d' ' -f1); \
	if [ "$$(cat $(KIT_STAMP) 2>/dev/null)" = "$$want" ]; then \
		echo "kit-venv: $(KIT_REQS) already installed in $(VENV)"; \
	else \
		mkdir -p $(LOG_DIR); echo "kit-venv: installing $(KIT_REQS) into $(VENV)"; \
		if ! $(VENV)/bin/python -m pip install --disable-pip-version-check --progress-bar off \
				-r $(KIT_REQS) >$(LOG_DIR)/pip-kit.log 2>&1; then \
			grep -v "is ignored: it is neither a file nor a directory" $(LOG_DIR)/pip-kit.log | tail -30; exit 1; fi; \
		echo "$$want" >$(KIT_STAMP); \
	fi

kit: kit-venv docs-browser stage
	PATH="$(VENV)/bin:$$PATH" PYTHONPATH=tests APPLIVERY_COLLECTIONS_PATH=$(COLLECTIONS_DIR) KIT_OUT=$(KIT_OUT) \
		$(VENV)/bin/python -m pytest -p no:cacheprovider -rA --durations=0 -s tests/kit

kit-screenshot: kit
	mkdir -p $(dir $(KIT_PICTURE))
	cp $(KIT_OUT)/aosp-kit-aosp_example.com.png $(KIT_PICTURE)
	@echo "kit-screenshot: $(KIT_PICTURE) updated from the emulator's run"
