"""The comment filter: personal data masked automatically, abuse words send a text to the moderation queue.

The word list is the built-in one (settings) plus the words officials added (moderation keeps them and
hands the filter their reader, `added_words`), remembered per process for 30 s (an edit on this replica
takes effect at once)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from feedback_api.text import find_abuse, mask_personal_data
from service_kit.cache import TTLCache


@dataclass(frozen=True, slots=True)
class Filtered:
    text: str | None
    status: str  # none, published or pending
    masked: bool
    words: tuple[str, ...]


# Reads the words officials added, in the request's session.
AddedWords = Callable[[AsyncSession], Awaitable[Sequence[str]]]


class CommentFilter:
    def __init__(
        self, builtin_words: list[str], added_words: AddedWords, ttl_s: float = 30.0
    ) -> None:
        self.builtin = [w for w in builtin_words if w]
        self.added_words = added_words
        self._cache: TTLCache[str, tuple[str, ...]] = TTLCache(ttl_s, max_items=1)

    def invalidate(self) -> None:
        self._cache.clear()

    async def words(self, session: AsyncSession) -> list[str]:
        return await self.words_from(lambda: self.added_words(session))

    async def words_from(
        self, load_added: Callable[[], Awaitable[Sequence[str]]]
    ) -> list[str]:
        """The word list, the officials' words read with `load_added` when not remembered."""
        added = self._cache.get("words")
        if added is None:
            added = tuple(await load_added())
            self._cache.set("words", added)
        return [*self.builtin, *added]

    async def check(self, session: AsyncSession, text: str | None) -> Filtered:
        if not text:
            return self.nothing()
        return self.judge(text, await self.words(session))

    @staticmethod
    def nothing() -> Filtered:
        """No comment: nothing to filter."""
        return Filtered(None, "none", False, ())

    @staticmethod
    def judge(text: str, words: list[str]) -> Filtered:
        masked, changed = mask_personal_data(text)
        hits = find_abuse(masked, words)
        return Filtered(
            masked, "pending" if hits else "published", changed, tuple(hits)
        )


async def get_comment_filter(request: Request) -> CommentFilter:
    """The process's filter, built in the lifespan (app state)."""
    comment_filter: CommentFilter = request.app.state.comment_filter
    return comment_filter


CommentFilterDep = Annotated[CommentFilter, Depends(get_comment_filter)]
