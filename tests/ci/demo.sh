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

banner "2/3 Onboard the people of $inventory and $csv (first run: tokens are created; --diff shows the plan)"
echo "A seeded person already has a pending token whose settings differ from the inventory's: that is the"
echo "'1 drift' of the summary. With on_drift: keep (the default) it is reported ('?' lines, with the field that"
echo "differs) and left alone; on_drift: recreate would give the person a new token."
"$playbook" playbooks/onboard.yml -i "$inventory" --diff \
  -e applivery_onboarding_csv="$csv" -e applivery_onboarding_report_dir="$reports"

banner "3/3 The same again: nothing new, so nothing changes (changed=0, no write to the API; the drift is still reported)"
"$playbook" playbooks/onboard.yml -i "$inventory" --diff \
  -e applivery_onboarding_csv="$csv" -e applivery_onboarding_report_dir="$reports"

banner "Reports (mode 0600, they hold enrollment links): $reports/onboarding.json and $reports/onboarding.csv"
ls -l "$reports"

banner "To repeat this by hand"
cat <<EOF
  make stage setup-venv                                   # the collection in build/, the emulator's venv in .venv
  PYTHONPATH=tests .venv/bin/python -m emulator --host 127.0.0.1 --port 8080 &
  export APPLIVERY_API_URL=http://127.0.0.1:8080 APPLIVERY_API_TOKEN=applivery-emu-admin-token APPLIVERY_ORGANIZATION=acme
  export ANSIBLE_COLLECTIONS_PATH=\$PWD/build
  .venv/bin/ansible-playbook playbooks/onboard.yml -i $inventory -e applivery_onboarding_csv=$csv --check --diff
  curl -X POST http://127.0.0.1:8080/_emulator/reset       # back to the seed
EOF
