"""Diagnostic reference levels and the standard examination names studies are matched by.

A DRL set (national or local, from one source and year) holds one value per examination,
quantity and patient group. Studies reach a DRL through standard names: a study description,
requested procedure or acquisition protocol as devices write it is mapped to a standard
examination name once, and the mapping applies to every stored study without re-import.
"""
import datetime

from sqlalchemy import DateTime, Double, ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .auth import utcnow
from .columns import CS, LO

#: The names a study or event carries, which a standard name can be given for.
STUDY_DESCRIPTION, REQUESTED_PROCEDURE, ACQUISITION_PROTOCOL = (
    "study_description", "requested_procedure", "acquisition_protocol")
NAME_FIELDS = (STUDY_DESCRIPTION, REQUESTED_PROCEDURE, ACQUISITION_PROTOCOL)


class DrlSet(db.Model):
    """One published or local set of DRLs."""

    __tablename__ = "drl_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(LO, unique=True)
    source: Mapped[str | None] = mapped_column(Text)  # citation: publisher, title, address
    created: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    values: Mapped[list["DrlValue"]] = relationship(
        back_populates="drl_set", cascade="all, delete-orphan", passive_deletes=True,
        order_by="DrlValue.id")


class DrlValue(db.Model):
    """One reference level: for examination ``examination`` (a standard name) of ``modality``,
    the ``quantity`` (see ``app.drl.quantities``) should not routinely exceed ``value`` ``unit``."""

    __tablename__ = "drl_value"
    __table_args__ = (UniqueConstraint("drl_set_id", "modality", "examination", "quantity",
                                       "patient_group", name="uq_drl_value_entry"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    drl_set_id: Mapped[int] = mapped_column(
        ForeignKey("drl_set.id", ondelete="CASCADE"), index=True)
    drl_set: Mapped[DrlSet] = relationship(back_populates="values")
    modality: Mapped[str] = mapped_column(CS)
    examination: Mapped[str] = mapped_column(LO)
    quantity: Mapped[str] = mapped_column(CS)
    value: Mapped[float] = mapped_column(Double)
    unit: Mapped[str] = mapped_column(CS)  # UCUM, as written in the set
    patient_group: Mapped[str] = mapped_column(LO, default="adult", server_default="adult")
    year: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)


class StandardName(db.Model):
    """``name`` as devices write it in ``field`` (one of NAME_FIELDS), for ``modality``,
    stands for the standard examination name ``standard_name``."""

    __tablename__ = "standard_name"
    __table_args__ = (UniqueConstraint("modality", "field", "name", name="uq_standard_name_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    modality: Mapped[str] = mapped_column(CS)
    field: Mapped[str] = mapped_column(CS)
    name: Mapped[str] = mapped_column(Text)
    standard_name: Mapped[str] = mapped_column(LO, index=True)
