"""Checks shared by the tests of bad and odd input: outcomes, and the rows an import leaves."""
import re
from functools import lru_cache

from sqlalchemy import func, literal, select, union_all

from app.extensions import db
from app.importing import import_file

#: The wording of the import's last-resort handlers: an exception nobody anticipated.
UNANTICIPATED = re.compile(r"could not be (read|stored) \(\w+: ")


@lru_cache(maxsize=1)
def _count_query():
    return union_all(*(
        select(literal(table.name).label("name"), func.count().label("rows")).select_from(table)
        for table in db.metadata.sorted_tables))


def row_counts() -> dict[str, int]:
    """Rows in every table of the schema, in one query."""
    counts = dict(db.session.execute(_count_query()).all())
    db.session.remove()
    return counts


def stored_rows() -> dict[str, int]:
    """Row counts of the tables that hold rows."""
    return {table: rows for table, rows in row_counts().items() if rows}


def empty_tables(counts):
    """Delete the rows an import wrote (children first), so the next case starts empty."""
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            if counts.get(table.name):
                connection.execute(table.delete())


def check_outcome(outcome, name, allowed=("rejected", "failed")):
    """The outcome is one of ``allowed``, on one line naming the file, with a reason."""
    line = outcome.line()
    assert outcome.status in allowed, line
    assert line.startswith(f"{name}: {outcome.status}"), line
    assert "\n" not in line and "\r" not in line, line
    assert "Traceback" not in line, line
    assert not UNANTICIPATED.search(outcome.message), f"unanticipated error: {line}"
    assert len(line) <= len(name) + 350, line
    if outcome.status in ("rejected", "failed"):
        assert re.search(r"[A-Za-z]{2,}\W+[A-Za-z]{2,}", outcome.message), f"no reason: {line}"


def import_bytes(tmp_path, data: bytes, name="object.dcm", allowed=("rejected", "failed")):
    """Write ``data`` to a file, import it, check the outcome and the rows left behind."""
    path = tmp_path / name
    path.write_bytes(data)
    before = row_counts()
    outcome = import_file(path, source=name)
    db.session.remove()
    check_outcome(outcome, name, allowed)
    if outcome.status not in ("imported", "duplicate"):
        assert row_counts() == before, f"rows written for {outcome.line()}"
    return outcome
