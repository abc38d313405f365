"""Who may do what with ratings, declared once (the aliases live in feedback_api.dependencies), and the
process's rating writer."""

from typing import Annotated

from fastapi import Depends, Request

from feedback_api.dependencies import OperatorDep, ResidentDep
from feedback_api.ratings.writer import RatingWriter

__all__ = ["OperatorDep", "RatingWriterDep", "ResidentDep"]


async def get_rating_writer(request: Request) -> RatingWriter:
    return request.app.state.rating_writer


RatingWriterDep = Annotated[RatingWriter, Depends(get_rating_writer)]
