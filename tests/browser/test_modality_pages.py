"""The modality pages in a real browser: live filtering, history, details and deletion."""
import datetime

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.auth import AuditLog
from app.models.study import GeneralStudyModuleAttr
from study_records import store_records, study_record

pytestmark = pytest.mark.browser


def rows(page):
    return page.locator("#studies tbody tr")


@pytest.fixture
def ct_studies(live_server):
    """Three CT studies: Chest (newest), Head, Knee (oldest)."""
    return store_records(live_server.app, [
        study_record("ct", description="Chest routine", date=datetime.date(2024, 3, 3)),
        study_record("ct", description="Head trauma", date=datetime.date(2024, 3, 2)),
        study_record("ct", description="Knee", date=datetime.date(2024, 3, 1)),
    ])


def study_count(live_server):
    with live_server.app.app_context():
        return db.session.scalar(select(func.count(GeneralStudyModuleAttr.id)))


def test_typing_a_filter_updates_the_table_in_place(logged_in_page, live_server, ct_studies):
    page = logged_in_page("view")
    page.goto("/ct/")
    assert rows(page).count() == 3
    # A full page load would forget this.
    page.evaluate("window.kermaMarker = 'still here'")

    page.locator("#f-study_description").press_sequentially("hea", delay=50)
    page.wait_for_function("document.querySelectorAll('#studies tbody tr').length === 1")

    assert rows(page).first.locator("td").nth(5).inner_text() == "Head trauma"
    assert page.evaluate("window.kermaMarker") == "still here"
    assert "study_description=hea" in page.url
    assert page.locator("#result-count").inner_text().startswith("1 study")


def test_back_and_forward_restore_the_filtered_table(logged_in_page, live_server, ct_studies):
    page = logged_in_page("view")
    page.goto("/ct/")
    page.locator("#f-study_description").press_sequentially("knee", delay=50)
    page.wait_for_function("document.querySelectorAll('#studies tbody tr').length === 1")
    page.select_option("#ordering", "date")
    page.wait_for_url("**o=date**")

    page.go_back()
    page.wait_for_function(
        "location.search.indexOf('o=date') < 0 && "
        "document.querySelector('#f-study_description') && "
        "document.querySelector('#ordering').value === '-date'")
    assert rows(page).count() == 1
    assert page.locator("#f-study_description").input_value() == "knee"

    page.go_back()
    page.wait_for_function("document.querySelectorAll('#studies tbody tr').length === 3")
    assert page.locator("#f-study_description").input_value() == ""

    page.go_forward()
    page.wait_for_function("document.querySelectorAll('#studies tbody tr').length === 1")
    assert page.locator("#f-study_description").input_value() == "knee"
    assert "study_description=knee" in page.url


def test_sorting_by_a_column_header(logged_in_page, live_server, ct_studies):
    page = logged_in_page("view")
    page.goto("/ct/")
    page.click("#studies thead >> text=Study description")
    page.wait_for_url("**o=study_description**")
    page.wait_for_function(
        "document.querySelector('#studies tbody tr td:nth-child(6)').innerText === 'Chest routine'"
        " && document.querySelector('#ordering').value === 'study_description'")
    descriptions = [cell.inner_text() for cell in
                    page.locator("#studies tbody tr td:nth-child(6)").all()]
    assert descriptions == ["Chest routine", "Head trauma", "Knee"]


def test_opening_a_study(logged_in_page, live_server, ct_studies):
    page = logged_in_page("view")
    page.goto("/ct/")
    with page.expect_navigation():
        rows(page).nth(1).locator("td a").first.click()
    assert page.url.endswith(f"/ct/{ct_studies[1]}")
    assert page.locator("h1").inner_text().startswith("CT study")
    assert page.locator("#study-description").inner_text() == "Head trauma"
    assert page.locator("#ct-events tbody tr").count() == 1


