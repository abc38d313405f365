from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from feedback_api.db import Base
from service_kit.db import AwareDateTime


class ModerationWord(Base):
    """An abuse word officials added to the built-in list: a comment containing it waits for moderation."""

    __tablename__ = "moderation_word"

    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(String(50), unique=True)
    created_by: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime())
