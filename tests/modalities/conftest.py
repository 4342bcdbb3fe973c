"""Fixtures of the modality page tests: the five configurations and site settings."""
import pytest

from app.extensions import db
from app.modalities import MODALITIES
from app.models.settings import NotPatientIndicatorsName, PatientIDSettings

#: The modality keys, for parametrising over all five pages.
KEYS = [config.key for config in MODALITIES]


@pytest.fixture(params=KEYS)
def modality(request):
    """Each modality key in turn: ct, rf, mg, dx, nm."""
    return request.param


@pytest.fixture
def config(modality):
    """The configuration of the current modality."""
    return next(c for c in MODALITIES if c.key == modality)


@pytest.fixture
def identifiers(app):
    """Set the site's identifier policy: ``identifiers(name_hashed=True, ...)``."""

    def configure(**settings):
        with app.app_context():
            row = PatientIDSettings(name_stored=True, name_hashed=False, id_stored=True,
                                    id_hashed=False, accession_hashed=False, dob_stored=False)
            for key, value in settings.items():
                setattr(row, key, value)
            db.session.add(row)
            db.session.commit()

    return configure


@pytest.fixture
def test_patient_pattern(app):
    """Mark patients named like *PHANTOM* as possible test patients."""
    with app.app_context():
        db.session.add(NotPatientIndicatorsName(not_patient_name="*phantom*"))
        db.session.commit()
