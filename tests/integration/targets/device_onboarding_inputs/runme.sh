#!/usr/bin/env bash
# The device_onboarding role with the inputs people really have (issue 12), one test per finding:
#   1. -e key=value strings for list variables          5. drift in the plan, on_drift per platform
#   2. every check before any write; reports after an   6. typos in applivery_* variable names
#      API failure                                      7. errors that get to the point
#   3. HR exports (fixtures written below)              8. smaller points (grammar, revoked token ids, default report
#   4. one person on several platforms                     directory, the deprecated groups variable, list_tokens)
# Each run of run.yml saves the role's result, its failure and the request counts to $dir/<name>.json; check() asserts
# on it with a Python expression over d. KEEP_GOING=1 runs every check and lists the failed ones at the end (to see
# which findings an older collection fails).
set -euo pipefail
cd "$(dirname "$0")"

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

export ANSIBLE_ROLES_PATH=.. ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
config=../../integration_config.yml
base=(-i "${INVENTORY_PATH:-../../inventory}" -i people.yml -e "in_dir=$dir")
args=("${base[@]}" -e "@$config" -e "applivery_onboarding_report_dir=$dir/reports")

failed=()
# fail WHAT: stop, or with KEEP_GOING remember it and go on
fail() {
    echo "FAILED: $*" >&2
    failed+=("$*")
    [ -n "${KEEP_GOING:-}" ] || exit 1
}

# run NAME [ansible-playbook arguments...]: run.yml, its output in $dir/NAME.out
run() {
    local name=$1; shift
    ansible-playbook run.yml "${args[@]}" -e "in_name=$name" "$@" >"$dir/$name.out" 2>&1 || { cat "$dir/$name.out"; fail "$name: ansible-playbook failed"; }
}

# check NAME EXPRESSION [WHAT]: the Python expression over d (the saved JSON) must hold
check() {
    python3 - "$dir/$1.json" "$2" "${3:-$2}" <<'PY' || { [ -n "${KEEP_GOING:-}" ] || { echo "--- output of $1:"; cat "$dir/$1.out"; }; fail "$1: ${3:-$2}"; }
import json, sys
d = json.load(open(sys.argv[1]))
if not eval(sys.argv[2]):
    print("FAILED: %s\n  saved: %s" % (sys.argv[3], json.dumps(d, indent=1)[:6000]))
    sys.exit(1)
PY
}

# said NAME TEXT: the output holds TEXT, whatever the line wrapping (ansible-core 2.16 wraps warnings)
said() {
    python3 -c 'import re, sys; text = re.sub(r"\s+", " ", open(sys.argv[1]).read()); sys.exit(sys.argv[2] not in text)' "$dir/$1.out" "$2"
}

# has NAME LINE...: each line is in the output, whole
has() {
    local name=$1; shift
    for line in "$@"; do
        grep -qxF -- "$line" "$dir/$name.out" || fail "$name: no line $line"
    done
}

# 1. -e key=value strings, as the command line and AWX surveys give them ----------------------------------------------
run f1-string --check --diff -e in_reset=true -e applivery_onboarding_groups=in_sales -e applivery_onboarding_users=in-new1@example.com,in-new2@example.com
check f1-string "d['result']['plan']['apple']['create'] == ['in-new1@example.com', 'in-new2@example.com', 'in-sales1@example.com', 'in-sales2@example.com']"
check f1-string "d['writes'] == 0 and d['msg'] == ''"
# booleans and numbers as strings, as -e key=value gives them, keep working
run f1-yaml --check -e "applivery_onboarding_groups=['in_sales','in_ops']" -e 'applivery_onboarding_users=["in-new1@example.com"]' \
    -e applivery_onboarding_exclusive=no -e applivery_onboarding_create_users=yes -e applivery_onboarding_chunk_size=250 \
    -e applivery_onboarding_kit=false -e applivery_onboarding_fail_on_error=True -e applivery_timeout=20
