"""Patient sizes for SSDE that do not come from the dose report (docs/ssde.md).

Keyed by Study Instance UID, not by study row: a localizer or a size import may arrive before
the dose report, and a cumulative report replaces the study row it belongs to.
"""
import datetime

from sqlalchemy import DateTime, Double, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .columns import UI


class CtLocalizerProfile(db.Model):
    """The size profile of one CT localizer image (app.ssde.localizer), not its pixels.

    ``rows`` is JSON: ``[[z mm, S pixel value·mm, W mm], ...]`` for each row crossing the
    patient, so Aw = slope·S + intercept·W under the device's calibration.
    """

    __tablename__ = "ct_localizer_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    study_instance_uid: Mapped[str] = mapped_column(UI, index=True)
    sop_instance_uid: Mapped[str] = mapped_column(UI, unique=True)
    unique_equipment_name_id: Mapped[int | None] = mapped_column(
        ForeignKey("unique_equipment_names.id"), index=True)
    source: Mapped[str | None] = mapped_column(String(1000))
    rows: Mapped[str] = mapped_column(Text)
    received: Mapped[datetime.datetime] = mapped_column(DateTime)


class LocalizerCalibration(db.Model):
    """Pixel value to water-equivalent thickness (mm) of one device's localizers."""

    __tablename__ = "localizer_calibration"

    unique_equipment_name_id: Mapped[int] = mapped_column(
        ForeignKey("unique_equipment_names.id", ondelete="CASCADE"), primary_key=True)
    slope: Mapped[float] = mapped_column(Double)  # mm per pixel value
    intercept: Mapped[float] = mapped_column(Double)  # mm
    #: The water phantom's diameter (mm) when derived from a phantom localizer, else None.
    phantom_diameter: Mapped[float | None] = mapped_column(Double)
    updated: Mapped[datetime.datetime] = mapped_column(DateTime)


class StudySizeImport(db.Model):
    """Patient dimensions of one study from a patient-size import (mm)."""

    __tablename__ = "study_size_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    study_instance_uid: Mapped[str] = mapped_column(UI, unique=True)
    ap_dimension: Mapped[float | None] = mapped_column(Double)
    lateral_dimension: Mapped[float | None] = mapped_column(Double)
    water_equivalent_diameter: Mapped[float | None] = mapped_column(Double)
