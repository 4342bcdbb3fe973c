"""The audit trail of reading: study pages viewed, exports with their filters and row counts,
and the audit page's filters and csv export."""
import csv
import datetime
import io

from sqlalchemy import select

from app.audit import record_audit
from app.extensions import db
from app.models.auth import AuditLog
from study_records import make_studies


def entries(app, action=None):
    """(user, action, target, details) of the audit entries, oldest first."""
    with app.app_context():
        query = select(AuditLog).order_by(AuditLog.id)
        if action:
            query = query.where(AuditLog.action == action)
        return [(e.username, e.action, e.target, e.details) for e in db.session.scalars(query)]


def test_viewing_a_study_page_is_audited(app, client, login_as):
    (study,) = make_studies(app, "ct", {"uid": "1.2.3.4.5"})
    login_as("view", username="reader")
    assert client.get(f"/ct/{study}").status_code == 200
    assert entries(app) == [("reader", "view_study", f"ct study {study}",
                             "Study Instance UID 1.2.3.4.5")]
    assert client.get("/ct/999").status_code == 404
    assert len(entries(app)) == 1


def test_an_export_records_its_filter_and_how_many_studies(app, client, login_as):
    make_studies(app, "dx", {"date": datetime.date(2024, 1, 5)}, {"date": datetime.date(2024, 2, 5)},
                 {"date": datetime.date(2023, 12, 1)})
    login_as("view", "export", username="exporter")
    response = client.get("/exports/dx.csv?date_from=2024-01-01")
    response.get_data()
    response.close()
    assert entries(app, "export") == [(
        "exporter", "export", "dx all csv",
        "filters: date_from=2024-01-01; studies: 2; patient identifiers: no")]


def test_a_chart_csv_is_an_audited_export(app, client, login_as):
    make_studies(app, "ct", {"dlp": 100.0}, {"dlp": 300.0})
    login_as("view", username="charter")
    response = client.get("/charts/ct/dlp_study_description.csv?statistic=median")
    assert response.status_code == 200
    ((user, action, target, details),) = entries(app, "export")
    assert (user, action, target) == ("charter", "export", "ct chart dlp_study_description csv")
    assert details.startswith("filters: statistic=median; rows: ")


def _seed(app):
    with app.app_context():
        record_audit("view_study", "ct study 1", username="ann")
        record_audit("view_study", "ct study 2", username="bob")
        record_audit("delete_study", "study 1.2", username="ann")
        old = record_audit("view_study", "=cmd|' /C calc'!A0", username="ann")
        db.session.flush()
        old.created = datetime.datetime(2020, 5, 1, 12, 0)
        db.session.commit()


def test_the_audit_page_filters_by_user_action_and_date(app, client, login_as):
    _seed(app)
    login_as("view", "admin")
    page = client.get("/admin/audit-log?user=ann").text
    assert "3 entries" in page
    page = client.get("/admin/audit-log?user=ann&action=view_study").text
    assert "2 entries" in page and "ct study 1" in page and "ct study 2" not in page
    page = client.get("/admin/audit-log?date_from=2020-05-01&date_to=2020-05-01").text
    assert "1 entry," in page and "calc" in page
    page = client.get("/admin/audit-log?date_to=2020-04-30").text
    assert "0 entries" in page
    assert 'value="bob"' in page  # the user filter offers everyone in the log


def test_the_audit_csv_export_is_filtered_neutralised_and_audited(app, client, login_as):
    _seed(app)
    login_as("view", "admin", username="auditor")
    response = client.get("/admin/audit-log.csv?user=ann&action=view_study")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Time (UTC)", "User", "Action", "Target", "Details"]
    assert [row[1:4] for row in rows[1:]] == [
        ["ann", "view_study", "'=cmd|' /C calc'!A0"], ["ann", "view_study", "ct study 1"]]
    assert rows[1][0] == "2020-05-01 12:00:00"
    assert entries(app, "export")[-1] == (
        "auditor", "export", "audit log csv", "filters: user=ann; action=view_study; rows: 2")


def test_the_audit_log_is_for_administrators_and_cannot_be_changed(app, client, login_as):
    _seed(app)
    login_as("view")
    assert client.get("/admin/audit-log").status_code == 403
    assert client.get("/admin/audit-log.csv").status_code == 403
    login_as("view", "admin")
    assert client.post("/admin/audit-log").status_code == 405
    assert client.delete("/admin/audit-log").status_code == 405
    assert client.post("/admin/audit-log.csv").status_code == 405
    assert len(entries(app)) == 4
