"""One chart's numbers for the studies a list's filters select, aggregated in the database."""
import math
from sqlalchemy import BigInteger, Integer, cast, func, literal, null, select, tuple_

from ..database import for_aggregates, map_in_sessions
from ..extensions import db
from ..models.study import GeneralStudyModuleAttr as Study
from ..models.study import UniqueEquipmentNames, system_name
from .definitions import Chart, ChartValues
from .statistics import counted_summary, summary_columns

STATISTICS = ("n", "mean", "min", "q1", "median", "q3", "max")
WEEKDAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
#: At most this many points of a scatter chart go to the browser; its band statistics are
#: computed from every value.
SCATTER_POINTS = 5000
_SAMPLE_MODULUS = 10007  # a prime: the sample does not follow any period of the study ids


def _with_system(query, values):
    """``query`` over ``values`` with each value's system (its study's display name)."""
    system = system_name()
    return (query.add_columns(system.label("system"))
            .outerjoin(UniqueEquipmentNames, UniqueEquipmentNames.id == values.c.identity),
            system)


def _band(x, width: float):
    """The lower edge of the band of ``width`` that ``x`` (positive) falls in."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.floor(x / width) * width
    return cast(x / width, Integer) * width


def chart_rows(session, chart: Chart, where, split: bool = False) -> list[dict]:
    """The chart's rows for the studies ``where`` selects: per category (and system), the
    summary statistics of its values in the shown unit (for scatter charts, per category and
    band of x); for frequency charts the count; for workload charts, the study count per
    weekday and hour."""
    values = chart.values(where).subquery("chart_values")
    if chart.kind == "workload":
        query = (select(values.c.category, values.c.value, func.count().label("n"))
                 .where(values.c.category.is_not(None), values.c.value.is_not(None))
                 .group_by(values.c.category, values.c.value)
                 .order_by(values.c.category, values.c.value))
        return [_workload_entry(weekday, hour, n) for weekday, hour, n in session.execute(query)]
    query = select(values.c.category).select_from(values).where(values.c.value.is_not(None))
    groups = [values.c.category]
    if split:
        query, system = _with_system(query, values)
        groups.append(system)
    if chart.kind == "scatter":
        band = _band(values.c.x, chart.band)
        query = query.add_columns(band.label("band")).where(values.c.x > 0)
        groups.append(band)
    if chart.discrete and chart.kind in ("category", "time"):
        query = counted_summary(query, dict(zip(("category", "system"), groups)), values.c.value)
    else:
        aggregates = ([func.count().label("n")] if chart.kind == "frequency"
                      else summary_columns(values.c.value))
        query = query.add_columns(*aggregates).group_by(*groups).order_by(*groups)
    return [_entry(chart, row["category"], row.get("system") if split else None, row,
                   band=row.get("band")) for row in session.execute(query).mappings()]


def _entry(chart: Chart, category, system, statistics, prefix: str = "", band=None) -> dict:
    """One row of a chart: its category (and system, band) and its statistics, read from
    ``statistics`` under ``prefix + name``, in the shown unit."""
    if hasattr(category, "strftime"):  # a month, as PostgreSQL truncates dates
        category = category.strftime("%Y-%m")
    entry = {"category": category if category is not None else "(none)", "system": system,
             "n": statistics[prefix + "n"]}
    if chart.kind == "scatter":
        entry["band"] = float(band)
    if chart.kind != "frequency":
        for name in STATISTICS[1:]:
            value = statistics[prefix + name]
            entry[name] = float(value) * chart.scale if value is not None else None
    return entry


def _workload_entry(weekday, hour, n) -> dict:
    return {"category": WEEKDAYS[int(weekday)], "weekday": int(weekday), "hour": int(hour), "n": n}


def _same(one, other) -> bool:
    """Whether two SQL expressions are the same (then computed once). SQLAlchemy cannot
    compare every expression (a scalar subquery over mapped classes): those count as
    different, which costs a repeated column, never a wrong one."""
    try:
        return one.compare(other)
    except (AttributeError, TypeError):
        return False


def _grouping(chart, keys, split):
    """The columns a chart's rows are grouped by (workload charts are never split)."""
    return tuple(keys) + (("system",) if split and chart.kind != "workload" else ())


