"""The service's declarative Base and the infrastructure tables on the same metadata."""

from sqlalchemy.orm import DeclarativeBase

from service_kit.db import new_metadata
from service_kit.infra_tables import define_infra_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


infra = define_infra_tables(Base.metadata)
