"""Study records made from the reference dumps in ../shared/corpus/expected.

OpenREM's dumps have the shape of a study record (docs/architecture.md) with decimals as
strings, dates as ISO text and codes as dicts; ``record_from_dump`` turns one stored study
back into a record, so tests can store realistic studies of every modality through
``app.importing.persist`` whether or not the extractors for their source objects exist yet.
"""
import datetime
import json
import os
from pathlib import Path

from sqlalchemy import Boolean, Date, DateTime, Double, Integer, Time, inspect

from app.extractors.codes import Code
from app.models.tree import child_collections, coded_fields, value_fields

CORPUS = Path(os.environ.get("KERMA_CORPUS")
              or Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus")
EXPECTED = CORPUS / "expected"


def corpus_missing_reason() -> str | None:
    """Why the reference dumps cannot be used, or None when they are there."""
    if not (EXPECTED / "ALL-in-one-db.json").exists():
        return f"the reference dumps are not at {EXPECTED}"
    return None


def reference_studies(name: str = "ALL-in-one-db") -> list[dict]:
    """The stored studies of one reference dump, as OpenREM wrote them."""
    return json.loads((EXPECTED / f"{name}.json").read_text())["studies"]


def record_from_dump(study: dict) -> dict:
    """A study record (stored units, Python types, ``Code`` values) from a dumped study."""
    from app.models.study import GeneralStudyModuleAttr

    return _convert(GeneralStudyModuleAttr, study)


def _convert(model_cls, row: dict) -> dict:
    types = {prop.key: prop.columns[0].type for prop in inspect(model_cls).column_attrs}
    children = child_collections(model_cls)
    coded = coded_fields(model_cls)
    out = {}
    for name in value_fields(model_cls):
        if row.get(name) is not None:
            out[name] = _value(types[name], row[name])
    for name in coded:
        code = row.get(name)
        if code:
            out[name] = Code(code["code_value"], code.get("code_meaning"))
    for name, child_cls in children.items():
        if row.get(name):
            out[name] = [_convert(child_cls, child) for child in row[name]]
    return out


def _value(column_type, value):
    if isinstance(column_type, Boolean):
        return bool(value)
    if isinstance(column_type, Integer):
        return int(float(value))
    if isinstance(column_type, Double):
        return float(value)
    if isinstance(column_type, DateTime):
        return datetime.datetime.fromisoformat(value)
    if isinstance(column_type, Date):
        return datetime.date.fromisoformat(value)
    if isinstance(column_type, Time):
        return datetime.time.fromisoformat(value)
    return value
