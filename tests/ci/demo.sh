#!/usr/bin/env bash
# `make demo`, run inside tests/ci/with_emulator.py (APPLIVERY_* point at a fresh local emulator):
# list the seeded tokens, onboard the example inventory and CSV, onboard again to show that
# nothing changes, and say where the reports are.
set -euo pipefail
playbook="$1"
reports="$2"
inventory=playbooks/inventories/people.yml
csv=playbooks/inventories/people.csv

banner() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

banner "1/3 The emulator's seeded tokens, listed with applivery.mdm.enrollment_token_info"
"$playbook" playbooks/list_tokens.yml

banner "2/3 Onboard the people of $inventory and $csv (first run: tokens are created)"
"$playbook" playbooks/onboard.yml -i "$inventory" \
  -e applivery_onboarding_csv="$csv" -e applivery_onboarding_report_dir="$reports"

banner "3/3 The same again: nothing new, so nothing changes (changed=0, no write to the API)"
"$playbook" playbooks/onboard.yml -i "$inventory" \
  -e applivery_onboarding_csv="$csv" -e applivery_onboarding_report_dir="$reports"

banner "Reports (mode 0600, they hold enrollment links): $reports/onboarding.json and $reports/onboarding.csv"
ls -l "$reports"
