"""One odd value is not bad input: every unit and every code of the corpus replaced, one at a time.

For each dose report in the corpus and each (concept, unit) pair in it, every such item's unit is
replaced by one no device uses; for each (concept, code) pair, every such code by one in no
vocabulary. The report must still be read whole: what the concept feeds is left out (a unit) or
kept as sent (a code), nothing else of the record changes, and a warning names the concept and
the value. Which fields a concept feeds is measured, not listed: adding 1 to the concept's
numbers shows which fields follow them. The same is done through the database for one report of
each template, where every row of the study must still be stored.
"""
import copy
from functools import lru_cache
from io import BytesIO

import pydicom
import pytest

from app.extractors.dispatch import extract
from app.extractors.vocabulary import problem
from app.extensions import db
from app.extractors.codes import Code
from app.models.study import GeneralStudyModuleAttr
from conformance import CORPUS
from import_checks import empty_tables, import_bytes, row_counts, stored_rows

DICOM = CORPUS / "dicom"
UNKNOWN_UNIT = "furlong"
UNKNOWN_CODE = Code(code_value="9999999", code_meaning="Code unknown to Kerma",
                    coding_scheme_designator="DCM")
#: Fields Kerma derives from other items when the report's own value is missing (the exposure
#: time from the pulses, the mean tube current from the per-pulse currents, the field size from
#: Philips shutter positions): a value left out may be replaced by the derived one.
DERIVED = {"exposure_time", "average_xray_tube_current", "collimated_field_area",
           "collimated_field_height", "collimated_field_width",
           # Philips writes the frame count and the table height also in private elements,
           # which Kerma reads when the report's own item is missing.
           "number_of_pulses", "table_height_position"}

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:pydicom")


@lru_cache(maxsize=None)
def _reports() -> tuple[str, ...]:
    """The corpus files that carry a content tree Kerma reads (dose reports)."""
    if not DICOM.is_dir():
        return ()
    names = []
    for path in sorted(DICOM.glob("*.dcm")):
        ds = pydicom.dcmread(path, stop_before_pixels=True)
        if "ContentSequence" in ds:
            try:
                extract(ds)
            except Exception:  # noqa: BLE001 - the non-dose SR: not a dose report
                continue
            names.append(path.name)
    return tuple(names)


@lru_cache(maxsize=None)
def _dataset(name: str) -> pydicom.Dataset:
    return pydicom.dcmread(DICOM / name)


def _items(ds):
    for item in ds.get("ContentSequence") or ():
        yield item
        yield from _items(item)


def _concept(item) -> str | None:
    names = item.get("ConceptNameCodeSequence")
    return str(names[0].get("CodeValue")) if names else None


def unit_pairs(ds) -> dict[tuple, list]:
    """(concept, unit) -> the measured values of every NUM item with that concept and unit."""
    pairs = {}
    for item in _items(ds):
        for measured in item.get("MeasuredValueSequence") or ():
            units = measured.get("MeasurementUnitsCodeSequence")
            if units:
                key = (_concept(item), str(units[0].get("CodeValue")))
                pairs.setdefault(key, []).append(measured)
    return pairs


def code_pairs(ds) -> dict[tuple, list]:
    """(concept, code value) -> the coded values of every CODE item with that concept and code."""
    pairs = {}
    for item in _items(ds):
        codes = item.get("ConceptCodeSequence")
        if codes:
            key = (_concept(item), str(codes[0].get("CodeValue")))
            pairs.setdefault(key, []).append(codes[0])
    return pairs


def flat(value, path="") -> dict:
    """A record as {path: value} leaves, without its _meta."""
    if isinstance(value, dict):
        leaves = {}
        for key, child in value.items():
            if key != "_meta":
                leaves.update(flat(child, f"{path}/{key}"))
        return leaves
    if isinstance(value, list):
        leaves = {f"{path}#": len(value)}
        for index, child in enumerate(value):
            leaves.update(flat(child, f"{path}/{index}"))
        return leaves
    return {path: value}


def changed(before: dict, after: dict) -> set:
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


