"""Compare study records or dumps with what OpenREM stored for the same DICOM object.

The reference dumps in ``shared/corpus/expected`` hold decimals as strings rounded to OpenREM's
decimal places, dates as ISO strings and coded values as ``{code_value, code_meaning}``. Kerma
values are compared at the precision OpenREM stored: a number is equal when it rounds to the
reference's last decimal place (or agrees to 1e-9 relative). Where Kerma deliberately differs,
the difference is listed in ``DOCUMENTED`` with the reason (also in docs/import.md).
"""
import datetime as dt
import fnmatch
import json
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("KERMA_CORPUS", REPO.parent / "shared" / "corpus"))

#: Fields that are not extracted but derived at import (compared only on dumps) or that are
#: features outside the import (standard names, skin dose maps, RF delta-week sums).
NOT_EXTRACTED = {
    "objectuidsprocessed_set", "unique_equipment_name", "accession_hashed", "name_hashed",
    "id_hashed", "not_patient_indicator", "number_of_events", "number_of_events_a",
    "number_of_events_b", "number_of_axial", "number_of_spiral", "number_of_stationary",
    "number_of_const_angle", "total_dlp", "total_dap_a", "total_dap_b", "total_dap",
    "total_rp_dose_a", "total_rp_dose_b", "total_dap_delta_weeks", "total_rp_dose_delta_weeks",
    "total_agd_left", "total_agd_right", "total_agd_both", "number_of_planes",
    "study_workload_chart_time",
}
NEVER_COMPARED = {
    "standard_names", "standard_protocols", "skindosemapresults_set",
    "pksforsummedrfdosestudiesindeltaweeks_set", "id",
}

#: Deliberate differences from OpenREM: (file pattern, path pattern, reason), both fnmatch
#: patterns. Paths look like ``ctradiationdose_set[0].ctirradiationeventdata_set[3].dlp``.
#: Each importer keeps its own list in tests/documented/<importer>.py; docs/import.md gives
#: the reasons to users.
DOCUMENTED: list[tuple[str, str, str]] = [
    ("*", "patientmoduleattr_set[0].patient_name", "patient names are not stored by default"),
    ("*", "patientmoduleattr_set[0].patient_id", "patient IDs are not stored by default"),
    ("*", "patientmoduleattr_set[0].patient_birth_date", "birth dates are not stored by default"),
]


