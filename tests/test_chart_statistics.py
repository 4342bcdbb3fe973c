"""Summary statistics from a count of each distinct value (``counted_summary``) are those of
sorting every value: percentile_cont's quartiles exactly, the mean up to rounding."""
import random
import statistics

import pytest
from sqlalchemy import Float, String, literal, null, select, union_all

from app.charts.statistics import counted_summary, summary_columns
from app.extensions import db
from test_charts import _quartiles

#: (category, system, kVp): repeated settings, odd and even counts, a lone value, a missing one.
ROWS = ([("Chest PA", "Room 1", v) for v in (125, 125, 125, 110, 125, 120)]
        + [("Chest PA", "Room 2", v) for v in (100, 102, 104, 106)]
        + [("Knee", "Room 1", 60.0)]
        + [("Knee", "Room 2", None), ("Knee", "Room 2", 63.0), ("Knee", "Room 2", 57.5)]
        + [("Pelvis", "Room 1", float(random.Random(7).choice((70, 73, 75, 77, 81, 85))))
           for _ in range(101)])


def _table():
    """The rows as a table of literals (SQLite cannot name the columns of VALUES)."""
    return union_all(*(select(literal(category, String).label("category"),
                              literal(system, String).label("system"),
                              (literal(value, Float) if value is not None else null())
                              .label("value"))
                       for category, system, value in ROWS)).subquery("settings")


def _counted(groups):
    table = _table()
    query = select(table.c.category).select_from(table).where(table.c.value.is_not(None))
    query = counted_summary(query, {name: table.c[name] for name in groups}, table.c.value)
    return [dict(row) for row in db.session.execute(query).mappings()]


@pytest.mark.parametrize("groups", [("category",), ("category", "system")])
def test_counted_statistics_equal_those_of_every_value(app, groups):
    with app.app_context():
        got = _counted(groups)
        expected = {}
        for row in ROWS:
            if row[2] is not None:
                key = row[0] if groups == ("category",) else row[:2]
                expected.setdefault(key, []).append(row[2])
        assert [tuple(r[g] for g in groups) if len(groups) > 1 else r["category"]
                for r in got] == sorted(expected)
        for row in got:
            key = tuple(row[g] for g in groups) if len(groups) > 1 else row["category"]
            numbers = sorted(expected[key])
            q1, median, q3 = _quartiles(numbers)
            assert row["n"] == len(numbers)
            assert (row["min"], row["max"]) == (numbers[0], numbers[-1])
            assert row["mean"] == pytest.approx(statistics.fmean(numbers), rel=1e-12)
            assert (row["q1"], row["median"], row["q3"]) == pytest.approx((q1, median, q3),
                                                                         rel=1e-12)


def test_counted_quartiles_are_the_databases_own_percentiles(app):
    """Not only close: the very numbers the database's percentile aggregate gives."""
    with app.app_context():
        table = _table()
        sorted_every_value = (select(table.c.category, *summary_columns(table.c.value))
                              .where(table.c.value.is_not(None))
                              .group_by(table.c.category).order_by(table.c.category))
        percentiles = {row["category"]: row for row in
                       db.session.execute(sorted_every_value).mappings()}
        counted = _counted(("category",))
        assert [row["category"] for row in counted] == sorted(percentiles)
        for row in counted:
            expected = percentiles[row["category"]]
            for name in ("n", "min", "max", "q1", "median", "q3"):
                assert row[name] == expected[name], (row["category"], name)
        # Chest PA, ten values, 125 four times: the median falls between 110 and 120.
        chest = next(r for r in counted if r["category"] == "Chest PA")
        assert (chest["q1"], chest["median"], chest["q3"]) == (104.5, 115.0, 125.0)