check f1-yaml "d['result']['plan']['apple']['create'] == ['in-new1@example.com', 'in-sales1@example.com', 'in-sales2@example.com']"
check f1-yaml "d['result']['plan']['windows']['create'] == ['in-ops1@example.com']"
run f1-type --check -e '{"applivery_onboarding_users": 5}'
check f1-type "'applivery_onboarding_users must be a list, a comma-separated string or a YAML/JSON list; got a number' in d['msg']"
check f1-type "d['reads'] == 0 and d['writes'] == 0"

# 2. check everything, then write -------------------------------------------------------------------------------------
# android people plus windows people whose policy name has a typo: no write anywhere, the problem listed
run f2-policy -e in_reset=true -e '{"applivery_onboarding_users": [{"email": "in-and1@example.com", "platform": "android"}, {"email": "in-win1@example.com", "platform": "windows"}]}' \
    -e '{"applivery_onboarding_platforms": {"android": {"management_mode": "DEVICE_OWNER"}, "windows": {"policy": "Corporate Standrad"}}}'
check f2-policy "d['writes'] == 0" "no write on any platform"
check f2-policy "d['task'] == 'Stop before any write when anything is wrong'"
check f2-policy "\"policy 'Corporate Standrad' matches no windows policy by id or exact name; did you mean 'Corporate Standard'\" in d['msg']"
check f2-policy "d['msg'].startswith('1 problem(s) found before any write, so nothing was written:')"
# a group's token life (2h) shorter than renew_before: no write, the message names the person and platform
run f2-renew -e applivery_onboarding_groups=in_short,in_sales -e applivery_onboarding_renew_before=12h
check f2-renew "d['writes'] == 0"
check f2-renew "'in-short1@example.com on windows: renew_before 12h (43200 s) is not shorter than the token' in d['msg']"
check f2-renew "'users[' not in d['msg']"
# an API failure on the second platform: the first platform's links are in the reports, and the play still fails
run f2-api -e applivery_retries=0 -e '{"applivery_onboarding_users": [{"email": "in-and1@example.com", "platform": "android"}, {"email": "in-win1@example.com", "platform": "windows"}]}' \
    -e '{"in_faults": "{\"seed\": 1, \"rates\": {\"500\": 1.0}, \"path_regex\": \"windows\"}"}'
check f2-api "d['task'] == 'Reconcile the enrollment tokens in bulk on windows'"
python3 - "$dir/reports/onboarding.json" <<'PY' || fail "the reports lack the first platform's new link after an API failure on the second"
import json, sys
rows = dict(((r["platform"], r["email"]), r) for r in json.load(open(sys.argv[1])))
android = rows[("android", "in-and1@example.com")]
assert android["action"] == "created" and android["enrollment"], rows
assert rows[("windows", None)]["action"] == "failed", rows
PY
grep -q '"android: 1 person: 1 created"' "$dir/f2-api.out" || fail "no summary after the failure"

# 3. HR exports -------------------------------------------------------------------------------------------------------
# The fixtures are written here, byte for byte (the repository keeps text files UTF-8 with LF line ends).
python3 - "$dir" <<'PY'
import os, sys
out = sys.argv[1]
def write(name, data):
    with open(os.path.join(out, name), "wb") as handle:
        handle.write(data)
# Excel "CSV UTF-8": a BOM, CRLF, an E-mail header, extra HR columns, a quoted comma, empty and separator-only rows,
# non-ASCII names, an upper-case email, an empty platform (the default platform)
rows = ["E-mail,Platform,Display Name,Employee ID,Department",
        'hr-ana@example.com,apple,"Garc\u00eda, Ana",1001,Sales', "", ",,,,",
        'HR-Bjorn@Example.com,windows,Bj\u00f6rn \u00d8deg\u00e5rd,1002,"R&D, Oslo"', "   ,  ,,,",
        "hr-chen@example.com,,\u9648 \u4f1f,1003,Support", ""]
