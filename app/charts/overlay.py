"""DRL lines on the charts: for each category a chart shows, the DRL its standard name has.

A category is a name as devices write it (a study description, a requested procedure, a
protocol); ``StandardName`` maps it to an examination, and the chosen DRL set gives that
examination's level for the chart's quantity, converted to the chart's unit.
"""
from sqlalchemy import select

from ..drl.quantities import QUANTITIES
from ..extractors.units import UnknownUnit, factor
from ..models.drl import DrlValue, StandardName
from .definitions import Chart


def drl_levels(session, chart: Chart, modality: str, drl_set_id: int, categories) -> dict:
    """{category: DRL in the chart's unit} for the categories that have one."""
    if chart.drl is None or not categories:
        return {}
    quantity_key, field = chart.drl
    quantity = QUANTITIES[quantity_key]
    rows = session.execute(
        select(StandardName.name, DrlValue.value, DrlValue.unit, DrlValue.patient_group)
        .join(DrlValue, DrlValue.examination == StandardName.standard_name)
        .where(StandardName.modality == modality.upper(), StandardName.field == field,
               StandardName.name.in_(list(categories)), DrlValue.modality == modality.upper(),
               DrlValue.quantity == quantity_key, DrlValue.drl_set_id == drl_set_id)
        .order_by(StandardName.name, DrlValue.patient_group != "adult", DrlValue.id))
    levels = {}
    for name, value, unit, _group in rows:
        if name in levels:
            continue  # the adult level first, where a set has several patient groups
        try:
            levels[name] = value * factor(unit, quantity.unit) * chart.scale
        except (UnknownUnit, ValueError):
            continue
    return levels
