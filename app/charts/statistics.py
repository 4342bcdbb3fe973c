"""Summary statistics of one value per group, computed by the database.

PostgreSQL has ``percentile_cont(f) WITHIN GROUP (ORDER BY x)``; SQLite gets an aggregate of
the same meaning, ``percentile_cont(x, f)``, registered on every connection
(``app.database``). Either way only one row per group comes back.

Values that are settings (kVp) take few distinct values however many exposures there are; ``counted_summary`` gives the same statistics from a count of each distinct value,
which PostgreSQL can take in parallel workers instead of sorting every value in one process.
"""
from sqlalchemy import BigInteger, Float, case, cast, func, select

from ..extensions import db

QUARTILES = {"q1": 0.25, "median": 0.5, "q3": 0.75}


def percentile(value, fraction: float):
    if db.session.get_bind().dialect.name == "postgresql":
        return func.percentile_cont(fraction).within_group(value)
    return func.percentile_cont(value, fraction)


def summary_columns(value) -> list:
    """n, mean, min, q1, median, q3 and max of ``value``, labelled."""
    return [func.count(value).label("n"), func.avg(value).label("mean"),
            func.min(value).label("min"), func.max(value).label("max"),
            *(percentile(value, f).label(name) for name, f in QUARTILES.items())]


def counted_summary(query, groups, value):
    """The statistics of ``summary_columns`` per ``groups`` (name: column) of ``query`` (a
    select over rows that have those columns and ``value``, missing values left out; its
    columns are replaced), from a count of each distinct value: the quartiles are
    ``percentile_cont``'s, the value at rank
    ``f * (n - 1)`` of the ordered values interpolated between its two neighbours, found from
    each value's running count. The same numbers as sorting every value (the mean up to the
    order of summation), in time that grows with the distinct values per group rather than
    with the rows. Returns a select of the groups' columns (under their own names) and n,
    mean, min, max, q1, median, q3, ordered by the groups."""
    labelled = [column.label(name) for name, column in groups.items()]
    counted = (query.with_only_columns(*labelled, value.label("value"),
                                       func.count().label("k"))
               .group_by(*groups.values(), value).subquery("counted"))
    keys = [counted.c[column.name] for column in labelled]
    ranked = select(*keys, counted.c.value, counted.c.k,
                    cast(func.sum(counted.c.k).over(partition_by=keys, order_by=counted.c.value,
                                                    rows=(None, 0)), BigInteger).label("upto"),
                    cast(func.sum(counted.c.k).over(partition_by=keys), BigInteger)
                    .label("total")).subquery("ranked")
    r = ranked.c
    quarters = {name: int(fraction * 4) for name, fraction in QUARTILES.items()}
    # Rank (from 0) of the value below and above f * (n - 1), for f a whole number of
    # quarters: integer arithmetic, so exactly the ranks percentile_cont takes.
    below = {name: (q * (r.total - 1)) // 4 for name, q in quarters.items()}
    above = {name: (q * (r.total - 1) + 3) // 4 for name, q in quarters.items()}

    def at_rank(rank):  # the smallest value whose running count passes the rank
        return func.min(case((r.upto > rank, r.value)))

    per_group = (select(*(r[c.name] for c in labelled),
                        func.sum(r.k).label("n"),
                        func.sum(r.value * r.k).label("total_value"),
                        func.min(r.value).label("min"), func.max(r.value).label("max"),
                        func.max(r.total).label("total"),
                        *(at_rank(below[name]).label(f"{name}_below") for name in quarters),
                        *(at_rank(above[name]).label(f"{name}_above") for name in quarters))
                 .group_by(*(r[c.name] for c in labelled)).subquery("per_group"))
    g = per_group.c

    def interpolated(name):  # as percentile_cont: below + (above - below) * fraction
        fraction = cast((quarters[name] * (g.total - 1)) % 4, Float) / 4.0
        return g[f"{name}_below"] + (g[f"{name}_above"] - g[f"{name}_below"]) * fraction

    return select(*(g[c.name].label(c.name) for c in labelled), cast(g.n, BigInteger).label("n"),
                  (cast(g.total_value, Float) / cast(g.n, Float)).label("mean"),
                  g.min, g.max, *(interpolated(name).label(name) for name in quarters)
                  ).order_by(*(g[c.name] for c in labelled))
