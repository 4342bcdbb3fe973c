"""The patient page: a patient's studies across modalities with cumulative doses over a
period, who may see it, its csv, and the audit entries it leaves."""
import csv
import datetime
import io

from sqlalchemy import select

from app.extensions import db
from app.importing import lookups, persist
from app.importing.identity import hash_identifier
from app.models.auth import AuditLog
from app.models.settings import PatientIDSettings
from study_records import study_record


def _store(app, hashed, records):
    with app.app_context():
        db.session.add(PatientIDSettings(id_stored=True, id_hashed=hashed))
        db.session.commit()
        lookups.forget()
        ids = []
        for record in records:
            outcome = persist(record, "test")
            assert outcome.status == "imported"
            ids.append(outcome.study_id)
        return ids


def _history(app, hashed=True):
    day = datetime.date
    return _store(app, hashed, [
        study_record("ct", date=day(2024, 1, 10), dlp=500.0, patient_id="PAT-1"),
        study_record("rf", date=day(2024, 2, 1), dap_a=0.002, rp_a=0.3, patient_id="PAT-1"),
        study_record("nm", date=day(2024, 3, 1), activity=400.0, patient_id="PAT-1"),
        study_record("ct", date=day(2024, 3, 20), dlp=250.0, patient_id="PAT-1"),
        study_record("ct", date=day(2024, 3, 20), dlp=999.0, patient_id="PAT-2"),
    ])


def _rows(response):
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_a_patient_page_sums_every_modality_over_the_period(app, client, login_as):
    ct1, rf, nm, ct2, other = _history(app)
    login_as("view", username="viewer")
    page = client.get(f"/patients/{rf}")
    assert page.status_code == 200
    for study in (ct1, rf, nm, ct2):
        assert f'id="patient-study-{study}"' in page.text
    assert f'id="patient-study-{other}"' not in page.text
    assert 'id="total-dlp">750<' in page.text
    assert 'id="total-dap">2000<' in page.text  # 0.002 Gy·m² in cGy·cm²
    assert 'id="total-rp_dose">0.3<' in page.text
    assert 'id="total-activity">400<' in page.text
    assert hash_identifier("PAT-1")[:12] in page.text and "PAT-1<" not in page.text
    period = client.get(f"/patients/{rf}?date_from=2024-02-01&date_to=2024-03-19")
    assert f'id="patient-study-{ct1}"' not in period.text
    assert 'id="total-dlp"><' in period.text and 'id="total-activity">400<' in period.text
    weeks = client.get(f"/patients/{rf}?weeks=8").text  # 2024-01-25 to 2024-03-20
    assert f'id="patient-study-{ct1}"' not in weeks and 'id="total-dlp">250<' in weeks
    with app.app_context():
        entries = db.session.scalars(select(AuditLog).where(AuditLog.action == "view_patient")
                                     .order_by(AuditLog.id)).all()
        assert [(e.username, e.target, e.details) for e in entries] == [
            ("viewer", f"patient of study {rf}", "period: start to end; studies: 4"),
            ("viewer", f"patient of study {rf}", "period: 2024-02-01 to 2024-03-19; studies: 2"),
            ("viewer", f"patient of study {rf}", "period: 2024-01-25 to 2024-03-20; studies: 3"),
        ]


def test_the_patient_csv_has_running_sums(app, client, login_as):
    ct1, rf, nm, ct2, _ = _history(app)
    login_as("view")
    rows = _rows(client.get(f"/patients/{ct1}.csv"))
    assert [int(row["Study id"]) for row in rows] == [ct1, rf, nm, ct2]
    assert [row["Cumulative DLP (mGy·cm)"] for row in rows] == ["500", "500", "500", "750"]
    assert [row["DAP (cGy·cm²)"] for row in rows] == ["", "2000", "", ""]
    assert [row["Cumulative Administered activity (MBq)"] for row in rows] == ["", "", "400",
                                                                                "400"]
    with app.app_context():
        assert db.session.scalars(select(AuditLog.target).where(
            AuditLog.action == "view_patient")).all() == [f"patient of study {ct1} csv"]


def test_ids_stored_as_sent_need_the_pid_role(app, client, login_as):
    ct1, *_ = _history(app, hashed=False)
    login_as("view")
    assert client.get(f"/patients/{ct1}").status_code == 403
    assert client.get(f"/patients/{ct1}.csv").status_code == 403
    assert 'id="patient-link"' not in client.get(f"/ct/{ct1}").text
    login_as("view", "pid")
    page = client.get(f"/patients/{ct1}")
    assert page.status_code == 200 and "PAT-1" in page.text
    assert f'href="/patients/{ct1}" id="patient-link"' in client.get(f"/ct/{ct1}").text


def test_a_study_without_a_stored_patient_id_has_no_patient_page(app, client, login_as):
    with app.app_context():
        study = persist(study_record("ct", patient_id="PAT-1"), "test").study_id
    login_as("view", "pid")
    assert client.get(f"/patients/{study}").status_code == 404
    assert 'id="patient-link"' not in client.get(f"/ct/{study}").text
