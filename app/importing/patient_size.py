"""Patient heights and weights from a CSV file (for example a RIS export), matched to studies.

Heights are given in centimetres and stored in metres; weights in kilograms. Rows are matched
by accession number (hashed first where the site hashes accession numbers) or by Study
Instance UID. Values already stored are kept unless the import is told to overwrite.
Optional columns give the patient's AP and lateral dimensions and water equivalent diameter
(mm or cm), kept per study as the last source of patient size for SSDE (docs/ssde.md).
"""
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import or_, select

from ..extensions import db
from ..models.settings import SizeUpload
from ..models.ssde import StudySizeImport
from ..ssde.events import recompute_study
from ..models.study import GeneralStudyModuleAttr, PatientStudyModuleAttr
from .identity import hash_identifier

ID_TYPES = ("accession", "si-uid")


class PatientSizeError(Exception):
    """The CSV file or the column choice cannot be used; the message says why."""


@dataclass
class SizeImportResult:
    """What a patient-size import changed, with one log line per row that needs attention."""

    rows: int = 0
    matched: int = 0
    updated: int = 0
    log: list = field(default_factory=list)

    def summary_line(self) -> str:
        """One line for the command line and the upload page."""
        return (f"{self.rows} rows read, {self.matched} matched a study, "
                f"{self.updated} studies updated")

    def as_dict(self) -> dict:
        """JSON-ready form."""
        return {"rows": self.rows, "matched": self.matched, "updated": self.updated,
                "log": list(self.log)}


def read_rows(text: str, columns: tuple[str, str, str]) -> list[dict]:
    """The CSV rows as dicts, after checking the named columns exist."""
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [c for c in columns if c and c not in header]
    if missing:
        raise PatientSizeError(
            f"the file has no column {', '.join(repr(m) for m in missing)} "
            f"(its columns are: {', '.join(header) or 'none'})")
    reader.fieldnames = header
    return list(reader)


#: Units the dimension columns may be given in, and their factor to mm.
SIZE_UNITS = {"mm": 1.0, "cm": 10.0}
#: Patient dimensions outside this range (mm) are not a patient's.
DIMENSION_RANGE_MM = (50.0, 800.0)


def import_patient_sizes(csv_path, id_column, height_column, weight_column,
                         id_type="accession", overwrite=False, filename=None,
                         ap_column=None, lateral_column=None, wed_column=None,
                         size_unit="mm") -> SizeImportResult:
    """Apply heights, weights and (optionally) patient dimensions for SSDE from ``csv_path``
    to stored studies, in one transaction.

    ``ap_column``, ``lateral_column`` and ``wed_column`` name columns of the AP and lateral
    dimensions and of the water equivalent diameter, in ``size_unit`` ("mm" or "cm"); they
    are kept per study and the study's SSDE recomputed (docs/ssde.md).
    """
    if id_type not in ID_TYPES:
        raise PatientSizeError(f"unknown ID type {id_type!r}")
    if size_unit not in SIZE_UNITS:
        raise PatientSizeError(f"unknown size unit {size_unit!r} (use mm or cm)")
    raw = Path(csv_path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    rows = read_rows(text, (id_column, height_column, weight_column, ap_column or "",
                            lateral_column or "", wed_column or ""))
    dimension_columns = {"ap_dimension": ap_column, "lateral_dimension": lateral_column,
                         "water_equivalent_diameter": wed_column}
    sized = set()
    result = SizeImportResult(rows=len(rows))
    for number, row in enumerate(rows, start=2):
        identifier = (row.get(id_column) or "").strip()
        if not identifier:
            result.log.append(f"row {number}: no {id_column}; skipped")
            continue
        height = _number(row.get(height_column), number, "height", result)
        weight = _number(row.get(weight_column), number, "weight", result)
        if height is not None and not 20 <= height <= 300:
            result.log.append(f"row {number}: height {height} cm is implausible; not used")
            height = None
        if weight is not None and not 0.2 <= weight <= 700:
            result.log.append(f"row {number}: weight {weight} kg is implausible; not used")
            weight = None
        studies = _studies(identifier, id_type)
        if not studies:
            result.log.append(f"row {number}: no study with {id_type} {identifier}")
            continue
        result.matched += 1
        dimensions = {}
        for name, column in dimension_columns.items():
            if not column:
                continue
            value = _number(row.get(column), number, name.replace("_", " "), result)
            if value is None:
                continue
            value *= SIZE_UNITS[size_unit]
            low, high = DIMENSION_RANGE_MM
            if not low <= value <= high:
                result.log.append(f"row {number}: {name.replace('_', ' ')} {value:g} mm is "
                                  "implausible; not used")
                continue
            dimensions[name] = value
        for study in studies:
            changed = _apply(study, height, weight, overwrite)
            if dimensions and study.study_instance_uid not in sized:
                sized.add(study.study_instance_uid)
                changed = _apply_dimensions(study.study_instance_uid, dimensions, overwrite) or changed
            if changed:
                result.updated += 1
    db.session.flush()
    for uid in sorted(sized):
        recompute_study(uid)
    db.session.add(SizeUpload(
        filename=(filename or Path(csv_path).name)[:256], id_field=id_column[:256],
        height_field=height_column[:256], weight_field=weight_column[:256], id_type=id_type,
        overwrite=overwrite, status="done", num_records=result.rows,
        log="\n".join([result.summary_line(), *result.log])))
    db.session.commit()
    return result


def _number(text, row_number, what, result):
    text = (text or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        result.log.append(f"row {row_number}: {what} {text!r} is not a number; not used")
        return None
    return value


def _studies(identifier, id_type):
    if id_type == "si-uid":
        condition = GeneralStudyModuleAttr.study_instance_uid == identifier
    else:
        condition = or_(
            (GeneralStudyModuleAttr.accession_number == identifier)
            & GeneralStudyModuleAttr.accession_hashed.is_(False),
            (GeneralStudyModuleAttr.accession_number == hash_identifier(identifier))
            & GeneralStudyModuleAttr.accession_hashed.is_(True),
        )
    return db.session.scalars(select(GeneralStudyModuleAttr).where(condition)).all()


def _apply_dimensions(study_uid, dimensions, overwrite) -> bool:
    stored = db.session.scalars(select(StudySizeImport).where(
        StudySizeImport.study_instance_uid == study_uid)).first()
    if stored is None:
        stored = StudySizeImport(study_instance_uid=study_uid)
        db.session.add(stored)
    changed = False
    for name, value in dimensions.items():
        if overwrite or getattr(stored, name) is None:
            if getattr(stored, name) != value:
                setattr(stored, name, value)
                changed = True
    return changed


def _apply(study, height_cm, weight_kg, overwrite) -> bool:
    if not study.patientstudymoduleattr_set:
        study.patientstudymoduleattr_set.append(PatientStudyModuleAttr())
    patient = study.patientstudymoduleattr_set[0]
    changed = False
    if height_cm is not None and (overwrite or patient.patient_size is None):
        patient.patient_size = round(height_cm / 100.0, 4)
        changed = True
    if weight_kg is not None and (overwrite or patient.patient_weight is None):
        patient.patient_weight = weight_kg
        changed = True
    return changed
