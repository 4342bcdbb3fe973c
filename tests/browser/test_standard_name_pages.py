"""Bulk standard-name assignment in a real browser: narrow the names, tick all shown, assign."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.drl import StandardName
from app.modalities import CT
from app.modalities.filtering import filter_studies
from study_records import store_records, study_id_set, study_record

pytestmark = pytest.mark.browser


def test_many_names_get_one_standard_name_in_one_go(logged_in_page, live_server):
    head_a, head_b, chest = store_records(live_server.app, [
        study_record("ct", description="CT HEAD routine"),
        study_record("ct", description="Head plain"),
        study_record("ct", description="Chest routine"),
    ])
    page = logged_in_page("admin")
    page.goto("/drl/names?modality=CT")
    page.locator("#narrow").press_sequentially("head", delay=30)
    # The chest name is hidden, and "tick every name shown" leaves it unticked.
    page.wait_for_selector("#names tbody tr:has-text('Chest routine')", state="hidden")
    page.check("#tick-shown")
    page.fill("#standard_name", "Head (acute stroke)")
    with page.expect_navigation():
        page.click("text=Map ticked names")
    assert "2 names changed." in page.locator("#messages").inner_text()
    cells = {page.locator("#names tbody tr").nth(i).locator("td").nth(2).inner_text():
             page.locator("#names tbody tr").nth(i).locator("td.standard-name").inner_text()
             for i in range(page.locator("#names tbody tr").count())}
    assert cells == {"CT HEAD routine": "Head (acute stroke)", "Head plain": "Head (acute stroke)",
                     "Chest routine": "", "Protocol spiral": ""}
    with live_server.app.app_context():
        assert sorted(db.session.scalars(select(StandardName.name))) == [
            "CT HEAD routine", "Head plain"]
    # The list filter reads the same mapping.
    assert study_id_set(live_server.app, filter_studies(
        CT, {"standard_name": '"Head (acute stroke)"'})) == {head_a, head_b}
    assert chest not in study_id_set(live_server.app, filter_studies(CT, {"standard_name": "head"}))
