"""One chart's numbers for the studies a list's filters select, aggregated in the database."""
from sqlalchemy import func, literal, select

from ..models.study import GeneralEquipmentModuleAttr, UniqueEquipmentNames
from .definitions import Chart
from .statistics import summary_columns

UNKNOWN_SYSTEM = "Unknown system"
STATISTICS = ("n", "mean", "min", "q1", "median", "q3", "max")
WEEKDAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


def _first_identity():
    """Per study, its first device identity (the lowest, as the study tally counts it)."""
    equipment = GeneralEquipmentModuleAttr
    return (select(equipment.general_study_module_attr_id.label("study_id"),
                   func.min(equipment.unique_equipment_name_id).label("identity"))
            .group_by(equipment.general_study_module_attr_id).subquery("first_identity"))


def chart_rows(session, chart: Chart, studies, split: bool = False) -> list[dict]:
    """The chart's rows: per category (and system), the summary statistics of its values in
    the shown unit; for workload charts, the study count per weekday and hour."""
    values = chart.values(studies).subquery("chart_values")
    if chart.kind == "workload":
        query = (select(values.c.category, values.c.value, func.count().label("n"))
                 .where(values.c.category.is_not(None), values.c.value.is_not(None))
                 .group_by(values.c.category, values.c.value)
                 .order_by(values.c.category, values.c.value))
        return [{"category": WEEKDAYS[int(weekday)], "weekday": int(weekday), "hour": int(hour),
                 "n": n} for weekday, hour, n in session.execute(query)]
    groups = [values.c.category]
    query = select(values.c.category)
    if split:
        identity = _first_identity()
        system = func.coalesce(UniqueEquipmentNames.display_name, literal(UNKNOWN_SYSTEM))
        groups.append(system)
        query = (select(values.c.category, system.label("system"))
                 .select_from(values)
                 .outerjoin(identity, identity.c.study_id == values.c.study_id)
                 .outerjoin(UniqueEquipmentNames, UniqueEquipmentNames.id == identity.c.identity))
    query = (query.add_columns(*summary_columns(values.c.value))
             .where(values.c.value.is_not(None))
             .group_by(*groups).order_by(*groups))
    rows = []
    for row in session.execute(query).mappings():
        entry = {"category": row["category"] if row["category"] is not None else "(none)",
                 "system": row.get("system") if split else None, "n": row["n"]}
        for name in STATISTICS[1:]:
            value = row[name]
            entry[name] = float(value) * chart.scale if value is not None else None
        rows.append(entry)
    return rows


def sort_rows(rows: list[dict], order: str, statistic: str) -> list[dict]:
    """Categories by name, by the chosen statistic (highest first) or by count."""
    if order == "value":
        key = statistic if statistic in STATISTICS else "median"
        return sorted(rows, key=lambda r: (-(r.get(key) or 0), str(r["category"])))
    if order == "count":
        return sorted(rows, key=lambda r: (-r["n"], str(r["category"])))
    return rows
