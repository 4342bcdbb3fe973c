"""Several statements in one round trip to PostgreSQL (psycopg's pipeline mode).

A small object's import is a handful of statements, and on PostgreSQL each statement is a
round trip to the server that takes longer than running it. Statements whose parameters do
not depend on an earlier one's result can be sent together: the server still runs them in
order, one after the other, in the connection's transaction, and each sees what the ones
before it did (a statement after a lock is taken sees what was committed before the lock was
granted).
"""
from functools import cache
from typing import NamedTuple

from sqlalchemy.exc import DBAPIError


class Statement(NamedTuple):
    """Driver-level SQL (``%(name)s`` placeholders) and its parameters; ``many``: a list of
    parameter sets, one row each."""

    sql: str
    params: dict | list
    many: bool = False


def send(connection, statements) -> list[list[tuple]]:
    """Run ``statements`` on a SQLAlchemy connection to PostgreSQL in one round trip; the rows
    each returned (an empty list for none).

    Errors come back as SQLAlchemy's (IntegrityError, OperationalError, ...), as they would
    from ``connection.execute``, so the importer's retries see them.
    """
    driver = connection.connection.driver_connection
    cursors = []
    try:
        with driver.pipeline():
            for statement in statements:
                cursor = driver.cursor()
                cursors.append(cursor)
                if statement.many:
                    cursor.executemany(statement.sql, statement.params)
                else:
                    cursor.execute(statement.sql, statement.params)
        return [cursor.fetchall() if cursor.description else [] for cursor in cursors]
    except driver.Error as exc:
        raise DBAPIError.instance(None, None, exc, type(driver).Error) from exc
    finally:
        for cursor in cursors:
            cursor.close()


@cache
def driver_sql(dialect, clause) -> str:
    """A SQLAlchemy statement as the driver's SQL for ``dialect`` (built once per statement)."""
    return str(clause.compile(dialect=dialect))
