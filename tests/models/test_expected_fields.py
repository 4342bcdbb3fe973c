"""Every field of OpenREM's reference dumps has a home in the models, under the same name and
with a type that can hold the values shown there."""
import datetime
import json
import os
from pathlib import Path

import pytest
from sqlalchemy import Boolean, Date, DateTime, Double, Integer, String, Time, inspect

from app.models import GeneralStudyModuleAttr, PersonParticipant, UniqueEquipmentNames
from app.models.tree import MODEL_BY_NAME, child_collections, coded_fields, object_fields


def _corpus() -> Path:
    """The shared corpus: KERMA_CORPUS, else ../shared/corpus beside the repository."""
    if env := os.environ.get("KERMA_CORPUS"):
        return Path(env)
    return Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"


EXPECTED = _corpus() / "expected"

# Keys of the reference dumps that Kerma does not store, and why. The test checks they only
# ever hold empty lists there, so nothing in the corpus is lost.
NOT_STORED = {
    "standard_names": "standard name mapping is a later feature",
    "standard_protocols": "standard name mapping is a later feature",
    "skindosemapresults_set": "skin dose maps are not calculated",
    "pksforsummedrfdosestudiesindeltaweeks_set": "per-patient dose sums are computed, not stored",
}
# Values derived from stored columns (model properties).
DERIVED = {"study_workload_chart_time"}

pytestmark = pytest.mark.skipif(
    not EXPECTED.is_dir(), reason=f"reference dumps not found at {EXPECTED}")


def _expected_files():
    if not EXPECTED.is_dir():
        return []
    return sorted(EXPECTED.rglob("*.json"))


def _is_code(value):
    return isinstance(value, dict) and set(value) <= {
        "code_value", "code_meaning", "coding_scheme_designator"} and "code_value" in value


def _check_value(model, key, value, where):
    """Assert ``model.key`` is a column whose type holds ``value`` as dumped by OpenREM."""
    columns = inspect(model).columns
    assert key in columns, f"{where}: {model.__name__}.{key} is not a column"
    if value is None:
        return
    column_type = columns[key].type
    if isinstance(column_type, Boolean):
        assert isinstance(value, bool), where
    elif isinstance(column_type, Integer):
        number = float(value) if isinstance(value, str) else value
        assert number == int(number), f"{where}: {value!r} is not a count"
    elif isinstance(column_type, Double):
        float(value)
    elif isinstance(column_type, DateTime):
        datetime.datetime.fromisoformat(value)
    elif isinstance(column_type, Date):
        datetime.date.fromisoformat(value)
    elif isinstance(column_type, Time):
        datetime.time.fromisoformat(value)
    else:
        assert isinstance(column_type, String), f"{where}: unexpected type {column_type!r}"
        assert isinstance(value, str), where
        if column_type.length and not value.startswith("<generated"):
            assert len(value) <= column_type.length, f"{where}: longer than its column"


def _check_row(model, row, where, seen):
    children = child_collections(model)
    coded = coded_fields(model)
    objects = object_fields(model)
    for key, value in row.items():
        here = f"{where}.{key}"
        seen.add((model.__name__, key))
        if key in NOT_STORED:
            assert value == [], f"{here}: {NOT_STORED[key]}, but the dump has data"
        elif key in DERIVED:
            assert isinstance(getattr(model, key), property), here
        elif key in children:
            child_model = children[key]
            for index, child in enumerate(value):
                _check_row(child_model, child, f"{here}[{index}]", seen)
        elif key in coded:
            assert value is None or _is_code(value), here
        elif key in objects:
            if value is not None:
                _check_row(objects[key], value, here, seen)
        else:
            assert not _is_code(value), f"{here}: a code, but not a coded field"
            _check_value(model, key, value, here)


@pytest.mark.parametrize("path", _expected_files(), ids=lambda path: path.name)
def test_every_dumped_field_exists_on_its_model(path):
    dump = json.loads(path.read_text())
    seen = set()
    for index, study in enumerate(dump.get("studies", [])):
        _check_row(GeneralStudyModuleAttr, study, f"{path.name}:studies[{index}]", seen)


def test_the_corpus_exercises_the_models():
    """Guard against a vacuous pass: the dumps reach deep into the tree."""
    seen = set()
    for path in _expected_files():
        for study in json.loads(path.read_text()).get("studies", []):
            _check_row(GeneralStudyModuleAttr, study, path.name, seen)
    models = {model for model, _ in seen}
    assert {"CtDoseCheckDetails", "PersonParticipant", "UniqueEquipmentNames", "Kvp",
            "DoseRelatedDistanceMeasurements", "OrganDose", "PETSeriesType"} <= models
    assert ("PersonParticipant", "person_role_in_procedure_cid") in seen
    assert ("UniqueEquipmentNames", "device_observer_uid_hash") in seen
    assert MODEL_BY_NAME["personparticipant"] is PersonParticipant
    assert MODEL_BY_NAME["uniqueequipmentnames"] is UniqueEquipmentNames