def family_rows(session, charts, where, split: bool = False) -> dict[str, list[dict]]:
    """The rows of several charts on one path (``ChartValues.path``), by chart key, from one
    query on PostgreSQL: the path's rows are joined once and grouped by each chart's
    category with ``GROUPING SETS``; each distinct value gets its statistics once per set.
    The rows are those ``chart_rows`` gives for each chart alone. Scatter charts, and every
    chart on SQLite (which has no grouping sets), are computed one by one."""
    together = [c for c in charts if c.kind != "scatter" and isinstance(c.values, ChartValues)]
    if session.get_bind().dialect.name != "postgresql" or len(together) < 2:
        return {chart.key: chart_rows(session, chart, where, split) for chart in charts}
    result = {chart.key: chart_rows(session, chart, where, split)
              for chart in charts if chart not in together}

    expressions = []  # distinct SQL expressions of the charts' values and categories

    def name_of(expression):
        if hasattr(expression, "__clause_element__"):  # a mapped attribute
            expression = expression.__clause_element__()
        for number, known in enumerate(expressions):
            if known is expression or _same(known, expression):
                return f"c{number}"
        expressions.append(expression)
        return f"c{len(expressions) - 1}"

    plans = []  # (chart, grouping columns, value column)
    for chart in together:
        value, category, _ = chart.values.columns()
        value_name = name_of(value)
        category_name = name_of(category if category is not None else null())
        keys = (category_name, value_name) if chart.kind == "workload" else (category_name,)
        plans.append((chart, keys, value_name))
    base = together[0].values.rows(where).add_columns(
        *(expression.label(f"c{n}") for n, expression in enumerate(expressions)),
        Study.unique_equipment_name_id.label("identity")).subquery("family_values")

    query = select().select_from(base)
    system = None
    if split:
        query, system = _with_system(query, base)
    grouped = []  # every column some set groups by, in the order rows are sorted by
    for _, keys, _ in plans:
        grouped.extend(key for key in keys if key not in grouped)
    columns = [base.c[key] for key in grouped] + ([system] if split else [])
    sets, aggregates = [], {}
    for chart, keys, value_name in plans:
        group = _grouping(chart, keys, split)
        if group not in sets:
            sets.append(group)
        value = base.c[value_name]
        if chart.kind in ("frequency", "workload"):
            count = func.count(value) if chart.kind == "frequency" else func.count()
            aggregates.setdefault(f"{chart.kind}_{value_name}_n", count)
        else:
            for column in summary_columns(value):
                aggregates.setdefault(f"{value_name}_{column.name}", column.element)
    names = grouped + (["system"] if split else [])
    column_of = dict(zip(names, columns))
    mask = func.grouping(*columns).label("grouping_mask")
    query = (query.add_columns(mask, *(c.label(n) for n, c in column_of.items()),
                               *(a.label(n) for n, a in aggregates.items()))
             .group_by(func.grouping_sets(*(tuple_(*(column_of[n] for n in group)) for group in sets)))
             .order_by(mask, *columns))
    by_set = {}
    for row in session.execute(query).mappings():
        by_set.setdefault(row["grouping_mask"], []).append(row)

    def mask_of(group):  # GROUPING(): a bit set for each column the set does not group by
        return sum(1 << (len(names) - 1 - i) for i, n in enumerate(names) if n not in group)

    for chart, keys, value_name in plans:
        group = _grouping(chart, keys, split)
        rows = []
        for row in by_set.get(mask_of(group), []):
            system_name = row["system"] if "system" in group else None
            if chart.kind == "workload":
                weekday, hour = row[keys[0]], row[keys[1]]
                if weekday is not None and hour is not None:
                    rows.append(_workload_entry(weekday, hour, row[f"workload_{value_name}_n"]))
                continue
            prefix = f"frequency_{value_name}_" if chart.kind == "frequency" else f"{value_name}_"
            if row[prefix + "n"]:  # a category whose values are all missing has no row
                rows.append(_entry(chart, row[keys[0]], system_name, row, prefix))
        result[chart.key] = rows
    return result


