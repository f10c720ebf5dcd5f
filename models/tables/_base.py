"""The base every table class derives from (models/tables/__init__.py lists the tables)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import Table
from sqlmodel import SQLModel

if TYPE_CHECKING:

    class _Table(SQLModel):
        """What the type checker sees of a table class: SQLAlchemy sets __table__ on every
        mapped class, but SQLModel's typing does not declare it. At run time this is SQLModel."""

        __table__: ClassVar[Table]

else:
    _Table = SQLModel