def events(record) -> list:
    """The number of irradiation events and administrations in a record, per template."""
    counts = []
    for key, value in flat(record).items():
        if key.endswith(("irradeventxraydata_set#", "ctirradiationeventdata_set#",
                         "radiopharmaceuticaladministrationeventdata_set#")):
            counts.append(value)
    return counts


def _emptied_row(path: str, baseline: dict, fed: set) -> bool:
    """A list that lost rows whose values were all fed by the concept (a row of nothing but
    the value left out is not kept)."""
    if not path.endswith("#"):
        return False
    prefix = path[:-1] + "/"
    return all(value is None or leaf in fed or leaf.endswith("#")
               for leaf, value in baseline.items() if leaf.startswith(prefix))


class Mutation:
    """Change some attributes of a dataset, extract it, and put them back."""

    def __init__(self, ds, changes):
        self.ds, self.changes = ds, changes  # [(dataset, keyword, new value)]

    def extract(self) -> dict:
        # The elements themselves are put back: a vendor's value that is not valid for its VR
        # could not be assigned again.
        saved = [(target, copy.deepcopy(target[keyword])) for target, keyword, _ in self.changes]
        try:
            for target, keyword, value in self.changes:
                setattr(target, keyword, value)
            return extract(self.ds)
        finally:
            for target, element in reversed(saved):
                target[element.tag] = element


def _plus_one(measured) -> list:
    """Changes that add 1 to each value of a measured value (DS or FD); a value that is not a
    number (some vendors write two in one) becomes 1, which Kerma reads."""
    changes = []
    if "NumericValue" in measured and measured.NumericValue is not None:
        values = measured.NumericValue
        values = list(values) if isinstance(values, pydicom.multival.MultiValue) else [values]
        new = [_next(value) for value in values]
        changes.append((measured, "NumericValue", new if len(new) > 1 else new[0]))
    if "FloatingPointValue" in measured:
        changes.append((measured, "FloatingPointValue", measured.FloatingPointValue + 1))
    return changes


def _next(value) -> str:
    try:
        return f"{float(value) + 1:.6g}"
    except (TypeError, ValueError):
        return "1"


def _cases(pairs_of):
    cases = []
    for name in _reports():
        for key in pairs_of(_dataset(name)):
            cases.append(pytest.param(name, key, id=f"{name}:{key[0]}:{key[1]}"))
    return cases or [pytest.param(None, None, marks=pytest.mark.skip(
        reason=f"corpus not found at {CORPUS}"))]


@lru_cache(maxsize=None)
def _baseline(name):
    record = extract(_dataset(name))
    return flat(record), events(record), tuple(record["_meta"]["warnings"])


@pytest.mark.parametrize("name, pair", _cases(unit_pairs))
def test_an_unknown_unit_leaves_out_only_what_its_concept_feeds(name, pair):
    ds = _dataset(name)
    measured = unit_pairs(ds)[pair]
    baseline, baseline_events, baseline_warnings = _baseline(name)
    units = [value.MeasurementUnitsCodeSequence[0] for value in measured]

    record = Mutation(ds, [(unit, "CodeValue", UNKNOWN_UNIT) for unit in units]).extract()
    control = Mutation(ds, [change for value in measured for change in _plus_one(value)]).extract()

    fed = changed(baseline, flat(control))  # what the concept's numbers feed
    lost = changed(baseline, flat(record))
    extra = {path for path in lost - fed if not _emptied_row(path, baseline, fed)}
    assert not extra, f"an unknown unit of {pair} changed {sorted(extra)}"
    assert events(record) == baseline_events
    new_warnings = [w for w in record["_meta"]["warnings"] if w not in baseline_warnings]
    if fed:
        # Kerma reads the concept: its value is not stored, and the import says why. Where
        # everything it feeds is also derived from other items, the derived value may stand.
        if any(path.rsplit("/", 1)[-1] not in DERIVED for path in fed):
            assert lost, f"{pair} is read, but a value in an unknown unit was stored"
        after = flat(record)
        kept = {path for path in lost if after.get(path) is not None and not path.endswith("#")
                and path.rsplit("/", 1)[-1] not in DERIVED}
        assert not kept, f"values in an unknown unit stored: {sorted(kept)}"
        assert any(f"'{UNKNOWN_UNIT}'" in w and w.endswith("not stored") for w in new_warnings), \
            record["_meta"]["warnings"]
    else:
        assert not new_warnings


