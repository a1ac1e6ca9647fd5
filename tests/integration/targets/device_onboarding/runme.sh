#!/usr/bin/env bash
# The device_onboarding role against the emulator, as people use it:
#   1. plan.yml with --check --diff (the plan for the first run; the diff lines are checked here)
#   2. playbook.yml onboard: first run and re-run, compared with the plan
#   3. plan.yml with --check --diff after people left the sources (exclusive)
#   4. playbook.yml rest: the exclusive run compared with its plan, per-person settings, offboarding, errors
# A script target: ansible-test's own playbook would name this directory as a role, and inside the
# collection the name device_onboarding resolves to the collection's role, not to these tests.
set -euo pipefail
cd "$(dirname "$0")"

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

cat >"$dir/hr.csv" <<'CSV'
Email,Platform,Display_Name,Tags
onb-csv1@example.com,windows,,
onb-csv2@example.com,Android,,
onb-list1@example.com,apple,,
CSV
cat >"$dir/kiosks.csv" <<'CSV'
email,platform,tags,policy
onb-aosp3@example.com,aosp,warehouse;night,Kiosk
CSV
cat >"$dir/no-email.csv" <<'CSV'
name,platform
Zoe,apple
CSV

export ANSIBLE_ROLES_PATH=.. ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
args=(-i "${INVENTORY_PATH:-../../inventory}" -i people.yml -e @../../integration_config.yml -e "onb_dir=$dir")
token=$(sed -n 's/^applivery_api_token: *//p' ../../integration_config.yml)

# the plan's diff lines, exactly as a reviewer reads them
expect_lines() {
    local out=$1; shift
    for line in "$@"; do
        grep -qxF -- "$line" "$out" || { echo "missing diff line: $line" >&2; cat "$out" >&2; exit 1; }
    done
    if grep -qF -- "$token" "$out"; then echo "LEAK: the API token is in the output" >&2; exit 1; fi
}

ansible-playbook plan.yml --check --diff "${args[@]}" -e onb_step=first "$@" | tee "$dir/plan-first.out"
expect_lines "$dir/plan-first.out" \
    '+ android create (3):' '+     onb-csv2@example.com' '+     onb-inv2@example.com' '+     onb-list2@example.com' \
    '+ apple create (2):' '+     onb-inv1@example.com' '+     onb-list1@example.com' \
    '+ windows create (2):' '+     onb-csv1@example.com' '+     onb-inv3@example.com'

ansible-playbook playbook.yml "${args[@]}" -e onb_step=onboard "$@" | tee "$dir/onboard.out"
# the summary the role prints, one line per platform
expect_lines "$dir/onboard.out" \
    '        "android: 3 people: 3 created",' \
    '        "apple: 2 people: 2 created",' \
    '        "windows: 2 people: 2 created"'

ansible-playbook plan.yml --check --diff "${args[@]}" -e onb_step=exclusive "$@" | tee "$dir/plan-exclusive.out"
expect_lines "$dir/plan-exclusive.out" \
    '- android revoke (1):' '-     onb-list2@example.com' \
    '+ apple create (1):' '+     onb-new@example.com' \
    '- apple revoke (1):' '-     onb-inv1@example.com'

ansible-playbook playbook.yml "${args[@]}" -e onb_step=rest "$@"
