"""Coded concepts (DICOM code sequences), stored once and referenced by every coded field."""
from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .columns import LO


class ContextID(db.Model):
    """A code: value, meaning and coding scheme, e.g. ("113704", "Projection X-Ray", "DCM").

    Rows are added as codes occur in imported objects. A field that holds a code is a foreign
    key ``<field>_id`` plus a relationship ``<field>`` to this table. ``code_value`` and
    ``code_meaning`` are never NULL (an absent meaning is stored as ""), so the unique
    constraint on the pair really holds on both SQLite and PostgreSQL.
    """

    __tablename__ = "context_id"
    __table_args__ = (UniqueConstraint("code_value", "code_meaning"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # CodeValue is SH (16) but Long Code Value and URN Code Value are longer.
    code_value: Mapped[str] = mapped_column(String(128))
    code_meaning: Mapped[str] = mapped_column(LO)
    coding_scheme_designator: Mapped[str | None] = mapped_column(String(64))

    def __repr__(self):
        return f"<ContextID {self.code_value} {self.code_meaning!r}>"
