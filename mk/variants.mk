# tests/variants: issue 11's acceptance under every §8.1 variant (V1-V10), with real ansible-playbook runs of the
# staged collection against ONE emulator process (reset and switched to the next variant between variants).
#
#   make variants   the `make test` step: per variant the single module's token rhythm on the four platforms, the bulk
#                   module (about 27 people per platform, people with tokens and people named in no task), the role,
#                   people enrolling between the runs; prints the variant x (single, bulk, role) table and writes it
#                   to build/variants/matrix.md
#
# The single and bulk steps run on four inventory hosts (one per platform) at once, and the role in a second
# ansible-playbook at the same time, in its own organization. Measured on the 2-core machine (other jobs running,
# load 5-6): 5.7 minutes for the whole step, 25-45 s per variant (V3 the longest, its bulk answers 2 s early).
#
# VARIANTS_PYTEST_ARGS passes pytest options, e.g. VARIANTS_PYTEST_ARGS='-k V3' for one variant.

EXTRA_TEST_STEPS += variants

VARIANTS_PYTEST_ARGS ?=

.PHONY: variants

variants: setup-venv stage
	@if [ ! -d tests/variants ]; then echo "skipped: tests/variants does not exist yet"; exit $(SKIP); fi
	PATH="$(VENV)/bin:$$PATH" PYTHONPATH=tests APPLIVERY_COLLECTIONS_PATH=$(COLLECTIONS_DIR) \
		VARIANTS_MATRIX=$(BUILD_DIR)/variants/matrix.md \
		$(VENV)/bin/python -m pytest -p no:cacheprovider --durations=0 -rA $(VARIANTS_PYTEST_ARGS) tests/variants
