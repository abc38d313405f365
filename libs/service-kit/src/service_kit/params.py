"""Parameter types every API uses, bounded so no input can overflow a database column."""

from typing import Annotated

from fastapi import Path

INT32_MAX = 2_147_483_647
INT64_MAX = 9_223_372_036_854_775_807

ResourceId = Annotated[int, Path(ge=1, le=INT32_MAX, description="The record's id.")]