write("hr-excel-utf8.csv", ("\ufeff" + "\r\n".join(rows) + "\r\n").encode("utf-8"))
# European Excel: cp1252, semicolons, an "Email Address" header, a quoted semicolon, an extra column, a blank row
rows = ["Email Address;Platform;Name;Cost Center", 'hr-dora@example.com;android;"Fa\u00dfbender; D\u00f3ra";4711', ";;;",
        "hr-emil@example.com;apple;\u00c9mile Ren\u00e9e;4712"]
write("hr-europe-cp1252.csv", ("\r\n".join(rows) + "\r\n").encode("cp1252"))
# tab-separated, a "mail" header
write("hr-tabs.tsv", b"mail\tplatform\nhr-finn@example.com\twindows\n")
# a bad email on physical line 6, after blank lines
write("hr-bad-line.csv", b"email,platform\n\nhr-gina@example.com,apple\n\n\nnot-an-email,apple\n")
PY
run f3-utf8 -e in_reset=true -e "applivery_onboarding_csv=$dir/hr-excel-utf8.csv" -e applivery_onboarding_report_name=hr1
check f3-utf8 "d['msg'] == '' and d['result']['plan'] == {'apple': {'create': ['hr-ana@example.com', 'hr-chen@example.com']}, 'windows': {'create': ['hr-bjorn@example.com']}}"
said f3-utf8 'column(s) Employee ID, Department are ignored' || fail "no warning of the extra columns"
python3 -c 'import re, sys; sys.exit(re.sub(r"\s+", " ", open(sys.argv[1]).read()).count("are ignored") != 1)' "$dir/f3-utf8.out" || fail "the extra columns are warned of more than once"
run f3-cp1252 -e "applivery_onboarding_csv=$dir/hr-europe-cp1252.csv" -e applivery_onboarding_csv_encoding=cp1252
check f3-cp1252 "d['msg'] == '' and d['result']['plan'] == {'android': {'create': ['hr-dora@example.com']}, 'apple': {'create': ['hr-emil@example.com']}}"
run f3-tabs -e "applivery_onboarding_csv=$dir/hr-tabs.tsv"
check f3-tabs "d['result']['plan'] == {'windows': {'create': ['hr-finn@example.com']}}"
# the tokens carry the non-ASCII display names
python3 - "$(sed -n 's/^applivery_emulator_url: *//p' "$config")" <<'PY' || fail "the tokens do not carry the non-ASCII display names"
import json, sys, urllib.request
names = set()
for platform in ("android", "apple", "windows"):
    url = "%s/state/tokens?organization=acme&platform=%s" % (sys.argv[1], platform)
    names.update(t.get("displayName") for t in json.load(urllib.request.urlopen(url))["items"])
for name in ("García, Ana", "Björn Ødegård", "陈 伟", "Faßbender; Dóra", "Émile Renée"):
    assert name in names, (name, sorted(n for n in names if n))
PY
# re-runs write nothing
for f in hr-excel-utf8.csv hr-europe-cp1252.csv hr-tabs.tsv; do
    enc=utf-8-sig; [ "$f" = hr-europe-cp1252.csv ] && enc=cp1252
    run f3-again -e "applivery_onboarding_csv=$dir/$f" -e applivery_onboarding_csv_encoding=$enc
    check f3-again "d['writes'] == 0 and d['msg'] == '' and not d['result']['changed']" "a re-run of $f writes nothing"
done
# a cp1252 file read as UTF-8: the file, the line and an encoding to try; physical line numbers after blank lines
run f3-encoding --check -e "applivery_onboarding_csv=$dir/hr-europe-cp1252.csv"
check f3-encoding "'hr-europe-cp1252.csv: line 2 is not utf-8-sig' in d['msg'] and 'cp1252' in d['msg'] and 'applivery_onboarding_csv_encoding' in d['msg']"
run f3-line --check -e "applivery_onboarding_csv=$dir/hr-bad-line.csv"
check f3-line "\"hr-bad-line.csv line 6: 'not-an-email' is not a valid email address\" in d['msg']"

