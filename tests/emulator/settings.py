"""Behaviour switches (``/_emulator/settings``) and the §8.1 variant presets (``/_emulator/variants``).

Every setting is a simple boolean, integer or enum. ``DEFAULTS`` is what the emulator does out of the box (the
project contract, section 8 of the reference); the other values play one row V1-V10 of section 8.1 ("what the
contract cannot promise"). ``POST /_emulator/reset`` puts every setting back to its default.
"""

from __future__ import annotations

from .faults import ControlError

PAGE_CAP_MAX = 100000

# name -> (kind, default, allowed values or (min, max) for ints, §8.1 row)
SPEC = {
    "bulk_creates_users": ("bool", True, None, "C6"),
    "page_cap": ("int", 100, (1, PAGE_CAP_MAX), "V9"),
    "ignore_filters": ("bool", False, None, "V1"),
    "list_order": ("enum", "created_desc", ("created_desc", "ignore_sort", "shuffled"), "V2"),
    "bulk_delay_seconds": ("number", 0, (0, 3600), "V3"),
    "lists_include_deleted": ("bool", False, None, "V4"),
    "expiry_shape": ("enum", "default", ("default", "summary_only", "config_only", "none"), "V5"),
    "user_shape": ("enum", "default", ("default", "id_only"), "V6"),
    "echo": ("enum", "default", ("default", "other_type", "assignments_only", "none"), "V7"),
    "strict_body_keys": ("bool", False, None, "V8"),
}
DEFAULTS = {name: spec[1] for name, spec in SPEC.items()}

# §8.1 row -> the settings that play it (applied on top of the defaults).
VARIANTS = {
    "V1": {"ignore_filters": True},
    "V2": {"list_order": "shuffled"},
    "V3": {"bulk_delay_seconds": 2},
    "V4": {"lists_include_deleted": True},
    "V5": {"expiry_shape": "summary_only"},
    "V6": {"user_shape": "id_only"},
    "V7": {"echo": "other_type"},
    "V8": {"strict_body_keys": True},
    "V9": {"page_cap": 10},
    "V10": {},
}
VARIANT_NOTES = {
    "V1": "token lists ignore mdm-user and the policy filters",
    "V2": "lists ignore sort; a deterministic non-creation order",
    "V3": "bulk answers at once; tokens and users appear bulk_delay_seconds later",
    "V4": "default lists include DELETED and EXPIRED tokens",
    "V5": "no expireAt: only summary.expirationTimestamp (also config_only, none)",
    "V6": "tokens carry only mdmUserId, never mdmUser/email",
    "V7": "sent settings echoed in another type (also assignments_only, none)",
    "V8": "body keys a platform page does not list are refused with 400 / 5209",
    "V9": "page cap 10 (also 50, 1000 through page_cap)",
    "V10": "no setting: tests enroll tokens with POST /_emulator/state/tokens/enroll",
}


def defaults() -> dict:
    """A fresh copy of the default settings."""
    return dict(DEFAULTS)


def check_value(name: str, value):
    """The value, checked against ``SPEC[name]``; ControlError when it does not fit."""
    kind, _default, allowed, _row = SPEC[name]
    if kind == "bool":
        if not isinstance(value, bool):
            raise ControlError(f"{name} must be a boolean")
        return value
    if kind in ("int", "number"):
        ok_types = (int,) if kind == "int" else (int, float)
        if isinstance(value, bool) or not isinstance(value, ok_types):
            raise ControlError(f"{name} must be {'an integer' if kind == 'int' else 'a number'}")
        low, high = allowed
        if not low <= value <= high:
            raise ControlError(f"{name} must be between {low} and {high}")
        return value
    if value not in allowed:
        raise ControlError(f"{name} must be one of {list(allowed)}")
    return value


def apply_changes(current: dict, body) -> dict:
    """New settings from ``current`` and a PUT body (``variant`` applies a preset first, then the other keys)."""
    if not isinstance(body, dict):
        raise ControlError("settings body must be an object")
    unknown = set(body) - set(SPEC) - {"variant"}
    if unknown:
        raise ControlError(f"unknown settings {sorted(unknown)}; known: {sorted(SPEC)} and variant")
    out = dict(current)
    if "variant" in body:
        name = body["variant"]
        if name not in VARIANTS:
            raise ControlError(f"variant must be one of {list(VARIANTS)}")
        out.update(VARIANTS[name])
    for name, value in body.items():
        if name != "variant":
            out[name] = check_value(name, value)
    return out


def variants_view() -> dict:
    """``GET /_emulator/variants``: name -> {settings, row note}."""
    return {name: {"settings": dict(settings), "plays": VARIANT_NOTES[name]} for name, settings in VARIANTS.items()}
