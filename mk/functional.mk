# tests/functional: the collection's Python code (client, resources, single and bulk reconcile) against the API
# emulator over real HTTP on loopback, one emulator per pytest process. tests/unit stays pure (no emulator, no network).
#
#   make functional        the `make test` step

EXTRA_TEST_STEPS += functional

.PHONY: functional

functional: setup-venv stage
	@if [ ! -d tests/functional ]; then echo "skipped: tests/functional does not exist yet"; exit $(SKIP); fi
	PYTHONPATH=tests APPLIVERY_COLLECTIONS_PATH=$(COLLECTIONS_DIR) $(VENV)/bin/python -m pytest -p no:cacheprovider \
		--durations=5 tests/functional
