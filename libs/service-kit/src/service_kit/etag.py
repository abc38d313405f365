"""ETag / If-Match for records several people edit: the ETag is the record's version counter."""

from __future__ import annotations

from fastapi import Request

from service_kit.problems import PreconditionFailed, PreconditionRequired


def etag_for(version: int) -> str:
    return f'"v{version}"'


def check_if_match(request: Request, version: int, *, required: bool = True) -> None:
    """Refuse a write made against an older version: 428 without If-Match, 412 when it is stale."""
    header = request.headers.get("if-match")
    if header is None:
        if required:
            raise PreconditionRequired(
                "Send If-Match with the ETag you read, so that nobody's change is overwritten unseen."
            )
        return
    candidates = {c.strip().removeprefix("W/") for c in header.split(",")}
    if "*" in candidates or etag_for(version) in candidates:
        return
    raise PreconditionFailed(
        f"The record changed since you read it (now {etag_for(version)}); read it again and reapply your change.",
        current_etag=etag_for(version),
    )
