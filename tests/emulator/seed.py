"""Seed files: loading, structural checks, and conversion of token specs (seed + control inject)."""

from __future__ import annotations

import os

import yaml

from .util import MAX_DURATION, MIN_DURATION, OID_RE, PLATFORMS, TOKEN_STATES, invalid, parse_iso
from .validation import MAX_SAFE, PRIMARY_AS_ASSIGNMENT, merge_primary

DEFAULT_SEED_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seed.yml")
ROLES = ("Admin", "Developer", "Viewer")
DEFAULT_MODE = {"android": "DEVICE_OWNER", "aosp": "DEVICE_OWNER"}


class SeedError(ValueError):
    """The seed document is malformed."""


def load_seed(path: str | None = None) -> dict:
    """Read a YAML (or JSON) seed file and check it."""
    with open(path or DEFAULT_SEED_PATH, encoding="utf-8") as handle:
        seed = yaml.safe_load(handle)
    check_seed(seed)
    return seed


def check_seed(seed) -> None:
    """Raise SeedError when ``seed`` does not follow the documented schema (README.md)."""
    if not isinstance(seed, dict):
        raise SeedError("seed must be a mapping")
    unknown = set(seed) - {"organizations", "serviceAccounts"}
    if unknown:
        raise SeedError(f"unknown top-level keys: {sorted(unknown)}")
    orgs = seed.get("organizations") or []
    slugs = set()
    for org in orgs:
        if not isinstance(org, dict) or not OID_RE.match(str(org.get("id", ""))) or not org.get("slug"):
            raise SeedError(f"organization needs a 24-hex id and a slug: {org!r}")
        slugs.add(org["slug"])
        slugs.add(str(org["id"]).lower())
        for pol in org.get("policies") or []:
            if pol.get("platform") not in PLATFORMS or not OID_RE.match(str(pol.get("id", ""))) or not pol.get("name"):
                raise SeedError(f"policy needs platform, 24-hex id and name: {pol!r}")
        for user in org.get("users") or []:
            if "@" not in str(user.get("email", "")):
                raise SeedError(f"user needs an email: {user!r}")
        for tok in org.get("tokens") or []:
            if tok.get("platform") not in PLATFORMS or "@" not in str(tok.get("email", "")):
                raise SeedError(f"token needs platform and email: {tok!r}")
            if str(tok.get("state", "PENDING")).upper() not in TOKEN_STATES:
                raise SeedError(f"token state must be one of {TOKEN_STATES}: {tok!r}")
    for acc in seed.get("serviceAccounts") or []:
        if not acc.get("token") or acc.get("role") not in ROLES:
            raise SeedError(f"service account needs token and role in {ROLES}: name={acc.get('name')!r}")
        missing = set(acc.get("organizations") or []) - slugs
        if missing:
            raise SeedError(f"service account {acc.get('name')!r} names unknown organizations {sorted(missing)}")


def spec_to_fields(org, platform: str, spec: dict, now: int):
    """Convert a seed/inject token spec into (normalized fields, stored state, createdAt ms)."""
    base = str(spec.get("state", "PENDING")).upper()
    if base not in TOKEN_STATES:
        raise invalid("state", f"must be one of {', '.join(TOKEN_STATES)}")
    if spec.get("createdAt"):
        created = parse_iso(str(spec["createdAt"]))
    else:
        created = now + int(float(spec.get("createdOffsetSeconds", 0)) * 1000)
    duration = spec.get("duration")
    low, high = (0, MAX_SAFE) if platform == "aosp" else (MIN_DURATION, MAX_DURATION)
    if duration is not None and not (isinstance(duration, int) and not isinstance(duration, bool) and low <= duration <= high):
        raise invalid("duration", f"must be an integer between {low} and {high}")
    policies = org.policies_by_id[platform]
    assignments = []
    for item in spec.get("policyAssignments") or []:
        assignments.append((_known_policy(policies, item.get("policyId")), int(item.get("priority", 0))))
    policy_id = spec.get("policyId")
    if policy_id is not None:
        policy_id = _known_policy(policies, policy_id)
        if platform in PRIMARY_AS_ASSIGNMENT:
            assignments = merge_primary(policy_id, assignments)
            policy_id = None
    fields = {
        "display_name": spec.get("displayName"),
        "tags": list(spec.get("tags") or []),
        "duration": duration,
        "policy_id": policy_id,
        "assignments": assignments,
        "management_mode": spec.get("managementMode", DEFAULT_MODE.get(platform)),
        "send_email": bool(spec.get("sendEmail", False)),
        "email_text": spec.get("emailText"),
        "language": spec.get("language"),
        "segment_id": spec.get("segmentId"),
        "perpetual": bool(spec.get("perpetual", False)),
        "dpc_build_tag": spec.get("dpcBuildTag"),
        "push_provider": spec.get("pushNotificationProvider"),
    }
    return fields, base, created


def _known_policy(policies: dict, pid) -> str:
    pid = str(pid or "").lower()
    if pid not in policies:
        raise invalid("policyId", f"{pid!r} is not a policy of this platform")
    return pid
