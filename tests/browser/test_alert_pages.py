"""The alerts page in a real browser: the filter swaps the table in place, and an alert is
acknowledged with a comment through the form (CSRF on)."""
import datetime

import pytest
from sqlalchemy import select

from app.alerts.background import reevaluate_rule
from app.extensions import db
from app.models.alerts import Alert, AlertRule
from study_records import store_records, study_record

pytestmark = pytest.mark.browser


@pytest.fixture
def two_alerts(live_server):
    app = live_server.app
    store_records(app, [study_record("rf", rp_a=6.0, date=datetime.date(2024, 3, 1)),
                        study_record("rf", rp_a=7.0, date=datetime.date(2024, 3, 2))])
    with app.app_context():
        rule = AlertRule(name="Fluoroscopy SRDL", modality="rf", kind="rp_dose", threshold=5.0)
        db.session.add(rule)
        db.session.commit()
        reevaluate_rule(rule.id, report=lambda message: None)


def test_acknowledging_an_alert_and_filtering_the_list(logged_in_page, live_server, two_alerts):
    page = logged_in_page("view", username="physicist")
    page.goto("/alerts/")
    assert page.locator("#alert-table tbody tr").count() == 2
    first = page.locator("#alert-table tbody tr").first
    first.locator("input[name=comment]").fill("Patient booked for skin check")
    first.get_by_role("button", name="Acknowledge").click()
    page.wait_for_function("document.querySelectorAll('#alert-table tbody tr').length === 1")
    assert "1 open alert" in page.locator("#alert-count").inner_text()
    page.evaluate("window.kermaMarker = 'still here'")
    page.select_option("#state", "acknowledged")
    page.wait_for_url("**state=acknowledged**")
    page.wait_for_function(
        "document.querySelector('#alert-table tbody').innerText.includes('physicist')")
    assert page.evaluate("window.kermaMarker") == "still here"
    assert "Patient booked for skin check" in page.locator("#alert-table").inner_text()
    with live_server.app.app_context():
        acknowledged = db.session.scalars(select(Alert).where(Alert.acknowledged)).one()
        assert (acknowledged.acknowledged_by, acknowledged.comment) == (
            "physicist", "Patient booked for skin check")