def _load_documented():
    import importlib.util

    for module_path in sorted((Path(__file__).parent / "documented").glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"documented_{module_path.stem}", module_path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        DOCUMENTED.extend(getattr(module, "DOCUMENTED", []))


_load_documented()


def expected_path(name: str) -> Path:
    """The reference dump for a corpus file name (with or without .dcm)."""
    return CORPUS / "expected" / (Path(name).stem + ".json")


def load_expected(name: str) -> dict:
    """The reference dump for a corpus file."""
    return json.loads(expected_path(name).read_text())


@dataclass
class Result:
    """Outcome of one comparison: counts and the differences found."""

    compared: int = 0
    equal: int = 0
    documented: list = field(default_factory=list)
    mismatches: list = field(default_factory=list)

    def add(self, other: "Result"):
        self.compared += other.compared
        self.equal += other.equal
        self.documented += other.documented
        self.mismatches += other.mismatches

    def report(self, limit=40) -> str:
        lines = [f"{self.compared} values compared, {self.equal} equal, "
                 f"{len(self.documented)} documented differences, "
                 f"{len(self.mismatches)} mismatches"]
        lines += [f"  {path}: kerma={ours!r} openrem={theirs!r}"
                  for path, ours, theirs in self.mismatches[:limit]]
        return "\n".join(lines)


def compare_study(ours: dict, expected: dict, *, record: bool, file: str = "",
                  shared_code_meanings: bool = False) -> Result:
    """Compare one study (a record when ``record``, else a dump) with its reference.

    ``file`` is the corpus file name (or names, for a study built from several), used to pick
    the documented differences that apply. ``shared_code_meanings``: the reference comes from
    a database holding many objects, where OpenREM keeps one meaning per code, as the first
    object spelt it ("BREAST" for every later "Breast", "Aluminum" for "Aluminium"); Kerma
    keeps each object's own spelling, so only code values are compared.
    """
    global _FOLD_MEANINGS
    _FOLD_MEANINGS = shared_code_meanings
    result = Result()
    skip = NEVER_COMPARED | (NOT_EXTRACTED if record else set())
    files = [file] if isinstance(file, str) else list(file)
    documented = [(path, reason) for pattern, path, reason in DOCUMENTED
                  if any(fnmatch.fnmatchcase(name, pattern) for name in files)]
    _compare_dict(ours or {}, expected, "", skip, result, documented)
    return result


def _compare_dict(ours, expected, path, skip, result, documented):
    for key, theirs in expected.items():
        if key in skip or key.endswith("_hash"):
            continue
        here = f"{path}.{key}" if path else key
        mine = ours.get(key) if isinstance(ours, dict) else getattr(ours, key, None)
        if isinstance(theirs, list) and (key.endswith("_set") or key.startswith("tid1020")):
            _compare_rows(mine or [], theirs, here, skip, result, documented)
        elif isinstance(theirs, dict) and not _is_code(theirs):
            _compare_dict(mine or {}, theirs, here, skip, result, documented)
        else:
            _compare_value(mine, theirs, here, result, documented)


def _compare_rows(ours, expected, path, skip, result, documented):
    # OpenREM writes an all-empty participant row where the source has none; an all-null
    # reference row is matched by no row at all.
    expected = [row for row in expected if not _all_null(row)] if len(ours) < len(expected) else expected
    if len(ours) != len(expected):
        result.compared += 1
        if not _is_documented(f"{path} (rows)", documented, result):
            result.mismatches.append((f"{path} (rows)", len(ours), len(expected)))
        return
    if path.endswith("objectuidsprocessed_set"):
        # The objects a study was built from are a set; OpenREM lists the newest first.
        ours = sorted(ours, key=lambda row: row.get("sop_instance_uid") or "")
        expected = sorted(expected, key=lambda row: row.get("sop_instance_uid") or "")
    for index, (mine, theirs) in enumerate(zip(ours, expected)):
        _compare_dict(mine, theirs, f"{path}[{index}]", skip, result, documented)


def _all_null(row):
    return isinstance(row, dict) and all(
        value in (None, "", [], False) for value in row.values()
    )


def _is_code(value):
    return isinstance(value, dict) and set(value) == {"code_value", "code_meaning"}


def _compare_value(mine, theirs, path, result, documented):
    if isinstance(theirs, str) and theirs.startswith("<generated"):
        return
    result.compared += 1
    if values_equal(mine, theirs):
        result.equal += 1
        return
    if not _is_documented(path, documented, result):
        result.mismatches.append((path, _plain(mine), theirs))


def _is_documented(path, documented, result) -> bool:
    for pattern, reason in documented:
        if fnmatch.fnmatchcase(path, _literal_brackets(pattern)):
            result.documented.append((path, reason))
            return True
    return False


def _literal_brackets(pattern: str) -> str:
    """Paths index rows as ``[0]``; in a pattern that means the bracket, not a character set."""
    return pattern.replace("[", "[[]")


# Django writes a zero decimal as e.g. "0E-8".
_FOLD_MEANINGS = False

_DECIMAL = re.compile(r"-?\d+(\.\d+)?(E[-+]?\d+)?")


def values_equal(mine, theirs) -> bool:
    """Whether a Kerma value equals a reference value at the reference's precision."""
    mine = _plain(mine)
    if theirs in (None, "") or mine in (None, ""):
        return theirs in (None, "") and mine in (None, "")
    if _is_code(theirs):
        return isinstance(mine, dict) and mine.get("code_value") == theirs["code_value"] and (
            _FOLD_MEANINGS or mine.get("code_meaning") == theirs["code_meaning"])
    if isinstance(theirs, bool) or isinstance(mine, bool):
        return bool(mine) == bool(theirs) and type(mine) is type(theirs)
    if isinstance(mine, (int, float)) and not isinstance(mine, bool):
        if isinstance(theirs, str) and _DECIMAL.fullmatch(theirs.strip()):
            return _numbers_equal(mine, theirs.strip())
        if isinstance(theirs, (int, float)):
            return _numbers_equal(mine, repr(theirs))
        return False
    if isinstance(mine, str) and isinstance(theirs, str):
        return mine == theirs or _temporal(mine) == _temporal(theirs) is not None
    return False


def _temporal(text):
    """OpenREM keeps some dates and times in date-time fields: 2018-04-27T00:00:00 for a date,
    1900-01-01T07:43:31 for a time. Reduce both forms to what they mean."""
    if re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00", text):
        return text[:10]
    if text.startswith("1900-01-01T"):
        return text[11:]
    if re.fullmatch(r"\d{4}-\d\d-\d\d|\d\d:\d\d:\d\d(\.\d+)?", text):
        return text
    return None


def _numbers_equal(mine: float, theirs: str) -> bool:
    reference = Decimal(theirs)
    places = max(0, -reference.as_tuple().exponent)
    if abs(Decimal(repr(float(mine))) - reference) <= Decimal(5) * Decimal(10) ** -(places + 1):
        return True
    return abs(float(mine) - float(reference)) <= 1e-9 * max(abs(float(reference)), 1e-300)


def _plain(value):
    """A Kerma value in the reference's representation (codes as dicts, dates ISO)."""
    if hasattr(value, "code_value") and hasattr(value, "code_meaning"):
        return {"code_value": value.code_value, "code_meaning": value.code_meaning}
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value
