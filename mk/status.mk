# Enrollment status (tests/status): the applivery.mdm.status playbook against one emulator, with people in every
# state (enrolled through the emulator's enroll control), 0 writes, the report files and their modes, fail_if gating,
# and status.html in real headless Chromium (non-blank screenshot, counts equal to status.json, no network request);
# and the onboarding role's reminders (applivery_onboarding_remind_after): exactly who, check mode, a same-day re-run.
# Included by the Makefile (mk/*.mk); `make test` runs the step status.
#
#   make status              the step (about 2.5 minutes on the 2-core machine); the screenshot in build/status
#   make status-screenshot   the step, then copy the screenshot to the guide's picture
#                            (docs/images/enrollment-status.png; commit it when the page's look changes)

EXTRA_TEST_STEPS += status

STATUS_OUT := $(BUILD_DIR)/status
STATUS_PICTURE := docs/images/enrollment-status.png

.PHONY: status status-screenshot

status: docs-venv docs-browser stage
	PATH="$(VENV)/bin:$$PATH" PYTHONPATH=tests APPLIVERY_COLLECTIONS_PATH=$(COLLECTIONS_DIR) STATUS_OUT=$(STATUS_OUT) \
		$(VENV)/bin/python -m pytest -p no:cacheprovider -rA --durations=0 tests/status

status-screenshot: status
	mkdir -p $(dir $(STATUS_PICTURE))
	cp $(STATUS_OUT)/status.png $(STATUS_PICTURE)
	@echo "status-screenshot: $(STATUS_PICTURE) updated from the emulator's run"