def test_admin_deletes_a_study_from_the_list(logged_in_page, live_server, ct_studies):
    page = logged_in_page("admin")
    page.goto("/ct/")
    messages = []
    page.on("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    page.evaluate("window.kermaMarker = 'still here'")

    page.locator(f"#study-{ct_studies[1]} .delete-study").click()
    page.locator(f"#study-{ct_studies[1]}").wait_for(state="detached")

    assert rows(page).count() == 2
    assert messages and messages[0].startswith("Delete the CT study of 2024-03-02")
    assert page.locator("#messages").inner_text().strip().endswith("deleted.")
    assert page.evaluate("window.kermaMarker") == "still here"
    assert study_count(live_server) == 2
    with live_server.app.app_context():
        entry = db.session.scalars(
            select(AuditLog).where(AuditLog.action == "delete_study")).one()
        assert entry.username == "admin-user"


def test_admin_deletes_a_study_from_its_page(logged_in_page, live_server, ct_studies):
    page = logged_in_page("admin")
    page.goto(f"/ct/{ct_studies[0]}")
    with page.expect_navigation():
        page.click("#delete-study")
    assert "Chest routine" in page.locator("#study-to-delete").inner_text()
    with page.expect_navigation():
        page.click("#confirm-delete")
    assert page.url.endswith("/ct/")
    assert rows(page).count() == 2
    assert study_count(live_server) == 2


def test_admin_deletes_a_filter_result(logged_in_page, live_server, ct_studies):
    page = logged_in_page("admin")
    page.goto("/ct/?study_description=e")
    assert rows(page).count() == 3
    page.goto("/ct/?study_description=ea")
    with page.expect_navigation():
        page.click("#bulk-delete")
    assert page.locator("#bulk-count").inner_text().startswith("1 study matches")
    with page.expect_navigation():
        page.click("#confirm-bulk-delete")
    assert "1 CT study deleted." in page.locator("#messages").inner_text()
    assert study_count(live_server) == 2


def test_viewer_sees_no_delete_controls(logged_in_page, live_server, ct_studies):
    page = logged_in_page("view")
    page.goto("/ct/")
    assert rows(page).count() == 3
    assert page.locator(".delete-study").count() == 0
    assert page.locator("#bulk-delete").count() == 0
    page.goto(f"/ct/{ct_studies[0]}")
    assert page.locator("#delete-study").count() == 0


def test_home_page_windows_change_in_place(logged_in_page, live_server):
    today = datetime.date.today()
    store_records(live_server.app, [
        study_record("ct", date=today - datetime.timedelta(days=2), institution="North",
                     station="CT1"),
        study_record("ct", date=today - datetime.timedelta(days=20), institution="North",
                     station="CT1"),
    ])
    page = logged_in_page("view")
    page.goto("/")
    page.evaluate("window.kermaMarker = 'still here'")
    cells = page.locator("#home-ct tbody tr td")
    assert [cells.nth(n).inner_text() for n in (0, 1, 3, 4)] == ["North CT1", "2", "1", "2"]
    page.fill("#days_1", "30")
    page.click("#home-days button[type=submit]")
    page.wait_for_function("document.querySelector('#home-days [role=status]') !== null")
    cells = page.locator("#home-ct tbody tr td")
    assert [cells.nth(n).inner_text() for n in (3, 4)] == ["2", "2"]
    assert page.evaluate("window.kermaMarker") == "still here"


def test_event_tables_sort_by_a_clicked_header(logged_in_page, live_server):
    study, = store_records(live_server.app, [study_record("dx", dap=6e-5,
                                                          event_daps=(1e-5, 3e-5, 2e-5))])
    page = logged_in_page("view")
    page.goto(f"/dx/{study}")
    dap_column = "#dx-events tbody tr td:nth-child(19)"
    assert [cell.inner_text() for cell in page.locator(dap_column).all()] == \
        ["10.000", "30.000", "20.000"]
    page.click("#dx-events thead >> text=DAP")
    assert [cell.inner_text() for cell in page.locator(dap_column).all()] == \
        ["10.000", "20.000", "30.000"]
    page.click("#dx-events thead >> text=DAP")
    assert [cell.inner_text() for cell in page.locator(dap_column).all()] == \
        ["30.000", "20.000", "10.000"]
