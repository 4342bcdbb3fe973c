"""Study records to model rows, and model rows back to records.

A record's keys are the model's column names, its ``<model>_set`` lists the model's child
collections and its coded fields ``Code`` values (docs/architecture.md), so one walk over the
mapper turns any record into rows; no per-template code lives here.
"""
import datetime as dt
import logging

from sqlalchemy import select

from ..models.codes import ContextID
from ..models.tree import child_collections, coded_fields, string_lengths, value_fields

log = logging.getLogger(__name__)


class TooLong(ValueError):
    """A UID longer than its column. Cut, it would no longer match the object it identifies
    (duplicates, cumulative reports), so the object is refused instead."""


def check_uid(label: str, value, length: int | None):
    """Raise TooLong when a UID does not fit its column."""
    if isinstance(value, str) and length is not None and len(value) > length:
        raise TooLong(f"its {label} is {len(value)} characters long, longer than the "
                      f"{length} Kerma stores")


class CodeCache:
    """ContextID rows by (value, meaning), looked up once per import.

    New codes become new ContextID objects attached to the rows that use them, so they are
    inserted in the same transaction as the study (and vanish with it on rollback).
    """

    def __init__(self, session):
        self.session = session
        self._rows = {}

    def get(self, code) -> ContextID | None:
        """The ContextID row for a ``Code`` (created if the database has none yet)."""
        if code is None:
            return None
        value = (code.code_value or "")[:128]
        meaning = (code.code_meaning or "")[:256]
        key = (value, meaning)
        row = self._rows.get(key)
        if row is None:
            with self.session.no_autoflush:
                row = self.session.scalars(
                    select(ContextID).where(
                        ContextID.code_value == value, ContextID.code_meaning == meaning
                    )
                ).first()
            if row is None:
                row = ContextID(
                    code_value=value,
                    code_meaning=meaning,
                    coding_scheme_designator=(code.coding_scheme_designator or None)
                    and code.coding_scheme_designator[:64],
                )
            self._rows[key] = row
        return row


def build(model_cls, record: dict, codes: CodeCache):
    """A new, unsaved row of ``model_cls`` (with all its children) from a record."""
    row = model_cls()
    children = child_collections(model_cls)
    coded = coded_fields(model_cls)
    lengths = string_lengths(model_cls)
    for key, value in record.items():
        if key.startswith("_") or value is None:
            continue
        if key in children:
            collection = getattr(row, key)
            for child in value:
                collection.append(build(children[key], child, codes))
        elif key in coded:
            setattr(row, key, codes.get(value))
        elif key in lengths:
            if key.endswith("_uid"):
                check_uid(key.replace("_uid", " UID").replace("_", " "), value, lengths[key])
            setattr(row, key, fit(value, lengths[key]))
        elif hasattr(model_cls, key):
            setattr(row, key, value)
        else:
            log.debug("%s has no field %s; value dropped", model_cls.__name__, key)
    return row


def fit(value, length):
    """A string cut to its column's length (None means unlimited); other values unchanged."""
    if isinstance(value, str) and length is not None and len(value) > length:
        return value[:length]
    return value


def dump(row) -> dict:
    """A row and its children as a record in the reference-dump layout (JSON-ready values)."""
    cls = type(row)
    children = child_collections(cls)
    coded = coded_fields(cls)
    out = {name: plain(getattr(row, name)) for name in value_fields(cls)}
    for name in coded:
        code = getattr(row, name)
        out[name] = None if code is None else {
            "code_value": code.code_value, "code_meaning": code.code_meaning or None}
    for name in children:
        out[name] = [dump(child) for child in getattr(row, name)]
    return out


def plain(value):
    """A column value as JSON: dates and times ISO, everything else as is."""
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return value
