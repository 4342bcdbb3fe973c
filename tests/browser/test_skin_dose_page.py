"""The RF study page draws the skin dose map: the 3D trunk and the unfolded map."""
import pytest

from app.extensions import db
from app.importing import import_file
from app.skindose.maps import compute_study
from conformance import CORPUS

RDSR = CORPUS / "dicom" / "RF-RDSR-Philips_Azurion.dcm"


@pytest.mark.skipif(not RDSR.exists(), reason="corpus not found")
def test_the_skin_dose_charts_are_drawn(logged_in_page, live_server):
    with live_server.app.app_context():
        study_id = import_file(RDSR).study_id
        compute_study(study_id)
        db.session.commit()
    page = logged_in_page("view")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"/rf/{study_id}")
    page.wait_for_selector("#skin-dose-3d canvas")
    page.wait_for_selector("#skin-dose-2d canvas")
    cells = page.evaluate("echarts.getInstanceByDom(document.getElementById('skin-dose-3d'))"
                          ".getOption().series[0].data.length")
    heat = page.evaluate("echarts.getInstanceByDom(document.getElementById('skin-dose-2d'))"
                         ".getOption().series[0].data.length")
    # About half the trunk's cells face the viewer; the unfolded map has every cell.
    assert 0.4 < cells / heat < 0.6
    page.fill("#skin-dose-turn", "0")
    page.dispatch_event("#skin-dose-turn", "input")
    assert errors == []
