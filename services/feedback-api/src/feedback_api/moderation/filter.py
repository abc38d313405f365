"""The comment filter: personal data masked automatically, abuse words send a text to the moderation queue.

The word list is the built-in one (settings) plus the words officials added (the moderation_word table),
remembered per process for 30 s (an edit on this replica takes effect at once)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from feedback_api.moderation.models import ModerationWord
from feedback_api.text import find_abuse, mask_personal_data
from service_kit.cache import TTLCache


@dataclass(frozen=True, slots=True)
class Filtered:
    text: str | None
    status: str  # none, published or pending
    masked: bool
    words: tuple[str, ...]


class CommentFilter:
    def __init__(self, builtin_words: list[str], ttl_s: float = 30.0) -> None:
        self.builtin = [w for w in builtin_words if w]
        self._cache: TTLCache[str, tuple[str, ...]] = TTLCache(ttl_s, max_items=1)

    def invalidate(self) -> None:
        self._cache.clear()

    async def words(self, session: AsyncSession) -> list[str]:
        async def added_words() -> Sequence[str]:
            return (await session.execute(select(ModerationWord.word))).scalars().all()

        return await self.words_from(added_words)

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
