"""DRL sets as data: read from CSV, checked whole, stored in one transaction.

The CSV has a header row naming the columns ``modality, examination, quantity, value, unit``
and optionally ``patient_group, year, note``; commas or semicolons separate them. Every row is
checked before anything is stored, and every problem is reported with its line number.
"""
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from ..audit import record_audit
from ..extensions import db
from ..extractors.units import UnknownUnit, factor
from ..models.drl import DrlSet, DrlValue
from .quantities import QUANTITIES

REQUIRED = ("modality", "examination", "quantity", "value", "unit")
OPTIONAL = ("patient_group", "year", "note")
DRL_MODALITIES = ("CT", "RF", "MG", "DX", "NM")

#: The national sets shipped with Kerma: name -> (file, citation).
NATIONAL = {
    "UK NDRL 2024 adult CT": (
        Path(__file__).with_name("data") / "uk-ndrl-2024-adult-ct.csv",
        "UK Health Security Agency, National Diagnostic Reference Levels (NDRLs) from "
        "20 November 2024, Table 1: Adult CT examinations (values adopted 2022). "
        "https://www.gov.uk/government/publications/"
        "diagnostic-radiology-national-diagnostic-reference-levels-ndrls"),
}


class DrlFileError(ValueError):
    """The CSV cannot be loaded; ``problems`` lists every line that is wrong."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems[:5]) + (" ..." if len(problems) > 5 else ""))
        self.problems = problems


@dataclass
class Parsed:
    values: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def parse_csv(text: str) -> Parsed:
    """The DRL rows of a CSV text, or the problems that stop it loading."""
    parsed = Parsed()
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    columns = [name.strip().lower() for name in reader.fieldnames or ()]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        parsed.problems.append(f"the header has no column {', '.join(missing)} "
                               f"(columns: {', '.join(columns) or 'none'})")
        return parsed
    reader.fieldnames = columns
    seen = set()
    for line, row in enumerate(reader, start=2):
        row = {key: (value or "").strip() for key, value in row.items() if key}
        if not any(row.values()):
            continue
        value, problems = _checked(row)
        key = (value.get("modality"), value.get("examination"), value.get("quantity"),
               value.get("patient_group"))
        if not problems and key in seen:
            problems.append("the same examination, quantity and patient group appear twice")
        seen.add(key)
        parsed.problems.extend(f"line {line}: {problem}" for problem in problems)
        if not problems:
            parsed.values.append(value)
    if not parsed.values and not parsed.problems:
        parsed.problems.append("the file has no rows")
    return parsed


def _checked(row: dict) -> tuple[dict, list[str]]:
    problems = []
    modality = row["modality"].upper()
    quantity = QUANTITIES.get(row["quantity"].lower())
    if modality not in DRL_MODALITIES:
        problems.append(f"modality {row['modality']!r} is not one of {', '.join(DRL_MODALITIES)}")
    if quantity is None:
        problems.append(f"quantity {row['quantity']!r} is not one of {', '.join(QUANTITIES)}")
    elif modality in DRL_MODALITIES and modality not in quantity.modalities:
        problems.append(f"{quantity.key} is not a {modality} quantity")
    if not row["examination"]:
        problems.append("the examination is empty")
    try:
        value = float(row["value"].replace(",", "."))  # a decimal comma is read
        if not value > 0:
            problems.append(f"the value {row['value']!r} is not a positive number")
    except ValueError:
        value = None
        problems.append(f"the value {row['value']!r} is not a number")
    if quantity is not None:
        try:
            factor(row["unit"], quantity.unit)
        except (UnknownUnit, ValueError):
            problems.append(f"the unit {row['unit']!r} is not a unit of {quantity.label} "
                            f"(stored in {quantity.unit})")
    year = None
    if row.get("year"):
        try:
            year = int(row["year"])
        except ValueError:
            problems.append(f"the year {row['year']!r} is not a number")
    return {"modality": modality, "examination": row["examination"][:256],
            "quantity": quantity.key if quantity else None, "value": value,
            "unit": row["unit"], "patient_group": row.get("patient_group") or "adult",
            "year": year, "note": row.get("note") or None}, problems


def load_set(text: str, name: str, source: str | None = None, replace: bool = False) -> DrlSet:
    """Store the DRL set in ``text`` as ``name``; DrlFileError, and nothing stored, if any
    row is wrong. An existing set of that name is replaced only with ``replace``."""
    parsed = parse_csv(text)
    existing = db.session.scalars(select(DrlSet).where(DrlSet.name == name)).first()
    if existing is not None and not replace:
        parsed.problems.insert(0, f"a DRL set named {name!r} exists already")
    if parsed.problems:
        raise DrlFileError(parsed.problems)
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()
    drl_set = DrlSet(name=name, source=source, values=[DrlValue(**v) for v in parsed.values])
    db.session.add(drl_set)
    record_audit("drl.load", f"DRL set {name}",
                 f"{len(parsed.values)} values" + (" (replaced the earlier set)" if existing else "")
                 + (f"\nsource: {source}" if source else ""))
    db.session.commit()
    return drl_set


def load_national(name: str, replace: bool = False) -> DrlSet:
    """Load one of the national sets shipped with Kerma (``NATIONAL``)."""
    path, source = NATIONAL[name]
    return load_set(path.read_text(encoding="utf-8"), name, source, replace=replace)
