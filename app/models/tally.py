"""Studies counted per modality, device and day, for pages that summarise the whole database.

The home page needs, per device, the number of studies, the latest study date and the studies
of the last days. Counting them from the study table reads every study (a million rows take
seconds); this table holds the same counts, one row per (modality, device identity, study
date), so the page sums a few thousand rows instead. ``app.tally`` keeps it in step with
every import and deletion, in the same transaction.
"""
import datetime

from sqlalchemy import Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

#: Stored for a study without a date, so the key columns need no NULL (unique keys with
#: NULL behave differently in SQLite and PostgreSQL). No study is dated so.
NO_DATE = datetime.date(1, 1, 1)
#: Stored for a study without equipment (an identity id is never 0).
NO_DEVICE = 0


class StudyTally(db.Model):
    """How many stored studies have this modality type, device identity and study date."""

    __tablename__ = "study_tally"
    __table_args__ = (
        UniqueConstraint("modality_type", "unique_equipment_name_id", "study_date",
                         name="uq_study_tally_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``GeneralStudyModuleAttr.modality_type``; "" when a study has none.
    modality_type: Mapped[str] = mapped_column(String(16))
    #: ``UniqueEquipmentNames.id`` (not a foreign key: identities are never deleted, and
    #: a tally row must not block it if one were); ``NO_DEVICE`` for none.
    unique_equipment_name_id: Mapped[int] = mapped_column(Integer)
    study_date: Mapped[datetime.date] = mapped_column(Date)
    studies: Mapped[int] = mapped_column(Integer)
