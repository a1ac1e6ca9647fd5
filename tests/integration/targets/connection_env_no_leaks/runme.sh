#!/usr/bin/env bash
# Credentials from APPLIVERY_* environment variables only, a run at -vvvv with --diff,
# then a grep of everything the run printed or logged for the API token.
set -eu

config=../../integration_config.yml
eval "$("${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}" env_from_config.py "$config")"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

status=0
ANSIBLE_LOG_PATH="$out/ansible.log" ANSIBLE_NOCOLOR=1 \
  ansible-playbook -vvvv --diff playbook.yml -e "applivery_emulator_url=$APPLIVERY_EMULATOR_URL" \
  >"$out/stdout" 2>"$out/stderr" || status=$?

if [ "$status" -ne 0 ]; then
  tail -n 60 "$out/stdout" | sed "s/$APPLIVERY_API_TOKEN/<TOKEN>/g"
  echo "the playbook failed (exit $status)" >&2
  exit 1
fi

for file in "$out"/stdout "$out"/stderr "$out"/ansible.log; do
  [ -s "$file" ] || { echo "$file is empty: nothing was captured, so the grep would prove nothing" >&2; exit 1; }
done

if grep -rlF -- "$APPLIVERY_API_TOKEN" "$out"; then
  echo "LEAK: the API token appears in the output above" >&2
  exit 1
fi

lines=$(cat "$out"/stdout "$out"/stderr "$out"/ansible.log | wc -l)
echo "no API token in $lines lines of -vvvv output, stderr and log"