# 4. one person, two platforms ----------------------------------------------------------------------------------------
run f4 --check -e applivery_onboarding_groups=in_laptops,in_phones
check f4 "d['result']['plan']['android']['create'] == ['in-multi1@example.com']"
check f4 "d['result']['plan']['windows']['create'] == ['in-multi1@example.com', 'in-multi2@example.com']"
check f4 "d['result']['plan']['apple']['create'] == ['in-multi2@example.com']"
said f4 "host 'in-multi1@example.com' is in groups that set different applivery_platform values" || fail "no note of the union"
python3 -c 'import re, sys; sys.exit(re.sub(r"\s+", " ", open(sys.argv[1]).read()).count("host '"'"'in-multi1@example.com'"'"' is in groups") != 1)' \
    "$dir/f4.out" || fail "the note of the union is not said exactly once"

# 5. drift in the plan, on_drift per platform -------------------------------------------------------------------------
people='{"applivery_onboarding_users": [{"email": "in-drift1@example.com", "platform": "apple", "display_name": "Old"}, {"email": "in-drift2@example.com", "platform": "android", "display_name": "Old"}]}'
drifted='{"applivery_onboarding_users": [{"email": "in-drift1@example.com", "platform": "apple", "display_name": "New"}, {"email": "in-drift2@example.com", "platform": "android", "display_name": "New"}]}'
run f5-setup -e in_reset=true -e "$people"
run f5-plan --check --diff -e "$drifted"
# the default callback prints no diff for a task that changed nothing: the role prints these plans itself
for line in '"? android drift (1):"' '"?     in-drift2@example.com: display_name"' '"? apple drift (1):"' '"?     in-drift1@example.com: display_name"'; do
    grep -qF -- "$line" "$dir/f5-plan.out" || fail "missing drift line: $line"
done
run f5-per-platform --check --diff -e "$drifted" -e '{"applivery_onboarding_platforms": {"apple": {"on_drift": "recreate"}, "android": {"on_drift": "keep"}}}'
has f5-per-platform '~ apple recreate (1):' '~     in-drift1@example.com: display_name'
check f5-per-platform "d['result']['plan']['android'] == {'drift': ['in-drift2@example.com']}"
# on_drift update: fine where there is no drift, an error naming the people and fields where there is
run f5-update-ok --check -e "$people" -e applivery_onboarding_on_drift=update
check f5-update-ok "d['msg'] == ''"
run f5-update -e "$drifted" -e applivery_onboarding_on_drift=update
check f5-update "d['writes'] == 0 and 'on_drift=update cannot change android tokens in place, and 1 person has drift: in-drift2@example.com (display_name)' in d['msg']"

# 6. typos in variable names ------------------------------------------------------------------------------------------
run f6 --check -e applivery_onboarding_groups=in_typo -e applivery_plaform=windows -e applivery_onboarding_exclusiv=true
said f6 'applivery_plaform is not a variable the collection knows; did you mean applivery_platform?' || fail "no warning of applivery_plaform"
said f6 'applivery_onboarding_exclusiv is not a variable the collection knows; did you mean applivery_onboarding_exclusive?' || fail "no warning of applivery_onboarding_exclusiv"
said f6 'applivery_polcy is set for 1 person host(s) (in-typo1@example.com) but is not a variable the collection knows; did you mean applivery_policy?' || fail "no warning of applivery_polcy"

# 7. errors that get to the point -------------------------------------------------------------------------------------
check f2-policy "'Finalization of task args' not in d['msg'] and 'Error while resolving' not in d['msg']"
check f1-type "d['task'] == 'Stop before any write when anything is wrong'"
grep -v '^applivery_api_token:' "$config" >"$dir/no-token.yml"
env -u APPLIVERY_API_TOKEN ansible-playbook run.yml "${base[@]}" -e "@$dir/no-token.yml" -e in_name=f7-token -e applivery_onboarding_users=in-new1@example.com --check >"$dir/f7-token.out" 2>&1
check f7-token "'api_token is not set: set the variable applivery_api_token (vault it) or the environment variable APPLIVERY_API_TOKEN' in d['msg']"
check f7-token "d['msg'].count('api_token is not set') == 1"
# the same problem on several platforms: one line that names them
run f7-same --check -e applivery_onboarding_groups=in_sales,in_ops -e applivery_onboarding_renew_before=36h
check f7-same "d['msg'].count('renew_before 36h') == 1 and '\napple, windows: renew_before 36h (129600 s) is not shorter' in d['msg']"
# a variable of the wrong type or value: its problems alone, one line each, not ansible-core's 10 KB dump of the spec;
# no request; and -v prints no spec either
run f7-spec -v -e applivery_onboarding_on_drift=bogus -e applivery_onboarding_chunk_size=abc -e applivery_onboarding_kit_paper=a5 \
    -e applivery_onboarding_users=in-new1@example.com