@pytest.mark.parametrize("name, pair", _cases(code_pairs))
def test_an_unknown_code_is_stored_as_sent_and_named(name, pair):
    ds = _dataset(name)
    coded = code_pairs(ds)[pair]
    baseline, baseline_events, baseline_warnings = _baseline(name)
    value, meaning, scheme = UNKNOWN_CODE
    changes = [(code, keyword, new) for code in coded
               for keyword, new in (("CodeValue", value), ("CodingSchemeDesignator", scheme),
                                    ("CodeMeaning", meaning))]

    record = Mutation(ds, changes).extract()

    after = flat(record)
    assert events(record) == baseline_events
    read = [path for path in changed(baseline, after) if after.get(path) == UNKNOWN_CODE]
    new_warnings = [w for w in record["_meta"]["warnings"] if w not in baseline_warnings]
    if read:
        # The code is stored as sent; the warning names it.
        assert any(f"({value}, {scheme}) '{meaning}'" in w and "stored as sent" in w
                   for w in new_warnings), record["_meta"]["warnings"]


def test_the_unknown_test_code_is_unknown_to_every_vocabulary():
    assert problem(UNKNOWN_CODE) is not None


# Through the database: every row of the study is stored -----------------------------------------
STORED = ["CT-RDSR-Siemens-Multi-2.dcm", "RF-RDSR-GE.dcm", "MG-RDSR-Hologic_2D.dcm",
          "DX-RDSR-Canon_CXDI.dcm", "NM-RRDSR-Siemens.dcm"]


def _to_bytes(ds) -> bytes:
    buffer = BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def _stored_cases():
    cases = []
    for name in STORED:
        if name in _reports():
            for pair in unit_pairs(_dataset(name)):
                cases.append(pytest.param(name, pair, id=f"{name}:{pair[0]}:{pair[1]}"))
    return cases or [pytest.param(None, None, marks=pytest.mark.skip(
        reason=f"corpus not found at {CORPUS}"))]


def _list_lengths(record) -> dict[str, int]:
    """Items per list name (``kvp_set``...) over the whole record."""
    lengths = {}
    for path, length in flat(record).items():
        if path.endswith("#"):
            key = path[:-1].rsplit("/", 1)[-1]
            lengths[key] = lengths.get(key, 0) + length
    return lengths


def _emptied_lists(clean, odd) -> dict[str, int]:
    """Table name -> rows the odd dataset's record has fewer of than the clean one's."""
    tables = {table.name.replace("_", "") + "_set": table.name
              for table in db.metadata.sorted_tables}
    before, after = _list_lengths(extract(clean)), _list_lengths(extract(odd))
    return {tables[key]: length - after.get(key, 0)
            for key, length in before.items() if after.get(key, 0) < length}


@pytest.mark.parametrize("name, pair", _stored_cases())
def test_a_report_with_an_unknown_unit_is_stored_whole(app, tmp_path, name, pair):
    with app.app_context():
        clean = import_bytes(tmp_path, (DICOM / name).read_bytes(), name, allowed=("imported",))
        expected_rows = stored_rows()
        empty_tables(row_counts())

        ds = copy.deepcopy(_dataset(name))
        for measured in unit_pairs(ds)[pair]:
            measured.MeasurementUnitsCodeSequence[0].CodeValue = UNKNOWN_UNIT
        outcome = import_bytes(tmp_path, _to_bytes(ds), name, allowed=("imported",))

        # A row that held nothing but the value left out is not stored (the extractor tests
        # check that such rows held nothing else); every other row is.
        for table, fewer in _emptied_lists(_dataset(name), ds).items():
            expected_rows[table] -= fewer
        assert stored_rows() == {table: rows for table, rows in expected_rows.items() if rows}
        assert outcome.study_instance_uid == clean.study_instance_uid
        new = [w for w in outcome.warnings if w not in clean.warnings]
        assert all(f"'{UNKNOWN_UNIT}'" in w for w in new), new
        assert db.session.query(GeneralStudyModuleAttr).count() == 1
