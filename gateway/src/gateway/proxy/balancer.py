"""A service's replicas: round-robin across those in service, taken out passively on failure.

There is no active health check. A replica that refuses or drops connections, or does not accept
one within the connect timeout, is taken out for a while (``out_base_s``, doubling with each
further failure in a row, at most ``out_max_s``). Once that time is over, the next request that
comes to its turn is sent there (one request: the replica stays out while it is being tried); an
answer of any status puts it back. When every replica is out, the one that failed least recently
is tried anyway: a service is never refused for want of a replica that might have come back.

The state is per gateway process (each gateway replica finds out for itself), and costs nothing
on the hot path while every replica is in.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

__all__ = ["BaseURLs", "Replica", "Replicas", "replica_urls"]


def replica_urls(value: str | Iterable[str]) -> tuple[str, ...]:
    """The base URLs in a setting: one URL, or several separated by commas (no trailing slash)."""
    parts = value.split(",") if isinstance(value, str) else value
    urls = tuple(dict.fromkeys(part.strip().rstrip("/") for part in parts if part.strip()))
    if not urls:
        raise ValueError("no upstream URL given")
    for url in urls:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"an upstream URL must start with http:// or https:// (got {url!r})")
    return urls


@dataclass(eq=False, slots=True)
class Replica:
    """One base URL of a service, and what the gateway saw of it lately."""

    url: str
    #: Connection failures in a row (0: in service).
    failures: int = 0
    #: Until when (on the balancer's clock) it is left alone.
    out_until: float = 0.0
    #: When it last failed; the least recent is tried when every replica is out.
    failed_at: float = float("-inf")

    @property
    def is_in(self) -> bool:
        return self.failures == 0


class Replicas:
    """The replicas of one service, in the order they were configured."""

    def __init__(
        self,
        urls: Sequence[str],
        *,
        out_base_s: float = 1.0,
        out_max_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.members = tuple(Replica(url) for url in urls)
        self._out_base_s = out_base_s
        self._out_max_s = out_max_s
        self._clock = clock
        self._next = 0

    def __iter__(self) -> Iterator[Replica]:
        return iter(self.members)

    def __len__(self) -> int:
        return len(self.members)

    def pick(self, exclude: Replica | None = None) -> Replica | None:
        """The replica for the next request (None when ``exclude`` was the only one)."""
        members = self.members
        count = len(members)
        if count == 1:
            only = members[0]
            if only is exclude:
                return None
            if only.failures:
                self._trying(only, self._clock())
            return only
        start = self._next
        now = None
        for step in range(count):
            index = (start + step) % count
            replica = members[index]
            if replica is exclude:
                continue
            if replica.failures:
                now = self._clock() if now is None else now
                if replica.out_until > now:
                    continue
                self._trying(replica, now)
            self._next = index + 1
            return replica
        # Every other replica is out: the one that failed least recently, anyway.
        others = [replica for replica in members if replica is not exclude]
        if not others:
            return None
        replica = min(others, key=lambda r: r.failed_at)
        self._trying(replica, self._clock() if now is None else now)
        return replica

    def _trying(self, replica: Replica, now: float) -> None:
        # While one request tries a replica that was out, the others keep away from it.
        replica.out_until = max(replica.out_until, now + self._out_time(replica.failures))

    def _out_time(self, failures: int) -> float:
        return min(self._out_base_s * 2.0 ** max(failures - 1, 0), self._out_max_s)

    def failed(self, replica: Replica) -> None:
        """It refused, dropped or did not accept a connection: out for a while."""
        now = self._clock()
        replica.failures += 1
        replica.failed_at = now
        replica.out_until = now + self._out_time(replica.failures)

    def answered(self, replica: Replica) -> None:
        """It answered (any status): in service again."""
        replica.failures = 0
        replica.out_until = 0.0

    def by_preference(self) -> list[Replica]:
        """Every replica, those in service first (then the least recently failed)."""
        return sorted(self.members, key=lambda r: (not r.is_in, r.failed_at))


class BaseURLs(Mapping[str, str]):
    """``service → base URL`` of a replica in service (for the gateway's own calls to services)."""

    def __init__(self, replicas: Mapping[str, Replicas]) -> None:
        self._replicas = replicas

    def __getitem__(self, service: str) -> str:
        return self._replicas[service].by_preference()[0].url

    def __iter__(self) -> Iterator[str]:
        return iter(self._replicas)

    def __len__(self) -> int:
        return len(self._replicas)