check f7-spec "d['task'] == 'Stop on the role\\'s variables, one line per problem, before any request'"
check f7-spec "d['msg'].startswith('3 problem(s) with the variables of applivery.mdm.device_onboarding, found before any request, so nothing was written:')"
check f7-spec "'value of applivery_onboarding_on_drift must be one of: keep, update, recreate, got: bogus' in d['msg'].splitlines()"
check f7-spec "'value of applivery_onboarding_kit_paper must be one of: a4, letter, got: a5' in d['msg'].splitlines()"
check f7-spec "any(l.startswith(\"argument 'applivery_onboarding_chunk_size' is of type \") for l in d['msg'].splitlines())"
check f7-spec "d['reads'] == 0 and d['writes'] == 0"
! grep -qE 'argument_spec_data|Service-account bearer token' "$dir/f7-spec.out" || fail "f7-spec: the argument spec is printed"
# the failing task's output: the message (ansible-core 2.19+ prints it twice) and where the task is, not 10 KB
python3 - "$dir/f7-spec.out" <<'PY' || fail "f7-spec: the failing task prints more than its problems"
import sys
out = open(sys.argv[1]).read()
start = out.index("TASK [applivery.mdm.device_onboarding_check : Stop on the role's variables")
section = out[start:out.index("TASK [", start + 1)]
assert len(section) < 2500, (len(section), section)
PY
# a variable that does not template: the check says why (its no_log must not hide the cause)
run f7-undefined --check -e 'applivery_onboarding_csv={{ in_no_such_variable }}'
check f7-undefined "d['task'] == 'Say why the variables could not be checked' and 'in_no_such_variable' in d['msg'] and 'is undefined' in d['msg']"
# the platform settings as a block-style YAML string (an AWX survey's text area): read, and unknown names get the closest
run f7-yaml --check -e '{"applivery_onboarding_platforms": "android:\n  management_mode: COPE\n  tags: [yaml]\n"}' \
    -e '{"applivery_onboarding_users": [{"email": "in-yaml1@example.com", "platform": "android"}]}'
check f7-yaml "d['msg'] == '' and d['result']['plan'] == {'android': {'create': ['in-yaml1@example.com']}}"
# reading and checking the settings raises no deprecation warning (a deep copy of 2.19+'s lazy containers would)
! grep -q 'DEPRECATION WARNING' "$dir/f7-yaml.out" || fail "f7-yaml: a deprecation warning"
run f7-keys -e '{"applivery_onboarding_platforms": "android:\n  polcy: Corp\n  language: kl\nandriod: {}\n"}' \
    -e '{"applivery_onboarding_users": [{"email": "in-yaml1@example.com", "platform": "android", "duration": "99d"}]}'
check f7-keys "d['task'] == 'Stop before any write when anything is wrong' and d['writes'] == 0"
check f7-keys "\"applivery_onboarding_platforms.android: 'polcy' is not a setting of android (did you mean policy?)\" in d['msg']"
check f7-keys "\"applivery_onboarding_platforms: 'andriod' is not a platform (did you mean android?)\" in d['msg']"
check f7-keys "'applivery_onboarding_platforms.android: value of language must be one of: es, en, fr, de, it, zh, pt, ru, got: kl' in d['msg']"
# a bad platform value is said once, and does not hide the problems of that platform's people
check f7-keys "d['msg'].count('got: kl') == 1 and 'in-yaml1@example.com on android: duration: 99d' in d['msg']"

