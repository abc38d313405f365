"""The comment filter: personal data masked automatically, abuse words send a text to the moderation queue.

The word list is the built-in one (settings) plus the words officials added (the moderation_word table),
remembered per process for 30 s (an edit on this replica takes effect at once)."""

from __future__ import annotations

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
        added = self._cache.get("words")
        if added is None:
            added = tuple((await session.execute(select(ModerationWord.word))).scalars().all())
            self._cache.set("words", added)
        return [*self.builtin, *added]

    async def check(self, session: AsyncSession, text: str | None) -> Filtered:
        if not text:
            return Filtered(None, "none", False, ())
        masked, changed = mask_personal_data(text)
        hits = find_abuse(masked, await self.words(session))
        return Filtered(masked, "pending" if hits else "published", changed, tuple(hits))
