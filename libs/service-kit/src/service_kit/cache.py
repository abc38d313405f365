"""A small expiring cache for answers from other services (per process: each replica has its own,
which is fine for facts that change rarely, such as whether a facility exists).

An entry lives `ttl_s` from when it was set. With `refresh_after_s`, an entry older than that is still
answered but reported as due for a refresh (`lookup`), so that a caller can renew an entry in use before
it expires, instead of every entry set at the same moment expiring under load at the same moment.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class TTLCache(Generic[K, V]):
    def __init__(
        self,
        ttl_s: float,
        max_items: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
        *,
        refresh_after_s: float | None = None,
    ) -> None:
        self.ttl_s = ttl_s
        self.refresh_after_s = ttl_s if refresh_after_s is None else min(refresh_after_s, ttl_s)
        self.max_items = max_items
        self._clock = clock
        self._items: OrderedDict[K, tuple[float, V]] = OrderedDict()  # key -> (set at, value)

    def get(self, key: K) -> V | None:
        return self.lookup(key)[0]

    def lookup(self, key: K) -> tuple[V | None, bool]:
        """The value (None when absent or expired) and whether it is due for a refresh."""
        item = self._items.get(key)
        if item is None:
            return None, False
        set_at, value = item
        age = self._clock() - set_at
        if age > self.ttl_s:
            del self._items[key]
            return None, False
        return value, age >= self.refresh_after_s

    def set(self, key: K, value: V) -> None:
        self._items[key] = (self._clock(), value)
        self._items.move_to_end(key)
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)

    def discard(self, key: K) -> None:
        self._items.pop(key, None)

    def clear(self) -> None:
        self._items.clear()