# 8. smaller points ---------------------------------------------------------------------------------------------------
grep -qF '"apple: 4 people: would create 4 (check mode: nothing was written)"' "$dir/f1-string.out" || fail "no check-mode grammar"
grep -qF '"windows: 1 person: would create 1 (check mode: nothing was written)"' "$dir/f1-yaml.out" || fail "no '1 person'"
! said f1-string 'applivery_people_groups is deprecated' || fail "a deprecation warning without the old name"
run f8-revoke -e '{"applivery_onboarding_users": [{"email": "in-drift1@example.com", "platform": "apple"}]}' -e applivery_onboarding_state=absent -e applivery_onboarding_report_name=off
python3 - "$dir/reports/off.json" <<'PY' || fail "a revoked row has no token_id"
import json, re, sys
rows = json.load(open(sys.argv[1]))
assert [r["action"] for r in rows] == ["revoked"] and re.match("^[0-9a-f]{24}$", rows[0]["token_id"] or ""), rows
PY
# the default report directory: ~/.ansible/applivery-reports, mode 0700, printed at the end
HOME="$dir/home" ansible-playbook run.yml "${base[@]}" -e "@$config" -e in_name=f8-home -e applivery_onboarding_users=in-new1@example.com >"$dir/f8-home.out" 2>&1
test -f "$dir/home/.ansible/applivery-reports/onboarding.json" || fail "no report in ~/.ansible/applivery-reports"
test "$(stat -c %a "$dir/home/.ansible/applivery-reports" 2>/dev/null)" = 700 || fail "the report directory is not mode 0700"
grep -qF "$dir/home/.ansible/applivery-reports/onboarding.json" "$dir/f8-home.out" || fail "the report path is not printed"
# the old groups variable still works, with a deprecation warning
ansible-playbook applivery.mdm.onboard --check --diff "${base[@]}" -e "@$config" -e applivery_people_groups=in_ops >"$dir/f8-alias.out" 2>&1 || fail "the onboard playbook failed with applivery_people_groups"
has f8-alias '+ windows create (1):' '+     in-ops1@example.com'
said f8-alias 'applivery_people_groups is deprecated' || fail "no deprecation warning"
# list_tokens: a table per platform (email, state, expiry, the start of the link), emails rather than user ids
conf() { sed -n "s/^$1: *//p" "$config"; }
APPLIVERY_API_URL=$(conf applivery_api_url) APPLIVERY_API_TOKEN=$(conf applivery_api_token) APPLIVERY_ORGANIZATION=$(conf applivery_organization) \
    ansible-playbook applivery.mdm.list_tokens -e applivery_platforms=apple,aosp >"$dir/f8-list.out" 2>&1 || fail "list_tokens failed"
grep -qE '^ +"EMAIL +STATE +EXPIRES \(UTC\) +LINK",?$' "$dir/f8-list.out" || fail "no table header"
grep -qE '^ +"in-new1@example.com +PENDING +20[0-9-]+ [0-9:]+ +https?://.{0,28}\.\.\.",?$' "$dir/f8-list.out" || fail "no table row"
if grep -q "$(conf applivery_api_token)" "$dir/f8-list.out"; then fail "LEAK: the API token is in the output"; fi
# 7. (last: it resets the emulator) the same API error for many people (quota 5017 on the organization with a quota of 10): said once, with the people
quota=$(python3 -c 'import json; print(json.dumps({"applivery_onboarding_users": ["in-q%02d@example.com" % i for i in range(1, 16)]}))')
run f7-quota -e in_reset=true -e applivery_organization=tiny-shop -e "$quota"
check f7-quota "d['task'] == 'Fail when any person failed' and d['msg'].count('5017') == 1 and 'people: in-q' in d['msg']"

if [ ${#failed[@]} -gt 0 ]; then
    printf 'device_onboarding_inputs: %d check(s) failed:\n' ${#failed[@]}; printf '  %s\n' "${failed[@]}"; exit 1
fi
echo "device_onboarding_inputs: every check passed"
