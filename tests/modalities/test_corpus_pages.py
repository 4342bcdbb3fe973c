"""Every corpus object that imports renders on its list and detail page.

Objects whose extractor is not part of the application yet are skipped with the import's
own reason, so the test grows with the extractors.
"""
import re
from pathlib import Path

import pytest

from app.extensions import db
from app.importing import import_file
from app.modalities import config_for_modality_type
from app.models.study import GeneralStudyModuleAttr
from reference_studies import CORPUS

DICOM = CORPUS / "dicom"
FILES = sorted(path.name for path in DICOM.glob("*.dcm")) if DICOM.is_dir() else []


@pytest.mark.skipif(not FILES, reason=f"the corpus is not at {DICOM}")
@pytest.mark.parametrize("name", FILES)
def test_imported_object_renders(app, client, login_as, name):
    login_as("view", "admin", "pid")
    with app.app_context():
        outcome = import_file(Path(DICOM / name))
        if outcome.status == "rejected":
            assert name == "ESR_non-dose.dcm", outcome.line()
            return
        if outcome.status == "failed" and "No module named" in outcome.message:
            pytest.skip(f"its extractor is not in this application yet: {outcome.message}")
        assert outcome.status == "imported", outcome.line()
        study = db.session.get(GeneralStudyModuleAttr, outcome.study_id)
        config = config_for_modality_type(study.modality_type)
        description = study.study_description
    listing = client.get(f"/{config.key}/")
    assert listing.status_code == 200
    assert re.search(rf'<tr id="study-{outcome.study_id}"', listing.data.decode())
    detail = client.get(f"/{config.key}/{outcome.study_id}")
    assert detail.status_code == 200
    if description:
        assert description.replace("&", "&amp;").replace("<", "&lt;") in detail.data.decode()


@pytest.mark.skipif(not FILES, reason=f"the corpus is not at {DICOM}")
def test_imported_radiopharmaceutical_report_and_pet_images(app, client, login_as):
    login_as("view")
    with app.app_context():
        report = import_file(DICOM / "NM-RRDSR-Siemens.dcm")
        if report.status == "failed" and "No module named" in report.message:
            pytest.skip(f"the NM extractors are not in this application yet: {report.message}")
        images = import_file(DICOM / "NM-PetIm-Siemens.dcm")
    assert report.status == "imported", report.line()
    listing = client.get("/nm/").data.decode()
    assert "Fluorodeoxyglucose" in listing and "<div>394.0</div>" in listing
    page = client.get(f"/nm/{report.study_id}").data.decode()
    assert "51.220" in page and "ICRP Publication 128" in page
    assert "Administered activity (MBq)" in page
    shown = {report.study_id, images.study_id}
    pet = "".join(client.get(f"/nm/{study}").data.decode() for study in shown)
    assert "PSF+TOF 4i5s" in pet and ">476<" in pet
