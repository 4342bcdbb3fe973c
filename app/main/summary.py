"""The home page's numbers: studies per modality and display name, in one query per modality."""
import datetime
from dataclasses import dataclass

from sqlalchemy import and_, case, func, select

from ..extensions import db
from ..models.study import GeneralEquipmentModuleAttr, GeneralStudyModuleAttr as Study
from ..models.study import UniqueEquipmentNames
from ..modalities.filtering import modality_condition


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


def modality_summary(config, today: datetime.date, windows: tuple[int, ...]) -> list[DeviceRow]:
    """Per display name: studies, latest study date and studies in each window, in one query.

    The studies are first counted per device identity, which the (study, identity) index of
    the equipment rows answers without reading the equipment table, and only those few rows
    are grouped by display name (several identities may share one). The importer stores one
    equipment row per study, so each study counts once. Studies without equipment (an import
    that stopped early) appear under no display name.
    """
    identity = GeneralEquipmentModuleAttr.unique_equipment_name_id
    in_window = [
        func.count(case((and_(Study.study_date >= window_start(today, days),
                              Study.study_date <= today), 1))).label(f"window_{number}")
        for number, days in enumerate(windows)
    ]
    per_device = (
        select(identity.label("identity"), func.count().label("total"),
               func.max(Study.study_date).label("latest"), *in_window)
        .select_from(Study)
        .outerjoin(GeneralEquipmentModuleAttr,
                   GeneralEquipmentModuleAttr.general_study_module_attr_id == Study.id)
        .where(modality_condition(config))
        .group_by(identity)
        .subquery()
    )
    query = (
        select(UniqueEquipmentNames.display_name, func.sum(per_device.c.total),
               func.max(per_device.c.latest),
               *(func.sum(per_device.c[f"window_{number}"]) for number in range(len(windows))))
        .select_from(per_device)
        .outerjoin(UniqueEquipmentNames, UniqueEquipmentNames.id == per_device.c.identity)
        .group_by(UniqueEquipmentNames.display_name)
    )
    rows = [DeviceRow(name, int(total), latest, tuple(int(count) for count in counts))
            for name, total, latest, *counts in db.session.execute(query)]
    rows.sort(key=lambda row: ((row.display_name or "").lower(), row.display_name or ""))
    return rows


def home_summary(modalities, today: datetime.date, windows: tuple[int, ...]):
    """The modalities that have studies, each with its per-device rows, in page order."""
    summaries = []
    for config in modalities:
        rows = modality_summary(config, today, windows)
        if rows:
            summaries.append(ModalitySummary(config, rows))
    return summaries


def total_studies() -> int:
    """Every stored study, of every modality."""
    return db.session.scalar(select(func.count(Study.id)))
