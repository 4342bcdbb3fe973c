"""Site settings that steer importing, and the record of patient-size imports."""
import datetime

from sqlalchemy import Boolean, DateTime, Integer, String, Text, false, true
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


def _utcnow() -> datetime.datetime:
    """The current UTC time without a time zone, as stored in DateTime columns."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class PatientIDSettings(db.Model):
    """Which patient identifiers are kept, and whether they are hashed (one row per site).

    By default names and IDs are not stored; when an administrator enables storing them,
    they are hashed unless hashing is switched off. Accession numbers are stored as sent
    unless ``accession_hashed``. Birth dates are used to compute age and dropped unless
    ``dob_stored``.
    """

    __tablename__ = "patient_id_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_stored: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    name_hashed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    id_stored: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    id_hashed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    accession_hashed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    dob_stored: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class NotPatientIndicatorsID(db.Model):
    """A pattern (shell-style, ``*`` and ``?``) marking a patient ID as a test or QA object."""

    __tablename__ = "not_patient_indicators_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    not_patient_id: Mapped[str] = mapped_column(String(256))


class NotPatientIndicatorsName(db.Model):
    """A pattern (shell-style, ``*`` and ``?``) marking a patient name as a test or QA object."""

    __tablename__ = "not_patient_indicators_name"

    id: Mapped[int] = mapped_column(primary_key=True)
    not_patient_name: Mapped[str] = mapped_column(String(256))


class SizeUpload(db.Model):
    """One import of patient heights and weights from a CSV file, and how it went.

    ``id_field``, ``height_field`` and ``weight_field`` name the CSV columns; ``id_type`` says
    whether the ID column holds accession numbers or Study Instance UIDs; ``overwrite``
    allows replacing sizes already stored. ``created`` is UTC.
    """

    __tablename__ = "size_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str | None] = mapped_column(String(256))
    id_field: Mapped[str | None] = mapped_column(String(256))
    height_field: Mapped[str | None] = mapped_column(String(256))
    weight_field: Mapped[str | None] = mapped_column(String(256))
    id_type: Mapped[str | None] = mapped_column(String(32))
    overwrite: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    status: Mapped[str | None] = mapped_column(String(32))
    num_records: Mapped[int | None] = mapped_column(Integer)
    log: Mapped[str | None] = mapped_column(Text)
    created: Mapped[datetime.datetime] = mapped_column(DateTime, default=_utcnow)
