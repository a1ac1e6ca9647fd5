"""Emulator state: organizations, accounts, users, policies, tokens, indexes and lazy expiry.

All public methods must be called with ``store.lock`` held (the Flask handlers and the
control API do so); ``tick()`` is called at the start of every request to apply
PENDING -> EXPIRED transitions whose time has come.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import threading

from .models import Account, Org, Policy, Token, User
from .settings import defaults as default_settings
from .util import (
    DEFAULT_DURATION, PLATFORMS, ApiError, invalid, limit_exceeded, new_id, not_found, parse_iso,
)


MAX_EXPIRE_MS = 253402300799999  # 9999-12-31T23:59:59.999Z

TOKEN_SORT_KEYS = {
    "updatedAt": lambda t: t.updated_ms,
    "expireAt": lambda t: t.expire_ms if t.expire_ms is not None else float("inf"),
    "displayName": lambda t: t.display_name or "",
    "state": lambda t: t.state,
    "status": lambda t: t.state,
    "id": lambda t: t.id,
    "_id": lambda t: t.id,
}
USER_SORT_KEYS = {
    "updatedAt": lambda u: u.updated_ms,
    "email": lambda u: u.email,
    "name": lambda u: u.name or "",
    "id": lambda u: u.id,
    "_id": lambda u: u.id,
}


class Store:
    """The whole mutable state of one emulator process."""

    def __init__(self, clock) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.settings = default_settings()
        self.orgs: dict = {}
        self.orgs_by_slug: dict = {}
        self.accounts: dict = {}
        self.heap: list = []
        self.last_tick = None
        self._seq = itertools.count(1)
        self.generation = 0          # bumped by load(): a bulk job of an older generation is dropped
        self.jobs: list = []         # pending V3 bulk jobs: [BulkJob]
        self._order_cache: dict = {}  # V2 "shuffled": (index id, states) -> (version, rows)
        self.version = 0             # bumped by every token write or state change (invalidates _order_cache)

    # ------------------------------------------------------------------ loading
    def load(self, seed: dict) -> None:
        """Replace the whole data set with ``seed`` (a checked seed dict, see seed.py); drops pending bulk jobs."""
        self.generation += 1
        self.cancel_jobs()
        self._order_cache = {}
        self.version += 1
        self.orgs = {}
        self.orgs_by_slug = {}
        self.accounts = {}
        self.heap = []
        now = self.clock.now_ms()
        for spec in seed.get("organizations", []):
            self._load_org(spec, now)
        for spec in seed.get("serviceAccounts", []):
            org_ids = frozenset(self.orgs_by_slug[s].id if s in self.orgs_by_slug else s for s in spec.get("organizations", []))
            self.accounts[spec["token"]] = Account(spec.get("name", spec["role"]), spec["token"], spec["role"], org_ids)
        self.last_tick = now

    def _load_org(self, spec: dict, now: int) -> None:
        created = _time_of(spec, now)
        org = Org(spec["id"].lower(), spec["slug"], spec.get("name", spec["slug"]), created)
        org.features = dict(spec.get("features") or {})
        org.token_quota = spec.get("tokenQuota")
        org.enterprises = dict(spec.get("enterprises") or {})
        for platform in PLATFORMS:
            org.enterprises.setdefault(platform, new_id(created))
        self.orgs[org.id] = org
        self.orgs_by_slug[org.slug] = org
        for pspec in spec.get("policies", []):
            pol = Policy(
                id=pspec["id"].lower(), platform=pspec["platform"], name=pspec["name"], description=pspec.get("description", ""),
                version=int(pspec.get("version", 1)), target_type=pspec.get("targetType", "device"), private=bool(pspec.get("private", False)),
                created_ms=_time_of(pspec, created), updated_ms=_time_of(pspec, created),
            )
            org.policies[pol.platform].append(pol)
            org.policies_by_id[pol.platform][pol.id] = pol
        for uspec in spec.get("users", []):
            self.create_user(org, uspec["email"], _time_of(uspec, created), uid=uspec.get("id"), name=uspec.get("name"),
                             tags=uspec.get("tags"), language=uspec.get("language"), metadata=uspec.get("metadata"))
        by_platform: dict = {}
        for tspec in spec.get("tokens", []):
            by_platform.setdefault(tspec["platform"], []).append(tspec)
        for platform, tspecs in by_platform.items():
            self.inject_tokens(org, platform, tspecs, True, now)

    # ------------------------------------------------------------------ time
    def tick(self) -> int:
        """Apply due expiries (rebuilding if the clock went backwards); returns emulator now in ms."""
        now = self.clock.now_ms()
        if self.last_tick is not None and now < self.last_tick:
            self._rewind(now)
        heap = self.heap
        while heap and heap[0][0] <= now:
            expire, _seq, tok = heapq.heappop(heap)
            if tok.base == "PENDING" and tok.state == "PENDING" and tok.expire_ms == expire:
                self._set_state(tok, "EXPIRED")
        self.last_tick = now
        return now

    def _rewind(self, now: int) -> None:
        heap = []
        for org in self.orgs.values():
            for tokens in org.tokens_by_id.values():
                for tok in tokens.values():
                    if tok.base != "PENDING":
                        continue
                    expired = tok.expire_ms is not None and tok.expire_ms <= now
                    self._set_state(tok, "EXPIRED" if expired else "PENDING")
                    if not expired and tok.expire_ms is not None:
                        heap.append((tok.expire_ms, tok.order[1], tok))
        heapq.heapify(heap)
        self.heap = heap

    # ------------------------------------------------------------------ lookups
    def resolve_org(self, account, param: str):
        """Org by 24-hex id or slug, visible to ``account`` (None = any); else 404."""
        org = self.orgs.get(param.lower()) or self.orgs_by_slug.get(param)
        if org is None or (account is not None and org.id not in account.org_ids):
            raise not_found()
        return org

    def get_token(self, org, platform: str, tid: str):
        """Token of this org/platform (any state) or 404."""
        tok = org.tokens_by_id[platform].get(tid.lower())
        if tok is None:
            raise not_found()
        return tok

    def get_user(self, org, uid: str):
        """User by id or 404."""
        user = org.users_by_id.get(uid.lower())
        if user is None:
            raise not_found()
        return user

    # ------------------------------------------------------------------ users
    def create_user(self, org, email: str, now: int, uid=None, **fields):
        """Create an MDM user; the e-mail is stored lower-case; duplicates give 400/5048."""
        email = email.strip().lower()
        if email in org.users_by_email:
            raise ApiError(400, 5048, "Mdm user already exists")
        user = User(
            id=(uid or new_id(now)).lower(), email=email, name=fields.get("name"), tags=list(fields.get("tags") or []),
            language=fields.get("language"), managed_apple_id=fields.get("managedAppleId"),
            metadata=dict(fields.get("metadata") or {}), created_ms=now, updated_ms=now, order=(now, next(self._seq)),
        )
        org.users_by_id[user.id] = user
        org.users_by_email[email] = user
        org.user_index.add(user, "ALIVE")
        return user

    def update_user(self, user, fields: dict, now: int) -> None:
        """Apply a validated PUT body to ``user``."""
        for key, attr in (("name", "name"), ("language", "language"), ("managedAppleId", "managed_apple_id")):
            if key in fields:
                setattr(user, attr, fields[key])
        if "tags" in fields:
            user.tags = list(fields["tags"])
        if "metadata" in fields:
            user.metadata = dict(fields["metadata"])
        user.updated_ms = now

    def delete_user(self, org, user) -> None:
        """Hard delete; refused with 400/5055 while the user has PENDING tokens."""
        for platform in PLATFORMS:
            idx = org.user_index_for(platform, user.id)
            if idx is not None and idx.counts["PENDING"]:
                raise ApiError(400, 5055, "MdmUser Can not be deleted because has pending emmEnrollmentTokens")
        org.user_index.remove(user)
        del org.users_by_id[user.id]
        del org.users_by_email[user.email]

    def list_users(self, org, page: int, limit: int, sort_field: str, descending: bool, filters: dict, order: str = "created_desc"):
        """Page of users and the total; ``email`` is exact/case-insensitive and O(1). ``order``: V2 (list_order)."""
        if order == "ignore_sort":
            sort_field, descending = "createdAt", False
        if "email" in filters:
            user = org.users_by_email.get(filters["email"].strip().lower())
            rows = [user] if user is not None else []
            rows = [u for u in rows if _user_matches(u, filters)]
            return _slice(rows, page, limit), len(rows)
        states = ("ALIVE",)
        if order == "shuffled":
            rows = [u for u in org.user_index.iter_items(states) if _user_matches(u, filters)]
            rows.sort(key=shuffle_key)
            return _slice(rows, page, limit), len(rows)
        if not filters and sort_field == "createdAt":
            return org.user_index.page(states, (page - 1) * limit, limit, descending), org.user_index.total(states)
        rows = [u for u in org.user_index.iter_items(states) if _user_matches(u, filters)]
        return _sorted_page(rows, USER_SORT_KEYS.get(sort_field), descending, page, limit)

    # ------------------------------------------------------------------ tokens
    def check_quota(self, org, extra: int = 1) -> None:
        """400/5017 when ``extra`` more PENDING tokens would exceed the org quota."""
        if org.token_quota is not None and org.pending_tokens() + extra > org.token_quota:
            raise limit_exceeded()

    def new_token(self, org, platform: str, user, fields: dict, now: int, base: str = "PENDING", created=None, tid=None):
        """Build (not register) a token from normalized ``fields``."""
        created = now if created is None else created
        perpetual = bool(fields.get("perpetual")) if platform == "aosp" else None
        duration = fields.get("duration")
        if duration is None and not perpetual:
            duration = DEFAULT_DURATION
        # An AOSP duration may be up to 2^53-1 s (seed 004): the expiry stops at the last instant ISO-8601 can write.
        expire = None if perpetual else min(created + int(duration) * 1000, MAX_EXPIRE_MS)
        state = base
        if base == "PENDING" and expire is not None and expire <= now:
            state = "EXPIRED"
        times = (created, fields.get("updated_ms", created), expire, duration)
        return Token((tid or new_id(created)).lower(), org.id, platform, user, base, state, times, fields, (created, next(self._seq)))

    def register(self, org, tokens) -> None:
        """Add built tokens to the org (one-by-one for a few, bulk O(n) rebuild for many)."""
        self.version += 1
        groups: dict = {}
        bulk = len(tokens) > 64
        seen: set = set()
        for tok in tokens:
            if tok.id in org.tokens_by_id[tok.platform] or tok.id in seen:
                raise invalid("id", f"{tok.id} already exists")
            seen.add(tok.id)
        for tok in tokens:
            platform = tok.platform
            org.tokens_by_id[platform][tok.id] = tok
            idxs = [org.token_index[platform], org.user_index_for(platform, tok.user_id, True)]
            idxs.extend(org.policy_index_for(platform, pid, True) for pid in sorted(tok.policy_ids()))
            tok.indexes = idxs
            if tok.state == "PENDING" and tok.expire_ms is not None:
                if bulk:
                    self.heap.append((tok.expire_ms, tok.order[1], tok))
                else:
                    heapq.heappush(self.heap, (tok.expire_ms, tok.order[1], tok))
            if bulk:
                for idx in idxs:
                    groups.setdefault(id(idx), (idx, []))[1].append((tok, tok.state))
            else:
                for idx in idxs:
                    idx.add(tok, tok.state)
        if bulk:
            heapq.heapify(self.heap)
            for idx, pairs in groups.values():
                idx.extend(pairs)

    def create_token(self, org, platform: str, user, fields: dict, now: int):
        """Single create: quota check, build, register."""
        self.check_quota(org)
        tok = self.new_token(org, platform, user, fields, now)
        self.register(org, [tok])
        return tok

    def delete_token(self, tok, now: int) -> None:
        """Soft delete (idempotent: an already DELETED token is returned unchanged)."""
        if tok.base == "DELETED":
            return
        tok.base = "DELETED"
        tok.updated_ms = now
        self._set_state(tok, "DELETED")

    def update_token(self, org, tok, fields: dict, now: int) -> None:
        """Windows PUT: only PENDING tokens; ``fields`` are validated and normalized."""
        if tok.state != "PENDING":
            raise ApiError(400, 5120, "Error updating entity")
        self.version += 1
        old_ids = tok.policy_ids()
        for key in ("display_name", "tags", "policy_id", "assignments", "segment_id"):
            if key in fields:
                setattr(tok, key, fields[key])
        new_ids = tok.policy_ids()
        for pid in old_ids - new_ids:
            idx = org.policy_index_for(tok.platform, pid)
            idx.remove(tok)
            tok.indexes.remove(idx)
        for pid in sorted(new_ids - old_ids):
            idx = org.policy_index_for(tok.platform, pid, True)
            idx.add(tok, tok.state)
            tok.indexes.append(idx)
        tok.updated_ms = now

    def enroll_token(self, tok, state: str, device_id: str, now: int) -> None:
        """A device enrolls with ``tok`` (V10): the stored state becomes ``state`` (DONE or PROCESSING) for good.

        Only a PENDING or PROCESSING token can be enrolled (a DONE one again with the same state is a no-op);
        a DONE or PROCESSING token never expires, so it is never listed as PENDING again.
        """
        if tok.state not in ("PENDING", "PROCESSING") and not (tok.state == state == "DONE"):
            raise invalid("state", f"a {tok.state} token cannot be enrolled")
        if tok.state == state and tok.device_id is not None:
            return
        tok.base = state
        tok.device_id = device_id
        tok.updated_ms = max(now, tok.updated_ms + 1)
        self._set_state(tok, state)

    def change_settings(self, new: dict) -> None:
        """Replace the settings (a shorter bulk delay does not move jobs already scheduled)."""
        self.settings = new

    # ------------------------------------------------------------------ bulk (C6, V3)
    def bulk_create(self, org, platform: str, emails: list, fields: dict, now: int):
        """Create one token per e-mail, in order; returns (success, fail). 5017 when the quota runs out partway."""
        success = fail = 0
        for email in emails:
            user = org.users_by_email.get(email)
            if user is None:
                if not self.settings.get("bulk_creates_users", True):
                    fail += 1
                    continue
                user = self.create_user(org, email, now)
            self.create_token(org, platform, user, fields, now)
            success += 1
        return success, fail

    def schedule_bulk(self, org, platform: str, emails: list, fields: dict, delay: float):
        """V3: the counts the job will report now; the tokens (and users) after ``delay`` real seconds."""
        creates_users = self.settings.get("bulk_creates_users", True)
        fail = 0 if creates_users else sum(1 for e in emails if e not in org.users_by_email)
        job = BulkJob(self, self.generation, org, platform, list(emails), dict(fields), creates_users)
        self.jobs.append(job)
        job.timer = threading.Timer(delay, self.run_job, args=(job,))
        job.timer.daemon = True
        job.timer.start()
        return len(emails) - fail, fail

    def run_job(self, job) -> int:
        """Run one pending bulk job (timer thread or ``run_jobs``); returns the tokens it created."""
        with self.lock:
            if job not in self.jobs:
                return 0
            self.jobs.remove(job)
            if job.generation != self.generation:
                return 0
            now = self.tick()
            created = 0
            for email in job.emails:
                user = job.org.users_by_email.get(email)
                if user is None:
                    if not job.creates_users:
                        continue
                    user = self.create_user(job.org, email, now)
                try:
                    self.create_token(job.org, job.platform, user, job.fields, now)
                except ApiError:
                    break  # the quota ran out while the job ran: the rest are lost, as in an async job
                created += 1
            return created

    def run_jobs(self) -> int:
        """Run every pending bulk job now (control API); returns the tokens created."""
        with self.lock:
            jobs = list(self.jobs)
        for job in jobs:
            if job.timer is not None:
                job.timer.cancel()
        return sum(self.run_job(job) for job in jobs)

    def cancel_jobs(self) -> None:
        """Forget every pending bulk job."""
        for job in self.jobs:
            if job.timer is not None:
                job.timer.cancel()
        self.jobs = []

    def _set_state(self, tok, state: str) -> None:
        if tok.state == state:
            return
        self.version += 1
        tok.state = state
        for idx in tok.indexes:
            idx.set_state(tok, state)

    def list_tokens(self, org, platform: str, query: dict):
        """Page of tokens and total. ``query``: states, page, limit, sort, desc, user_id, policy_id."""
        states = query["states"]
        page, limit, sort_field, desc = query["page"], query["limit"], query["sort"], query["desc"]
        user_id, policy_id = query.get("user_id"), query.get("policy_id")
        extra = None
        if user_id and policy_id:
            a_idx = org.user_index_for(platform, user_id)
            b_idx = org.policy_index_for(platform, policy_id)
            if a_idx is None or b_idx is None:
                return [], 0
            idx, extra = (a_idx, b_idx) if a_idx.total(states) <= b_idx.total(states) else (b_idx, a_idx)
        elif user_id:
            idx = org.user_index_for(platform, user_id)
        elif policy_id:
            idx = org.policy_index_for(platform, policy_id)
        else:
            idx = org.token_index[platform]
        if idx is None:
            return [], 0
        order = query.get("order", "created_desc")
        if order == "ignore_sort":  # V2: sort is ignored, creation order
            sort_field, desc = "createdAt", False
        if order == "shuffled":  # V2: sort is ignored; a fixed order by a hash of the id, cached until a write
            rows = self._shuffled(idx, states, extra)
            return _slice(rows, page, limit), len(rows)
        if extra is None and sort_field == "createdAt":
            return idx.page(states, (page - 1) * limit, limit, desc), idx.total(states)
        rows = [t for t in idx.iter_items(states) if extra is None or extra.state_of(t) is not None]
        return _sorted_page(rows, TOKEN_SORT_KEYS.get(sort_field), desc, page, limit)

    def _shuffled(self, idx, states, extra) -> list:
        """The items of ``idx`` in ``states`` ordered by ``code`` (a hash of the id): not creation order, but
        deterministic, so one listing is stable across its pages. O(n log n) once per (index, states, write)."""
        key = (id(idx), states, id(extra) if extra is not None else None)
        hit = self._order_cache.get(key)
        if hit is not None and hit[0] == self.version:
            return hit[1]
        if len(self._order_cache) > 256:
            self._order_cache = {}
        rows = [t for t in idx.iter_items(states) if extra is None or extra.state_of(t) is not None]
        rows.sort(key=shuffle_key)
        self._order_cache[key] = (self.version, rows)
        return rows

    def all_tokens(self, org, platform: str, email=None) -> list:
        """Every token (any state) in creation order, optionally for one e-mail (control API)."""
        idx = org.token_index[platform]
        rows = list(idx.iter_items(idx.states))
        if email is not None:
            email = email.strip().lower()
            rows = [t for t in rows if t.user_email == email]
        return rows

    def inject_tokens(self, org, platform: str, specs: list, create_users: bool, now: int) -> list:
        """Fast creation of tokens from control/seed specs (no quota, no plan checks)."""
        from .seed import spec_to_fields  # pylint: disable=import-outside-toplevel
        tokens = []
        for spec in specs:
            email = str(spec.get("email", "")).strip().lower()
            user = org.users_by_email.get(email)
            if user is None:
                if not create_users:
                    raise invalid("email", f"{email} is not an MDM user")
                user = self.create_user(org, email, now)
            fields, base, created = spec_to_fields(org, platform, spec, now)
            tokens.append(self.new_token(org, platform, user, fields, now, base=base, created=created, tid=spec.get("id")))
        self.register(org, tokens)
        return [t.id for t in tokens]


class BulkJob:  # pylint: disable=too-few-public-methods,too-many-instance-attributes
    """A V3 bulk request whose tokens are created later."""

    def __init__(self, store, generation, org, platform, emails, fields, creates_users) -> None:
        self.store = store
        self.generation = generation
        self.org = org
        self.platform = platform
        self.emails = emails
        self.fields = fields
        self.creates_users = creates_users
        self.timer = None


def shuffle_key(item) -> str:
    """V2 "shuffled" order: a hash of the id (a token's ``code``, else md5), then the id."""
    code = getattr(item, "code", None) or hashlib.md5(item.id.encode("ascii")).hexdigest()
    return code + item.id


def _time_of(spec: dict, now: int) -> int:
    if spec.get("createdAt"):
        return parse_iso(str(spec["createdAt"]))
    return now + int(float(spec.get("createdOffsetSeconds", 0)) * 1000)


def _user_matches(user, filters: dict) -> bool:
    search = filters.get("search")
    if search:
        needle = search.lower()
        hay = (user.email, (user.name or "").lower(), (user.managed_apple_id or "").lower())
        if not any(needle in h for h in hay):
            return False
    name = filters.get("name")
    if name and name.lower() not in (user.name or "").lower():
        return False
    tags = filters.get("tags")
    if tags and not set(tags) & set(user.tags):
        return False
    return True


def _slice(rows: list, page: int, limit: int) -> list:
    start = (page - 1) * limit
    return rows[start:start + limit]


def _sorted_page(rows: list, key, descending: bool, page: int, limit: int):
    if key is not None:
        rows.sort(key=lambda r: (key(r), r.order), reverse=descending)
    elif descending:
        rows.reverse()
    return _slice(rows, page, limit), len(rows)
