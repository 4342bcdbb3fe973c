"""One chart's numbers for the studies a list's filters select, aggregated in the database."""
import math
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import BigInteger, Integer, cast, func, literal, select

from ..database import for_aggregates
from ..extensions import db
from ..models.study import UniqueEquipmentNames
from .definitions import Chart
from .statistics import summary_columns

UNKNOWN_SYSTEM = "Unknown system"
STATISTICS = ("n", "mean", "min", "q1", "median", "q3", "max")
WEEKDAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
#: At most this many points of a scatter chart go to the browser; its band statistics are
#: computed from every value.
SCATTER_POINTS = 5000
_SAMPLE_MODULUS = 10007  # a prime: the sample does not follow any period of the study ids


def _with_system(query, values):
    """``query`` over ``values`` with each value's system (its study's display name)."""
    system = func.coalesce(UniqueEquipmentNames.display_name, literal(UNKNOWN_SYSTEM))
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
        return [{"category": WEEKDAYS[int(weekday)], "weekday": int(weekday), "hour": int(hour),
                 "n": n} for weekday, hour, n in session.execute(query)]
    query = select(values.c.category).select_from(values).where(values.c.value.is_not(None))
    groups = [values.c.category]
    if split:
        query, system = _with_system(query, values)
        groups.append(system)
    if chart.kind == "scatter":
        band = _band(values.c.x, chart.band)
        query = query.add_columns(band.label("band")).where(values.c.x > 0)
        groups.append(band)
    if chart.kind == "frequency":
        query = query.add_columns(func.count().label("n"))
    else:
        query = query.add_columns(*summary_columns(values.c.value))
    query = query.group_by(*groups).order_by(*groups)
    rows = []
    for row in session.execute(query).mappings():
        category = row["category"]
        if hasattr(category, "strftime"):  # a month, as PostgreSQL truncates dates
            category = category.strftime("%Y-%m")
        entry = {"category": category if category is not None else "(none)",
                 "system": row.get("system") if split else None, "n": row["n"]}
        if chart.kind == "scatter":
            entry["band"] = float(row["band"])
        if chart.kind != "frequency":
            for name in STATISTICS[1:]:
                value = row[name]
                entry[name] = float(value) * chart.scale if value is not None else None
        rows.append(entry)
    return rows


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


def charts_data(app, charts, where, split: bool = False, workers: int = 1,
                work_mem: str | None = None) -> list[dict]:
    """Each chart's rows (and a scatter chart's points), in the order of ``charts``.

    On PostgreSQL, ``work_mem`` (``"64MB"``) is the memory each sort may take for the rest of
    the transaction (``app.database.for_aggregates``).

    On PostgreSQL up to ``workers`` charts are computed at once, each in its own session
    (and so on its own connection), so that a page of several charts uses the server's
    cores; elsewhere one after another in the caller's session.
    """
    def compute(session, chart):
        for_aggregates(session, work_mem)
        rows = chart_rows(session, chart, where, split=split)
        item = {"chart": chart, "rows": rows}
        if chart.kind == "scatter":
            item["points"], item["total"] = scatter_points(
                session, chart, where, split=split, total=sum(row["n"] for row in rows))
        return item

    def in_own_session(chart):
        with app.app_context():
            return compute(db.session, chart)

    charts = list(charts)
    if workers <= 1 or len(charts) <= 1 or db.engine.dialect.name != "postgresql":
        return [compute(db.session, chart) for chart in charts]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="charts") as pool:
        return list(pool.map(in_own_session, charts))


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
