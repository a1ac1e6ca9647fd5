"""In-memory entities of the emulator (plain slotted classes, no behaviour beyond helpers)."""

from __future__ import annotations

import hashlib

from .index import OrderedIndex
from .util import PLATFORMS, TOKEN_STATES

# Body keys that carry the policy reference, per platform: (primary key, assignments key, assignment id key).
POLICY_KEYS = {
    "android": ("policyId", "emmPolicyAssignments", "emmPolicyId"),
    "apple": ("policyId", "admPolicyAssignments", "admPolicyId"),
    "windows": ("winPolicyId", "winPolicyAssignments", "winPolicyId"),
    "aosp": (None, "aosPolicyAssignments", "aosPolicyId"),
}

USER_STATES = ("ALIVE",)


class Account:
    """A service account (bearer token) with a role and the organizations it may use."""

    __slots__ = ("name", "token", "role", "org_ids")

    def __init__(self, name: str, token: str, role: str, org_ids: frozenset) -> None:
        self.name = name
        self.token = token
        self.role = role
        self.org_ids = org_ids

    @property
    def can_write(self) -> bool:
        """Viewer accounts are read-only."""
        return self.role != "Viewer"


class Policy:
    """A policy of one platform in one organization."""

    __slots__ = ("id", "platform", "name", "description", "version", "target_type", "private", "created_ms", "updated_ms")

    def __init__(self, **kw) -> None:
        for key in self.__slots__:
            setattr(self, key, kw.get(key))


class User:
    """An MDM (device) user."""

    __slots__ = ("id", "email", "name", "tags", "language", "managed_apple_id", "metadata", "created_ms", "updated_ms", "order")

    def __init__(self, **kw) -> None:
        for key in self.__slots__:
            setattr(self, key, kw.get(key))


class Token:
    """An enrollment token of any platform. ``base`` is the stored state, ``state`` the effective one."""

    __slots__ = (
        "id", "org_id", "platform", "user_id", "user_email", "display_name", "tags", "base", "state",
        "created_ms", "updated_ms", "expire_ms", "duration", "policy_id", "assignments", "management_mode",
        "send_email", "email_text", "language", "segment_id", "perpetual", "dpc_build_tag", "push_provider",
        "profiles", "applications", "vpp_location_id", "code", "order", "indexes", "device_id",
    )

    def __init__(self, tid: str, org_id: str, platform: str, user, base: str, state: str, times: tuple, fields: dict, order: tuple) -> None:
        created, updated, expire, duration = times
        get = fields.get
        self.id = tid
        self.org_id = org_id
        self.platform = platform
        self.user_id = user.id
        self.user_email = user.email
        self.base = base
        self.state = state
        self.created_ms = created
        self.updated_ms = updated
        self.expire_ms = expire
        self.duration = duration
        self.order = order
        self.display_name = get("display_name")
        self.tags = list(get("tags") or ())
        self.policy_id = get("policy_id")
        self.assignments = list(get("assignments") or ())
        self.management_mode = get("management_mode")
        self.send_email = get("send_email")
        self.email_text = get("email_text")
        self.language = get("language")
        self.segment_id = get("segment_id")
        self.perpetual = bool(get("perpetual")) if platform == "aosp" else None
        self.dpc_build_tag = get("dpc_build_tag")
        self.push_provider = get("push_provider")
        self.profiles = get("profiles")
        self.applications = get("applications")
        self.vpp_location_id = get("vpp_location_id")
        self.code = hashlib.sha1(tid.encode("ascii")).hexdigest()[:16].upper()
        self.indexes: list = []
        self.device_id = get("device_id")

    def policy_ids(self) -> set:
        """Every policy id the token references (primary and assignments)."""
        ids = {pid for pid, _prio in self.assignments or ()}
        if self.policy_id:
            ids.add(self.policy_id)
        return ids


class Org:
    """An organization (workspace) with all of its data and indexes."""

    def __init__(self, oid: str, slug: str, name: str, created_ms: int) -> None:
        self.id = oid
        self.slug = slug
        self.name = name
        self.created_ms = created_ms
        self.updated_ms = created_ms
        self.features: dict = {}
        self.token_quota = None
        self.enterprises: dict = {}
        self.policies: dict = {p: [] for p in PLATFORMS}
        self.policies_by_id: dict = {p: {} for p in PLATFORMS}
        self.users_by_id: dict = {}
        self.users_by_email: dict = {}
        self.user_index = OrderedIndex(USER_STATES)
        self.tokens_by_id: dict = {p: {} for p in PLATFORMS}
        self.token_index = {p: OrderedIndex(TOKEN_STATES) for p in PLATFORMS}
        self.user_token_index: dict = {}
        self.policy_token_index: dict = {}

    def feature(self, name: str) -> bool:
        """Plan feature switch; unknown features are on."""
        return bool(self.features.get(name, True))

    def pending_tokens(self) -> int:
        """PENDING tokens over all platforms (the quota counter)."""
        return sum(idx.counts["PENDING"] for idx in self.token_index.values())

    def user_index_for(self, platform: str, user_id: str, create: bool = False):
        """Per (platform, user) token index."""
        key = (platform, user_id)
        idx = self.user_token_index.get(key)
        if idx is None and create:
            idx = self.user_token_index[key] = OrderedIndex(TOKEN_STATES)
        return idx

    def policy_index_for(self, platform: str, policy_id: str, create: bool = False):
        """Per (platform, policy) token index."""
        key = (platform, policy_id)
        idx = self.policy_token_index.get(key)
        if idx is None and create:
            idx = self.policy_token_index[key] = OrderedIndex(TOKEN_STATES)
        return idx
