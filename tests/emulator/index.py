"""Order-statistics index: items in sort order with one Fenwick tree per state.

Every indexed item has an ``order`` attribute (a tuple, e.g. ``(created_ms, seq)``) and
a hashable ``id``. The index keeps items sorted by ``order`` and, per state, a Fenwick
(binary indexed) tree of 0/1 flags over the positions. That gives:

* count of items in a set of states: O(number of states),
* the k-th item in a set of states: O(states * log n),
* a page of ``limit`` items: O(limit + states * log n) in the usual case,
* appending an item at the end: amortised O(states),
* changing the state of an item: O(states_changed * log n).

An item may be "removed" (state ``None``): it keeps its position as a tombstone and is
counted in no tree, so re-adding it later is a plain state change.
"""

from __future__ import annotations

import bisect

# After this many consecutive invisible positions a page walk jumps with a k-th search.
_MAX_LINEAR_SKIP = 48


class OrderedIndex:
    """Sorted collection with per-state Fenwick trees (see module docstring)."""

    __slots__ = ("states", "items", "item_state", "pos", "trees", "counts")

    def __init__(self, states) -> None:
        self.states = tuple(states)
        self.items: list = []
        self.item_state: list = []
        self.pos: dict = {}
        self.trees = {s: [0] for s in self.states}
        self.counts = dict.fromkeys(self.states, 0)

    def __len__(self) -> int:
        return len(self.items)

    # ------------------------------------------------------------------ mutation
    def add(self, item, state: str) -> None:
        """Insert ``item`` in ``state`` (or revive a tombstone)."""
        p = self.pos.get(item.id)
        if p is not None:
            self.set_state(item, state)
            return
        items = self.items
        if items and item.order < items[-1].order:
            self._insert_middle(item, state)
            return
        self.pos[item.id] = len(items)
        items.append(item)
        self.item_state.append(state)
        for s, tree in self.trees.items():
            _fenwick_append(tree, 1 if s == state else 0)
        self.counts[state] += 1

    def extend(self, pairs) -> None:
        """Bulk insert ``(item, state)`` pairs; rebuilds the trees once in O(n)."""
        pairs = list(pairs)
        if not pairs:
            return
        new_pairs = []
        for item, state in pairs:
            p = self.pos.get(item.id)
            if p is None:
                new_pairs.append((item, state))
            else:
                self.item_state[p] = state
        new_pairs.sort(key=lambda pair: pair[0].order)
        in_order = not self.items or not new_pairs or new_pairs[0][0].order >= self.items[-1].order
        for item, state in new_pairs:
            self.items.append(item)
            self.item_state.append(state)
        if not in_order:
            combined = sorted(zip(self.items, self.item_state), key=lambda pair: pair[0].order)
            self.items = [pair[0] for pair in combined]
            self.item_state = [pair[1] for pair in combined]
        self.rebuild()

    def set_state(self, item, state) -> None:
        """Move ``item`` to ``state``; ``None`` removes it (tombstone)."""
        p = self.pos.get(item.id)
        if p is None:
            if state is not None:
                self.add(item, state)
            return
        old = self.item_state[p]
        if old == state:
            return
        self.item_state[p] = state
        if old is not None:
            _fenwick_add(self.trees[old], p + 1, -1)
            self.counts[old] -= 1
        if state is not None:
            _fenwick_add(self.trees[state], p + 1, 1)
            self.counts[state] += 1

    def remove(self, item) -> None:
        """Tombstone ``item`` (no-op when absent)."""
        self.set_state(item, None)

    def state_of(self, item):
        """State of ``item`` in this index, or None."""
        p = self.pos.get(item.id)
        return None if p is None else self.item_state[p]

    def rebuild(self) -> None:
        """Recompute positions, counters and trees in O(n * states)."""
        self.pos = {item.id: i for i, item in enumerate(self.items)}
        n = len(self.items)
        self.counts = dict.fromkeys(self.states, 0)
        trees = {s: [0] * (n + 1) for s in self.states}
        for i, state in enumerate(self.item_state):
            if state is not None:
                trees[state][i + 1] = 1
                self.counts[state] += 1
        for tree in trees.values():
            for i in range(1, n + 1):
                j = i + (i & -i)
                if j <= n:
                    tree[j] += tree[i]
        self.trees = trees

    def _insert_middle(self, item, state: str) -> None:
        keys = [it.order for it in self.items]
        p = bisect.bisect_right(keys, item.order)
        self.items.insert(p, item)
        self.item_state.insert(p, state)
        self.rebuild()

    # ------------------------------------------------------------------ queries
    def total(self, states) -> int:
        """Number of items whose state is in ``states``."""
        counts = self.counts
        return sum(counts.get(s, 0) for s in states)

    def kth(self, states, k: int) -> int:
        """Position of the k-th (0-based) item whose state is in ``states``."""
        trees = [self.trees[s] for s in states if s in self.trees]
        n = len(self.items)
        pos = 0
        rem = k
        step = 1 << (n.bit_length() - 1) if n else 0
        while step:
            nxt = pos + step
            if nxt <= n:
                acc = 0
                for tree in trees:
                    acc += tree[nxt]
                if acc <= rem:
                    pos = nxt
                    rem -= acc
            step >>= 1
        return pos

    def page(self, states, offset: int, limit: int, descending: bool = False) -> list:
        """Up to ``limit`` items in ``states`` starting at visible rank ``offset``."""
        states = frozenset(states)
        total = self.total(states)
        if offset >= total or limit <= 0:
            return []
        want = min(limit, total - offset)
        out: list = []
        item_state = self.item_state
        items = self.items
        if descending:
            rank = total - 1 - offset
            p = self.kth(states, rank)
            skipped = 0
            while len(out) < want:
                if p < 0:
                    break
                if item_state[p] in states:
                    out.append(items[p])
                    rank -= 1
                    skipped = 0
                    p -= 1
                    continue
                skipped += 1
                if skipped > _MAX_LINEAR_SKIP:
                    p = self.kth(states, rank)
                    skipped = 0
                    continue
                p -= 1
            return out
        rank = offset
        p = self.kth(states, rank)
        n = len(items)
        skipped = 0
        while len(out) < want and p < n:
            if item_state[p] in states:
                out.append(items[p])
                rank += 1
                skipped = 0
                p += 1
                continue
            skipped += 1
            if skipped > _MAX_LINEAR_SKIP:
                p = self.kth(states, rank)
                skipped = 0
                continue
            p += 1
        return out

    def iter_items(self, states, descending: bool = False):
        """Iterate every item in ``states`` in (reversed) sort order; O(n)."""
        states = frozenset(states)
        rng = range(len(self.items) - 1, -1, -1) if descending else range(len(self.items))
        items = self.items
        item_state = self.item_state
        for p in rng:
            if item_state[p] in states:
                yield items[p]


def _fenwick_append(tree: list, value: int) -> None:
    """Append one element to a 1-based Fenwick tree (amortised O(1))."""
    i = len(tree)
    acc = value
    stop = i - (i & -i)
    j = i - 1
    while j > stop:
        acc += tree[j]
        j -= j & -j
    tree.append(acc)


def _fenwick_add(tree: list, i: int, delta: int) -> None:
    n = len(tree)
    while i < n:
        tree[i] += delta
        i += i & -i
