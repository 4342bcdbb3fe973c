"""Per-exposure chart values kept on each projection X-ray event.

The radiography charts (DAP, kVp and mAs per protocol, DAP per body part, exposures per
protocol) draw one value per irradiation event. Reaching kVp and mAs through the event's
source rows and their repeating child rows, and the event's study through the dose report,
costs more than a second at a million studies; so each event carries, in three columns
filled when its study is stored:

- ``chart_study_id``: the id of its study (the dose report's ``general_study_module_attr_id``);
- ``chart_kvp``: the mean of the kVp rows of its sources (one row on every radiography
  system seen; several only for pulsed fluoroscopy), in kV;
- ``chart_exposure``: the sum of the exposure rows of its sources, in µA·s.

They are derived only from rows that never change after import and are keyed on the study's
id, which never changes either: the list's filters (modality, dates, system, test studies)
still apply through the study row, so a modality override or a display-name merge needs no
rewrite, and deleting a study deletes its events with their values. ``refresh`` is called
wherever events are written: the importer (new and merged studies), ``flask dev populate``,
and the migration that added the columns.
"""
from sqlalchemy import func, select, update

from ..models.projection import (
    Exposure,
    IrradEventXRayData,
    IrradEventXRaySourceData,
    Kvp,
    ProjectionXRayRadiationDose,
)


def _per_event(column, aggregate, child):
    event = IrradEventXRayData.__table__
    source = IrradEventXRaySourceData.__table__
    return (select(aggregate(column))
            .select_from(source.join(child, child.c.irrad_event_xray_source_data_id == source.c.id))
            .where(source.c.irrad_event_xray_data_id == event.c.id)
            .scalar_subquery())


def refresh_statement(study_condition=None):
    """The UPDATE that sets the chart columns of every event whose study the condition on
    ``projection_xray_radiation_dose.general_study_module_attr_id`` selects (all if None)."""
    event = IrradEventXRayData.__table__
    dose = ProjectionXRayRadiationDose.__table__
    statement = (update(event)
                 .where(event.c.projection_xray_radiation_dose_id == dose.c.id)
                 .values(chart_study_id=dose.c.general_study_module_attr_id,
                         chart_kvp=_per_event(Kvp.__table__.c.kvp, func.avg, Kvp.__table__),
                         chart_exposure=_per_event(Exposure.__table__.c.exposure, func.sum,
                                                   Exposure.__table__)))
    if study_condition is not None:
        statement = statement.where(study_condition(dose.c.general_study_module_attr_id))
    return statement


def refresh(session, study_ids=None, first_study_id=None):
    """Recompute the chart columns of the events of ``study_ids`` (or of every study from
    ``first_study_id`` on; of all studies when neither is given), in SQL."""
    if study_ids is not None:
        ids = list(study_ids)
        if not ids:
            return
        condition = lambda column: column.in_(ids)  # noqa: E731
    elif first_study_id is not None:
        condition = lambda column: column >= first_study_id  # noqa: E731
    else:
        condition = None
    session.execute(refresh_statement(condition))
