"""The home page's numbers: studies per modality and display name, from the study tally.

The tally (``app.models.tally``) holds the number of studies per modality, device identity
and day, kept by the importer and the deletions; the page sums its rows (a few per device
and day) in one query instead of counting studies, which at a million studies took seconds.
"""
import datetime
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, case, func, select

from ..extensions import db
from ..models.study import UniqueEquipmentNames
from ..models.tally import NO_DATE, NO_DEVICE, StudyTally


@dataclass
class DeviceRow:
    """One display name's line on the home page."""

    display_name: str | None
    total: int
    latest: datetime.date | None
    recent: tuple[int, ...]


@dataclass
class ModalitySummary:
    """One modality's table on the home page."""

    config: object
    rows: list[DeviceRow]

    @property
    def total(self) -> int:
        """Studies of this modality over every device."""
        return sum(row.total for row in self.rows)


def window_start(today: datetime.date, days: int) -> datetime.date:
    """First day of "the last ``days`` days": today and the ``days - 1`` days before it."""
    return today - datetime.timedelta(days=days - 1)


def tally_rows(today: datetime.date, windows: tuple[int, ...]):
    """Per modality type and display name: studies, latest study date, studies per window.

    The tally's rows (one per device and day) are first summed per device identity, on
    integer keys, and only those few sums are joined to the display names and summed again
    (several identities may share one name).
    """
    tally = StudyTally
    in_window = [
        func.sum(case((and_(tally.study_date >= window_start(today, days),
                            tally.study_date <= today), tally.studies), else_=0))
        .label(f"window_{number}")
        for number, days in enumerate(windows)
    ]
    per_device = (
        select(tally.modality_type, tally.unique_equipment_name_id.label("identity"),
               func.sum(tally.studies).label("total"),
               func.max(case((tally.study_date != NO_DATE, tally.study_date))).label("latest"),
               *in_window)
        .where(tally.studies > 0)
        .group_by(tally.modality_type, tally.unique_equipment_name_id)
        .subquery()
    )
    query = (
        select(per_device.c.modality_type, UniqueEquipmentNames.display_name,
               func.sum(per_device.c.total), func.max(per_device.c.latest),
               *(func.sum(per_device.c[f"window_{number}"]) for number in range(len(windows))))
        .select_from(per_device)
        .outerjoin(UniqueEquipmentNames,
                   and_(UniqueEquipmentNames.id == per_device.c.identity,
                        per_device.c.identity != NO_DEVICE))
        .group_by(per_device.c.modality_type, UniqueEquipmentNames.display_name)
    )
    return db.session.execute(query).all()


def home_summary(modalities, today: datetime.date, windows: tuple[int, ...]):
    """The modalities that have studies, each with its per-device rows, in page order.

    Several modality types shown on one page (DX, CR and PX) and several identities sharing
    one display name are added together.
    """
    by_type = defaultdict(list)
    for modality_type, name, total, latest, *counts in tally_rows(today, windows):
        by_type[modality_type].append((name, int(total), latest, [int(n) for n in counts]))
    summaries = []
    for config in modalities:
        merged = {}
        for modality_type in config.modality_types:
            for name, total, latest, counts in by_type.get(modality_type, ()):
                row = merged.get(name)
                if row is None:
                    merged[name] = DeviceRow(name, total, latest, tuple(counts))
                    continue
                row.total += total
                row.latest = max(filter(None, (row.latest, latest)), default=None)
                row.recent = tuple(a + b for a, b in zip(row.recent, counts))
        if merged:
            rows = sorted(merged.values(), key=lambda row: (
                (row.display_name or "").lower(), row.display_name or ""))
            summaries.append(ModalitySummary(config, rows))
    return summaries


def total_studies() -> int:
    """Every stored study, of every modality."""
    return int(db.session.scalar(select(func.coalesce(func.sum(StudyTally.studies), 0))))