def scatter_points(session, chart: Chart, where, split: bool = False,
                   limit: int = SCATTER_POINTS, total: int | None = None) -> tuple[list[list], int]:
    """Up to ``limit`` points ``[x, value, series]`` of a scatter chart, and how many there
    are in all. Beyond ``limit`` the points are those of a sample of the studies (chosen by a
    hash of the study id, so the same filters give the same points). ``total``, where the
    caller knows it (the sum of the chart's band counts), saves counting."""
    values = chart.values(where).subquery("chart_values")
    present = (values.c.value.is_not(None), values.c.x > 0)
    if total is None:
        total = session.scalar(select(func.count()).select_from(values).where(*present)) or 0
    query = (select(values.c.x, values.c.value, values.c.category)
             .select_from(values).where(*present))
    if split:
        query, _ = _with_system(query, values)
    if total > limit:
        kept = math.ceil(_SAMPLE_MODULUS * limit / total)
        mixed = cast(values.c.study_id, BigInteger) * literal(2654435761, BigInteger)
        query = query.where(mixed % _SAMPLE_MODULUS < kept)
    points = []
    for row in session.execute(query.order_by(values.c.study_id).limit(limit)):
        series = [str(row[2]) if row[2] is not None else "(none)"]
        if split:
            series.append(row[3])
        points.append([float(row[0]), float(row[1]) * chart.scale, " · ".join(series)])
    return points, total


def families(charts) -> list[list[Chart]]:
    """``charts`` in groups that ``family_rows`` computes together: those declared on the
    same path, in the order of their first chart. Frequency charts go with the charts of
    statistics on their path (counting per category comes from the grouping set those sort
    for anyway: one pass over the rows instead of two); workload charts, and frequency
    charts on a path without statistics, are a group of their own, which the database can
    group by hashing rather than sorting."""
    groups = {}
    with_statistics = {id(getattr(c.values, "path", None)) for c in charts
                       if c.kind not in ("frequency", "workload", "scatter")}
    for chart in charts:
        path = getattr(chart.values, "path", None)
        counts = chart.kind == "workload" or (chart.kind == "frequency"
                                              and id(path) not in with_statistics)
        key = (("path", id(path), counts) if path is not None and chart.kind != "scatter"
               else ("chart", chart.key))
        groups.setdefault(key, []).append(chart)
    return list(groups.values())


def charts_data(charts, where, split: bool = False, workers: int = 1,
                work_mem: str | None = None) -> list[dict]:
    """Each chart's rows (and a scatter chart's points), in the order of ``charts``.

    On PostgreSQL, ``work_mem`` (``"64MB"``) is the memory each sort may take for the rest of
    the transaction (``app.database.for_aggregates``); charts on one path share one query
    (``family_rows``), and up to ``workers`` of those queries run at once, each in its own
    session (and so on its own connection), so that a page of several charts uses the
    server's cores. Elsewhere the charts are computed one after another in the caller's
    session.
    """
    def compute(session, family):
        for_aggregates(session, work_mem)
        rows = family_rows(session, family, where, split=split)
        items = []
        for chart in family:
            item = {"chart": chart, "rows": rows[chart.key]}
            if chart.kind == "scatter":
                item["points"], item["total"] = scatter_points(
                    session, chart, where, split=split,
                    total=sum(row["n"] for row in item["rows"]))
            items.append(item)
        return items

    charts = list(charts)
    computed = map_in_sessions(lambda family: compute(db.session, family), families(charts),
                               workers)
    by_key = {item["chart"].key: item for items in computed for item in items}
    return [by_key[chart.key] for chart in charts]


def sort_rows(rows: list[dict], order: str, statistic: str) -> list[dict]:
    """Categories by name, by the chosen statistic (highest first) or by count."""
    if order == "value":
        key = statistic if statistic in STATISTICS else "median"

        def by_value(row):  # frequency rows have only their count
            value = row[key] if key in row else row["n"]
            return (-(value or 0), str(row["category"]))
        return sorted(rows, key=by_value)
    if order == "count":
        return sorted(rows, key=lambda r: (-r["n"], str(r["category"])))
    return rows
