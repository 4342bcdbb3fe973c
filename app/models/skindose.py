"""Kerma's skin dose map of a fluoroscopy study (app/skindose, docs/skin-dose.md).

One row per study that has been looked at: ``status`` is "computed" (a map and a peak skin
dose) or "not computed" (``message`` says why, e.g. which geometry every event lacked).
``grid`` is the dose per skin cell in Gy, a (rows, columns) float32 array saved with
``numpy.savez_compressed``; rows run along the trunk from its lower end, columns around it
from the posterior midline towards the patient's left.
"""
import datetime

from sqlalchemy import DateTime, Double, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .columns import parent_key

COMPUTED = "computed"
NOT_COMPUTED = "not computed"


class SkinDoseMap(db.Model):
    """The skin dose map and peak skin dose of one RF study."""

    __tablename__ = "skin_dose_map"

    id: Mapped[int] = mapped_column(primary_key=True)
    general_study_module_attr_id: Mapped[int] = mapped_column(
        db.ForeignKey("general_study_module_attr.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    message: Mapped[str | None] = mapped_column(Text)
    peak_skin_dose: Mapped[float | None] = mapped_column(Double)  # Gy
    grid: Mapped[bytes | None] = mapped_column(LargeBinary)
    grid_rows: Mapped[int | None] = mapped_column(Integer)
    grid_columns: Mapped[int | None] = mapped_column(Integer)
    phantom_width: Mapped[float | None] = mapped_column(Double)  # mm
    phantom_depth: Mapped[float | None] = mapped_column(Double)  # mm
    phantom_length: Mapped[float | None] = mapped_column(Double)  # mm
    patient_height: Mapped[float | None] = mapped_column(Double)  # m, as used
    patient_weight: Mapped[float | None] = mapped_column(Double)  # kg, as used
    size_defaulted: Mapped[bool | None] = mapped_column(db.Boolean)
    events_used: Mapped[int] = mapped_column(Integer, default=0)
    events_skipped: Mapped[int] = mapped_column(Integer, default=0)
    dose_rp_used: Mapped[float | None] = mapped_column(Double)  # Gy, sum over events used
    method_version: Mapped[str] = mapped_column(String(16))
    computed_at: Mapped[datetime.datetime] = mapped_column(DateTime)


# The study's map, read by the RF list (a view-only link: the map is not part of the study
# record that importing stores and dumps, and the database deletes it with its study).
from sqlalchemy.orm import relationship  # noqa: E402

from .study import GeneralStudyModuleAttr  # noqa: E402

GeneralStudyModuleAttr.skin_dose_map = relationship(SkinDoseMap, viewonly=True, uselist=False)
