"""The one way feedback-api asks facilities-api something: does this facility, activity or service
exist, where is it, and who runs it?

Calls go over the app's shared `httpx.AsyncClient` (made in the lifespan) with a hard deadline, so a
slow or dead facilities-api gives a clear `FacilitiesUnavailable`, never a hang. A GET is safe to
repeat, so a refused connection is retried once at once (another replica may answer).

Found records are remembered for a short while (60 s by default) in the kit's bounded per-process
`TTLCache`: each replica keeps its own, so a record removed from the registry may still be accepted for
up to the TTL. Records that were not found are not remembered: one created a moment ago is seen at once.

A record asked for in the last quarter of its life is answered from memory and fetched again in the
background, so a record in use is renewed before it expires: under load, the records remembered in the
same busy moment would otherwise expire at the same moment, and the requests that found them gone would
each wait for facilities-api. A renewal that finds the record gone forgets it; one that fails (logged)
leaves it to expire. Requests for a record already being fetched wait for that fetch rather than asking
again.

Facilities, the usual target, are asked for together: those wanted at the same moment (missing, or
due for renewal) go in one request, the facility's own URL for one and the list
(`GET /api/v1/facilities?id=…&id=…`) for up to 100, one request at a time, so those wanted while a
request is under way go together in the next (such a wait is bounded by two deadlines). A request
costs the client far more than a record in it: a district's facilities in use are renewed by a few
requests a minute, and a cold start (every facility missing at once) costs a request per hundred.
Activities and service lists are fetched one by one, and renewed a few at a time.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from feedback_api.types import parse_moment
from service_kit.cache import TTLCache

log = logging.getLogger("feedback_api.clients.facilities")


@dataclass(frozen=True, slots=True)
class FacilityRef:
    """What feedback-api needs to know about a facility (a subset of facilities-api's facility JSON)."""

    id: int
    name_zh: str
    subdistrict: str
    status: str
    mode: str
    operator_id: int | None
    contract_id: int | None
    operator_name: str | None = None


@dataclass(frozen=True, slots=True)
class ActivityRef:
    id: int
    facility_id: int
    title: str
    starts_at: datetime | None
    ends_at: datetime | None
    status: str
    fee_fen: int = 0
    service_id: int | None = None

    def held_by(self, now: datetime) -> bool:
        """Whether it took place: published (or finished), not cancelled, and over by `now`."""
        return (
            self.status in ("published", "finished")
            and self.ends_at is not None
            and self.ends_at <= now
        )


@dataclass(frozen=True, slots=True)
class ServicePrice:
    """One service's record as it stands (facilities-api's service read): is it basic (free), what it
    charges, and the fee its approval in force allows (None: no approval in force)."""

    id: int
    facility_id: int
    name_zh: str
    basic: bool
    fee_fen: int
    approved_fee_fen: int | None
    application_id: int | None

    @property
    def approved_price_fen(self) -> int:
        """The most it may charge: nothing for a basic service or without an approval in force."""
        if self.basic or self.approved_fee_fen is None:
            return 0
        return self.approved_fee_fen


@dataclass(frozen=True, slots=True)
class ServiceRef:
    id: int
    name_zh: str
    basic: bool
    fee_fen: int


# A record is fetched again when it is asked for in the last quarter of its time in the cache, by at
# most a few renewals at a time: records remembered in the same busy moment fall due together, and
# their renewals should not crowd facilities-api (a record that finds no room is renewed when next asked).
RENEW_AFTER = 0.75
RENEWALS_AT_ONCE = 8
# Most facilities asked for in one request (facilities-api's list takes up to 100 ids).
FACILITIES_PER_REQUEST = 100


class FacilitiesUnavailable(Exception):
    """facilities-api gave no usable answer: refused, timed out, answered 5xx or a body we cannot read."""


def _opt_int(value: Any) -> int | None:
    return int(value) if value is not None else None


def _facility_ref(body: object) -> FacilityRef:
    if not isinstance(body, dict):
        raise TypeError("the body is not an object")
    operation = body.get("operation") or {}
    if not isinstance(operation, dict):
        raise TypeError("operation is not an object")
    operator_id = _opt_int(operation.get("operator_id"))
    mode = str(operation.get("mode") or ("social" if operator_id else "government"))
    return FacilityRef(
        id=int(body["id"]),
        name_zh=str(body["name_zh"]),
        subdistrict=str(body["subdistrict"]),
        status=str(body.get("status", "open")),
        mode=mode,
        operator_id=operator_id,
        contract_id=_opt_int(operation.get("contract_id")),
        operator_name=operator_name(operation),
    )


def operator_name(operation: dict[str, Any]) -> str | None:
    """The operator's name in a facility's `operation` (facilities-api keeps the one the contract announced)."""
    if operation.get("mode") != "social":
        return None
    return str(operation.get("operator_name") or "")[:200] or None


def _moment(value: Any) -> datetime | None:
    return parse_moment(value) if isinstance(value, str) else None


def _activity_ref(body: object) -> ActivityRef:
    if not isinstance(body, dict):
        raise TypeError("the body is not an object")
    return ActivityRef(
        id=int(body["id"]),
        facility_id=int(body["facility_id"]),
        title=str(body.get("title", "")),
        starts_at=_moment(body.get("starts_at")),
        ends_at=_moment(body.get("ends_at")),
        status=str(body.get("status", "")),
        fee_fen=int(body.get("fee_fen") or 0),
        service_id=_opt_int(body.get("service_id")),
    )


def _service_price(body: object) -> ServicePrice:
    if not isinstance(body, dict):
        raise TypeError("the body is not an object")
    approval = body.get("fee_approval")
    if approval is not None and not isinstance(approval, dict):
        raise TypeError("fee_approval is not an object")
    if approval is None or approval.get("status", "active") != "active":
        approval = None  # no approved fee in force
    return ServicePrice(
        id=int(body["id"]),
        facility_id=int(body["facility_id"]),
        name_zh=str(body.get("name_zh", "")),
        basic=bool(body.get("basic", True)),
        fee_fen=int(body.get("fee_fen") or 0),
        approved_fee_fen=int(approval["approved_fee_fen"])
        if approval is not None
        else None,
        application_id=_opt_int(approval.get("application_id"))
        if approval is not None
        else None,
    )


def _services(body: object) -> tuple[ServiceRef, ...]:
    items = body.get("items") if isinstance(body, dict) else body
    if not isinstance(items, list):
        raise TypeError("the body is not a list")
    return tuple(
        ServiceRef(
            id=int(s["id"]),
            name_zh=str(s.get("name_zh", "")),
            basic=bool(s.get("basic", True)),
            fee_fen=int(s.get("fee_fen") or 0),
        )
        for s in items
    )


class FacilitiesClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        timeout_s: float = 3.0,
        cache_ttl_s: float = 60.0,
        cache_size: int = 4096,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.cache_ttl_s = cache_ttl_s
        self.cache: TTLCache[tuple[str, int], Any] = TTLCache(
            cache_ttl_s,
            max_items=cache_size,
            clock=now,
            refresh_after_s=cache_ttl_s * RENEW_AFTER,
        )
        self._fetching: dict[
            tuple[str, int], asyncio.Future[Any]
        ] = {}  # one fetch per record at a time
        self._renewals: set[asyncio.Task[Any]] = set()
        self._wanted: dict[
            int, asyncio.Future[Any]
        ] = {}  # facilities to ask for, in the order they were wanted
        self._asking: asyncio.Task[Any] | None = (
            None  # asking for them, one request at a time
        )

    async def get_facility(self, facility_id: int) -> FacilityRef | None:
        """The facility, or None when facilities-api says there is no such facility (404).
        Raises FacilitiesUnavailable when it cannot tell."""
        found: FacilityRef | None = await self._lookup(
            "facility", facility_id, f"/api/v1/facilities/{facility_id}", _facility_ref
        )
        return found

    async def get_activity(self, activity_id: int) -> ActivityRef | None:
        found: ActivityRef | None = await self._lookup(
            "activity", activity_id, f"/api/v1/activities/{activity_id}", _activity_ref
        )
        return found

    async def get_activity_now(self, activity_id: int) -> ActivityRef | None:
        """The activity as facilities-api has it this moment (never from memory): for decisions that a
        change of the last minute would make wrong, such as a cancellation."""
        found: ActivityRef | None = await self._read_now(
            f"/api/v1/activities/{activity_id}", _activity_ref
        )
        return found

    async def get_service_price(
        self, facility_id: int, service_id: int
    ) -> ServicePrice | None:
        """One service's record and its approved fee as they stand (never from memory), or None."""
        found: ServicePrice | None = await self._read_now(
            f"/api/v1/facilities/{facility_id}/services/{service_id}", _service_price
        )
        return found

    async def _read_now(self, path: str, parse: Callable[[object], Any]) -> Any:
        body = await self._get_json(path)
        if body is None:
            return None
        try:
            return parse(body)
        except (ValueError, KeyError, TypeError) as exc:
            log.warning(
                "facilities-api answered a body we cannot read",
                extra={"url": f"{self.base_url}{path}"},
            )
            raise FacilitiesUnavailable(
                f"unreadable answer from {self.base_url}{path}"
            ) from exc

    async def get_services(self, facility_id: int) -> tuple[ServiceRef, ...] | None:
        """The services a facility offers, or None when there is no such facility."""
        found: tuple[ServiceRef, ...] | None = await self._lookup(
            "services",
            facility_id,
            f"/api/v1/facilities/{facility_id}/services",
            _services,
        )
        return found

    async def _lookup(
        self, kind: str, key: int, path: str, parse: Callable[[object], Any]
    ) -> Any:
        record = (kind, key)
        cached, due = self.cache.lookup(record)
        if cached is not None:
            if due and record not in self._fetching:
                self._renew_soon(record, path, parse)
            return cached
        fetching = self._fetching.get(record)
        if fetching is None:
            fetching = (
                self._ask_facility(key)
                if kind == "facility"
                else self._start(record, self._fetch(record, path, parse))
            )
        # shielded: a caller that goes away does not cancel the fetch that others may be waiting for
        return await asyncio.shield(fetching)

    def _start(
        self, record: tuple[str, int], fetch: Coroutine[Any, Any, Any]
    ) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(fetch)
        self._track(record, task)
        return task

    def _track(self, record: tuple[str, int], fetching: asyncio.Future[Any]) -> None:
        self._fetching[record] = fetching
        fetching.add_done_callback(lambda done: self._fetched(record, done))

    def _fetched(self, record: tuple[str, int], fetching: asyncio.Future[Any]) -> None:
        if self._fetching.get(record) is fetching:
            del self._fetching[record]
        if not fetching.cancelled():
            fetching.exception()  # retrieved: a failure was logged, and whoever waited has it

    def _renew_soon(
        self, record: tuple[str, int], path: str, parse: Callable[[object], Any]
    ) -> None:
        if record[0] == "facility":
            self._ask_facility(record[1])
        elif len(self._renewals) < RENEWALS_AT_ONCE:
            renewal = self._start(record, self._renew(record, path, parse))
            self._renewals.add(renewal)
            renewal.add_done_callback(self._renewals.discard)

    def _ask_facility(self, key: int) -> asyncio.Future[Any]:
        """The facility's answer to come, asked for together with the others wanted at the moment."""
        loop = asyncio.get_running_loop()
        answer = loop.create_future()
        self._track(("facility", key), answer)
        self._wanted[key] = answer
        if self._asking is None or self._asking.done():
            self._asking = loop.create_task(self._ask_facilities())
        return answer

    async def _ask_facilities(self) -> None:
        """Ask for the facilities wanted, up to FACILITIES_PER_REQUEST per request and one request at a time, until
        none is wanted: those wanted while a request is under way go together in the next."""
        while self._wanted:
            batch = dict(itertools.islice(self._wanted.items(), FACILITIES_PER_REQUEST))
            for key in batch:
                del self._wanted[key]
            try:
                found = await self._fetch_facilities(list(batch))
            except Exception as exc:  # noqa: BLE001  (FacilitiesUnavailable, logged, or a fault: each one asking has it)
                for answer in batch.values():
                    if not answer.done():
                        answer.set_exception(exc)
                continue  # a record being renewed stays until it expires
            except (
                BaseException
            ):  # cancelled (stop()): so are the answers it was to give
                for answer in batch.values():
                    answer.cancel()
                raise
            for key, answer in batch.items():
                value = found.get(key)
                if value is None:
                    self.cache.discard(
                        ("facility", key)
                    )  # gone from the registry: no longer accepted
                elif self.cache_ttl_s > 0:
                    self.cache.set(("facility", key), value)
                if not answer.done():
                    answer.set_result(value)

    async def _fetch_facilities(self, ids: list[int]) -> dict[int, FacilityRef]:
        """These facilities in one request (one by its URL, several by the list): those facilities-api has, by id."""
        if len(ids) == 1:
            body = await self._get_json(f"/api/v1/facilities/{ids[0]}")
            items: object = [] if body is None else [body]
        else:
            query = "&".join(f"id={key}" for key in ids)
            body = await self._get_json(f"/api/v1/facilities?{query}&limit={len(ids)}")
            items = body.get("items") if isinstance(body, dict) else None
        try:
            if not isinstance(items, list):
                raise TypeError("the body has no list of items")
            found = {ref.id: ref for ref in map(_facility_ref, items)}
        except (KeyError, TypeError, ValueError) as exc:
            log.warning(
                "facilities-api answered facilities we cannot read",
                extra={"count": len(ids)},
            )
            raise FacilitiesUnavailable("unreadable answer about facilities") from exc
        if not found.keys() <= set(
            ids
        ):  # not the facilities asked for: the filter was not applied
            log.warning(
                "facilities-api answered other facilities than those asked for",
                extra={"count": len(ids)},
            )
            raise FacilitiesUnavailable("the list holds facilities not asked for")
        return found

    async def _renew(
        self, record: tuple[str, int], path: str, parse: Callable[[object], Any]
    ) -> Any:
        """Fetch a record in use again before it expires (in the background; a request that finds it
        expired meanwhile waits for this fetch)."""
        value = await self._fetch(record, path, parse)
        if value is None:
            self.cache.discard(record)  # gone from the registry: no longer accepted
        return value

    async def settled(self) -> None:
        """Wait for the fetches under way (renewals included)."""
        while self._fetching or not (self._asking is None or self._asking.done()):
            asking = [self._asking] if self._asking is not None else []
            await asyncio.gather(
                *self._fetching.values(), *asking, return_exceptions=True
            )

    # The app's runtime stops its background work, renewals under way among it.
    def start(self) -> None:
        pass

    async def stop(self) -> None:
        fetching = list(self._fetching.values())
        if self._asking is not None:
            fetching.append(self._asking)
        self._wanted.clear()
        for task in fetching:
            task.cancel()
        await asyncio.gather(*fetching, return_exceptions=True)

    async def _fetch(
        self, record: tuple[str, int], path: str, parse: Callable[[object], Any]
    ) -> Any:
        body = await self._get_json(path)
        if body is None:
            return None
        try:
            value = parse(body)
        except (ValueError, KeyError, TypeError) as exc:
            log.warning(
                "facilities-api answered a body we cannot read",
                extra={"url": f"{self.base_url}{path}"},
            )
            raise FacilitiesUnavailable(
                f"unreadable answer from {self.base_url}{path}"
            ) from exc
        if self.cache_ttl_s > 0:
            self.cache.set(record, value)
        return value

    async def _get_json(self, path: str) -> object | None:
        """facilities-api's JSON answer to a GET of `path`, or None when it has no such record (404)."""
        url = f"{self.base_url}{path}"
        try:
            async with asyncio.timeout(self.timeout_s):
                resp = await self._get(url)
        except (httpx.HTTPError, TimeoutError) as exc:
            log.warning(
                "facilities-api did not answer",
                extra={"url": url, "error": type(exc).__name__},
            )
            raise FacilitiesUnavailable(f"{type(exc).__name__} calling {url}") from exc
        if resp.status_code == 404:
            return None
        if resp.status_code != 200:
            log.warning(
                "facilities-api answered an error",
                extra={"url": url, "status": resp.status_code},
            )
            raise FacilitiesUnavailable(
                f"facilities-api answered {resp.status_code} for {url}"
            )
        try:
            body: object = resp.json()
        except ValueError as exc:
            log.warning(
                "facilities-api answered a body we cannot read", extra={"url": url}
            )
            raise FacilitiesUnavailable(f"unreadable answer from {url}") from exc
        return body

    async def _get(self, url: str) -> httpx.Response:
        # The request id goes with it by the shared client's hook (service_kit.outgoing).
        headers = {"accept": "application/json"}
        timeout = httpx.Timeout(self.timeout_s)
        try:
            return await self.http.get(url, headers=headers, timeout=timeout)
        except httpx.ConnectError:
            # Nothing reached the server; a GET may be repeated. Once, at once, within the same deadline.
            return await self.http.get(url, headers=headers, timeout=timeout)
