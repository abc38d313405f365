"""ETag / If-Match for records several people edit: the ETag is the record's version counter.

A route that edits such a record takes `IfMatchDep` and lets the service call `.check(version)` on
the record it loaded; a route that returns one sets the header with `set_etag(response, version)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Response

from service_kit.problems import PreconditionFailed, PreconditionRequired


def etag_for(version: int) -> str:
    return f'"v{version}"'


def set_etag(response: Response, version: int) -> None:
    """Tell the reader which version it holds, for its next If-Match."""
    response.headers["ETag"] = etag_for(version)


@dataclass(frozen=True, slots=True)
class IfMatch:
    """The If-Match header of a write, parsed; None when the client sent none."""

    header: str | None

    def check(self, version: int, *, required: bool = True) -> None:
        """Refuse a write made against an older version: 428 without If-Match, 412 when it is stale."""
        if self.header is None:
            if required:
                raise PreconditionRequired(
                    "Send If-Match with the ETag you read, so that nobody's change is overwritten unseen."
                )
            return
        candidates = {c.strip().removeprefix("W/") for c in self.header.split(",")}
        if "*" in candidates or etag_for(version) in candidates:
            return
        raise PreconditionFailed(
            f"The record changed since you read it (now {etag_for(version)}); read it again and reapply your change.",
            current_etag=etag_for(version),
        )


async def if_match(
    header: Annotated[
        str | None,
        Header(alias="If-Match", description="The ETag of the version you read; the write is refused if it changed."),
    ] = None,
) -> IfMatch:
    return IfMatch(header)


IfMatchDep = Annotated[IfMatch, Depends(if_match)]
