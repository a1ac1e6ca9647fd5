"""Checks of one variant's runs against the emulator's real state and request log, and the matrix they make.

Each check appends a sentence to a list of problems; an empty list is a pass. Module results are what is checked,
never what checks: a per-person result is true when the emulator's state (before and after the task) and the
task's writes in the request log agree with its action and token id.
"""

from __future__ import annotations

import json
import os
from collections import Counter

from variants.scenario import ENROLLED, ENROLLED_AFTER, PART_CASES, PLATFORMS, VALID, email

NEW_TOKEN_ACTIONS = ("created", "renewed", "recreated")
QUIET_ACTIONS = ("unchanged", "drift", "enrolled", "absent")


def expected_valid(case, index, part, run):
    """How many valid tokens a named person must have after ``run``: devices minus enrolled (or one when re-invited)."""
    own = PART_CASES[part][case][1]
    if run == 2 and (case, index) in ENROLLED_AFTER[part]:
        return 0
    if case in ("enrolled", "processing"):
        return 0
    if own.get("devices") == 2 and (case == "twodone" or run == 2):
        return 1  # two devices, one of them enrolled
    return own.get("devices", 1)


def expected_actions(part, case, index, platform, run):
    """The actions a named person's result may show (truth is checked apart from this, for any action)."""
    if run == 2 and (case, index) in ENROLLED_AFTER[part]:
        return ("enrolled",)
    action = PART_CASES[part][case][2 + run]
    if action == "recreated" and part == "bulk" and platform == "windows":
        return ("updated",)  # on_drift: update, the only platform whose tokens change in place
    if action == "unconfirmed":
        # a loaded machine may serve the last listing after the API's job ran: then the token is seen in time
        return ("unconfirmed", "created")
    return (action,)


class PersonCheck:
    """Is one per-person result (action, token id, enrolled devices) true against the state and the writes?"""

    def __init__(self, before, after, segment, problems, where):
        self.before = before
        self.after = after
        self.segment = segment
        self.problems = problems
        self.where = where
        self.truth_failures = 0
        self.unlisted_revokes = 0  # DELETEs of a person's duplicates under an "unchanged" result (see check)

    def _fail(self, text):
        self.truth_failures += 1
        self.problems.append("%s: %s" % (self.where, text))

    def check(self, platform, address, action, token_id, enrolled_ids=None, enrolled_devices=None):
        """``enrolled_ids``: token ids the result lists as enrolled devices; ``enrolled_devices``: their device ids."""
        who = "%s %s (%s, token %s)" % (platform, address, action, token_id)
        before_ids = set(t["id"] for t in self.before.of(platform, address))
        mine = dict((t["id"], t) for t in self.after.of(platform, address))
        new_ids = set(mine) - before_ids
        touched = [t for t in self.segment.touched(platform) if t in mine]
        deleted = [t for m, p, t in self.segment.token_writes if m == "DELETE" and p == platform and t in mine]
        token = self.after.tokens[platform].get(token_id) if token_id else None
        if token is not None and token["email"] != address:
            self._fail("%s: the result's token belongs to %s" % (who, token["email"] or "nobody known"))
            return
        for token_id_deleted in deleted:
            if mine[token_id_deleted]["state"] != "DELETED":
                self._fail("%s: DELETE %s was sent but the token is %s" % (who, token_id_deleted, mine[token_id_deleted]["state"]))
        if action in NEW_TOKEN_ACTIONS:
            if token is None or token["state"] != VALID or token_id in before_ids:
                self._fail("%s: not a new valid token of the person (%s)" % (who, token and token["state"]))
        elif action == "updated":
            if token is None or token_id not in before_ids or token["state"] != VALID or ("PUT", platform, token_id) not in self.segment.token_writes:
                self._fail("%s: no PUT on an existing valid token" % who)
        elif action in ("unchanged", "drift"):
            if token is None or token_id not in before_ids or token["state"] != VALID:
                self._fail("%s: not an existing valid token (%s)" % (who, token and token["state"]))
            if new_ids or token_id in touched:
                self._fail("%s: new tokens %s or writes on the kept token" % (who, sorted(new_ids)))
            # revoke_duplicates: the person's other pending tokens are revoked, which the bulk result's entry does not list
            self.unlisted_revokes += len([t for t in deleted if t != token_id])
        elif action == "enrolled":
            if token is None or token["state"] not in ENROLLED:
                self._fail("%s: the token is not an enrolled one (%s)" % (who, token and token["state"]))
            if new_ids or touched:
                self._fail("%s: an enrolled person was written: new %s, touched %s" % (who, sorted(new_ids), touched))
        elif action == "unconfirmed":
            # accepted, not visible in time, never resent: once the API's job ran, exactly one new valid token
            if token_id or len([t for t in new_ids if mine[t]["state"] == VALID]) != 1:
                self._fail("%s: new valid tokens %s after the job ran" % (who, sorted(new_ids)))
        elif action in ("absent", "revoked"):
            left = [t["id"] for t in mine.values() if t["state"] == VALID]
            if left:
                self._fail("%s: valid tokens left %s" % (who, left))
            if action == "absent" and (touched or new_ids):
                self._fail("%s: absent, but written: %s" % (who, touched or sorted(new_ids)))
        else:
            self._fail("%s: action %s" % (who, action))
        enrolled_now = [t for t in mine.values() if t["state"] in ENROLLED]
        if enrolled_ids is not None and _texts(enrolled_ids) != _texts(t["id"] for t in enrolled_now):
            self._fail("%s: enrolled devices %s, the state has %s" % (who, _texts(enrolled_ids), _texts(t["id"] for t in enrolled_now)))
        if enrolled_devices is not None and _texts(enrolled_devices) != _texts(t["device"] for t in enrolled_now if t["device"]):
            self._fail("%s: enrolled device ids %s, the state has %s" % (who, _texts(enrolled_devices), _texts(t["device"] for t in enrolled_now)))


