"""Summary statistics of one value per group, computed by the database.

PostgreSQL has ``percentile_cont(f) WITHIN GROUP (ORDER BY x)``; SQLite gets an aggregate of
the same meaning, ``percentile_cont(x, f)``, registered on every connection
(``app.database``). Either way only one row per group comes back.
"""
from sqlalchemy import func

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
