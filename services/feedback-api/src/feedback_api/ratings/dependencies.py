"""Who may do what with ratings, declared once."""

from typing import Annotated

from service_kit.auth import Principal, require_roles

# Only residents rate, and /mine is a resident's own list.
ResidentDep = Annotated[Principal, require_roles("resident")]