def _texts(values):
    """Ids as sorted text, so that a None (a result that names no id) sorts and compares too."""
    return sorted(str(v) for v in values)


def foreign_writes(segment, named, state_before, state_after, platforms=PLATFORMS):
    """Writes of ``segment`` on tokens whose owner is not in ``named`` (owners read from the state)."""
    bad = []
    for method, platform, token_id in segment.token_writes:
        if platform not in platforms or token_id in (None, "bulk"):
            continue
        token = state_after.tokens[platform].get(token_id) or state_before.tokens[platform].get(token_id)
        owner = token["email"] if token else None
        if owner not in named:
            bad.append("%s %s token %s of %s" % (method, platform, token_id, owner or "nobody known"))
    return bad


def untouched_outsiders(before, after, named):
    """Tokens of people named in no task of the run: none new, none gone, none changed state."""
    bad = []
    for platform in PLATFORMS:
        for token_id, token in after.tokens[platform].items():
            if token["email"] in named:
                continue
            old = before.tokens[platform].get(token_id)
            if old is None:
                bad.append("%s: a new token %s for %s, who is named in no task" % (platform, token_id, token["email"]))
            elif old["state"] != token["state"]:
                bad.append("%s: token %s of %s went %s -> %s" % (platform, token_id, token["email"], old["state"], token["state"]))
    return bad


def entries_by_email(result):
    return dict((e["email"], e) for e in (result or {}).get("results") or [])


def read_role_report(workdir, run):
    path = os.path.join(workdir, "reports", "role-run%d.json" % run)
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def valid_distribution(state, people, part, run):
    """``(exact, total, Counter of valid tokens per person)`` for a part's named people."""
    exact, counts, wrong = 0, Counter(), []
    for platform in PLATFORMS:
        for case, index, address, _own in people[platform]:
            have = len(state.valid(platform, address))
            counts[have] += 1
            if have == expected_valid(case, index, part, run):
                exact += 1
            else:
                wrong.append("%s %s has %d valid tokens, expected %d" % (platform, address, have, expected_valid(case, index, part, run)))
    return exact, sum(counts.values()), counts, wrong


def single_people():
    return set(email("s", p, c) for p in PLATFORMS for c in ("rhythm", "enrolled"))


# ---------------------------------------------------------------------------------------------------- matrix
MATRIX_HEADER = ("| variant | emulator settings | single: writes on re-run | single: tokens per person | single: truthful "
                 "| bulk: writes on re-run | bulk: tokens per person | bulk: truthful "
                 "| role: writes on re-run | role: tokens per person | role: truthful | run time |")


def _cell_tokens(cell):
    if not cell:
        return "not measured"
    return cell


def matrix_markdown(rows, note=""):
    """The variant x (single, bulk, role) table, from measurements only."""
    lines = ["# Variant matrix (issue 11)", "",
             "Measured by `make variants` (tests/variants) against one emulator process, one §8.1 variant at a time. "
             "*writes on re-run*: writes the emulator logged during the runs that must write nothing (single: the re-run "
             "and the second absent, on the four platforms; bulk and role: the whole second run, after some people "
             "enrolled). *tokens per person*: valid (PENDING, unexpired) tokens per named person in the emulator's state, "
             "compared with devices minus enrolled devices (or one when re-invited). *truthful*: every per-person result "
             "(action and token id) agrees with the emulator's state and request log.", ""]
    if note:
        lines += [note, ""]
    lines += [MATRIX_HEADER, "|" + "---|" * MATRIX_HEADER.count(" | ") + "---|"]
    for row in rows:
        cells = [row["variant"], row.get("settings", "")]
        for part in ("single", "bulk", "role"):
            data = row.get(part) or {}
            cells += [str(data.get("rerun_writes", "not measured")), _cell_tokens(data.get("tokens")), data.get("truthful", "not measured")]
        cells.append(row.get("time", ""))
        lines.append("| " + " | ".join(cells) + " |")
    timed = [row for row in rows if row.get("timings")]
    if timed:
        lines += ["", "## Time per part (seconds; steps run on the four platforms at once)", ""]
        for row in timed:
            lines.append("- %s: %s" % (row["variant"], ", ".join("%s %.1f" % (k, v) for k, v in row["timings"].items())))
    unlisted = [row for row in rows if row.get("unlisted_revokes")]
    if unlisted:
        lines += ["", "Not shown by a per-person result: with revoke_duplicates, a person whose kept token is unchanged gets "
                  "their other pending tokens revoked, and the bulk result's entry (action unchanged) lists no revoked ids. "
                  "Counted (not failed): %s." % ", ".join("%s %s" % (row["variant"], row["unlisted_revokes"]) for row in unlisted)]
    details = [row for row in rows if row.get("details")]
    if details:
        lines += ["", "## Details", ""]
        for row in details:
            lines.append("- **%s**: %s" % (row["variant"], "; ".join(row["details"])))
    return "\n".join(lines) + "\n"
