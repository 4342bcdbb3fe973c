"""Deleting studies: one or all of a filter, admins only, whole trees, audited, CSRF-safe."""
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.importing import persist
from app.models.auth import AuditLog
from app.models.study import GeneralStudyModuleAttr
from reference_studies import corpus_missing_reason, record_from_dump, reference_studies
from study_records import make_studies, store_records, study_record

#: Tables whose rows are shared between studies or are not study data at all.
NOT_STUDY_DATA = {"context_id", "unique_equipment_names", "users", "user_roles", "audit_log",
                  "patient_id_settings", "not_patient_indicators_id",
                  "not_patient_indicators_name", "size_upload"}


def row_counts(app) -> dict:
    """Rows in every table."""
    with app.app_context():
        return {table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in db.metadata.sorted_tables}


def audit_entries(app):
    with app.app_context():
        return [(entry.username, entry.action, entry.target, entry.details)
                for entry in db.session.scalars(select(AuditLog).order_by(AuditLog.id))]


def assert_only_the_study_went(app, before, with_doomed):
    after = row_counts(app)
    grown = {name for name in with_doomed if with_doomed[name] > before[name]}
    # The doomed study really had a tree below it...
    assert {"general_study_module_attr", "patient_module_attr",
            "general_equipment_module_attr", "object_uids_processed"} <= grown
    # ...and every row of it is gone, while shared rows stay.
    for name, count in after.items():
        if name == "audit_log":
            assert count == before[name] + 1
        elif name in NOT_STUDY_DATA:
            assert count == with_doomed[name], name
        else:
            assert count == before[name], name
    return grown


def test_admin_deletes_a_study_with_its_whole_tree(app, client, login_as, modality):
    admin = login_as("view", "admin", username="boss")
    keep, = make_studies(app, modality, {"description": "Keep me"})
    before = row_counts(app)
    doomed, = make_studies(app, modality, {"description": "Delete me", "accession": "ACC-9"})
    with_doomed = row_counts(app)

    response = client.post(f"/{modality}/{doomed}/delete")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/{modality}/"
    grown = assert_only_the_study_went(app, before, with_doomed)
    assert len(grown) >= 5
    with app.app_context():
        remaining = db.session.scalars(select(GeneralStudyModuleAttr.id)).all()
    assert remaining == [keep]
    (username, action, target, details), = audit_entries(app)
    assert (username, action) == (admin.username, "delete_study")
    assert target.startswith("study 1.2.826.0.1.3680043.10.999.study.")
    assert details == (f"Study Instance UID {target[6:]}; accession ACC-9; date 2024-03-05; "
                       f"modality {modality.upper()}")
    assert "deleted." in client.get(f"/{modality}/").data.decode()


CORPUS_TREES = [("ct", "CT-RDSR-Toshiba_DoseCheck"), ("ct", "CT-RDSR-Siemens_Flash-QA-DS"),
                ("rf", "RF-RDSR-Philips_Allura"), ("mg", "MG-RDSR-Hologic_mix"),
                ("dx", "DX-RDSR-Carestream_DRXEvolution"), ("nm", "NM-RRDSR-Siemens"),
                ("nm", "NM-PetIm-Siemens")]


@pytest.mark.skipif(corpus_missing_reason() is not None, reason=corpus_missing_reason() or "")
@pytest.mark.parametrize("key, dump", CORPUS_TREES)
def test_deleting_a_real_study_leaves_no_row_behind(app, client, login_as, key, dump):
    login_as("view", "admin")
    make_studies(app, key)
    before = row_counts(app)
    with app.app_context():
        doomed = persist(record_from_dump(reference_studies(dump)[0]), dump).study_id
    with_doomed = row_counts(app)
    assert client.post(f"/{key}/{doomed}/delete").status_code == 302
    grown = assert_only_the_study_went(app, before, with_doomed)
    expected = {"ct": {"ct_irradiation_event_data", "ct_xray_source_parameters"},
                "rf": {"irrad_event_xray_data", "irrad_event_xray_source_data", "kvp"},
                "mg": {"accum_mammography_xray_dose", "irrad_event_xray_mechanical_data"},
                "dx": {"irrad_event_xray_detector_data", "exposure"},
                "nm": {"radiopharmaceutical_radiation_dose"}}[key]
    assert expected <= grown


def test_htmx_delete_removes_the_row_and_says_so(app, client, login_as, modality):
    login_as("view", "admin")
    study, = make_studies(app, modality)
    response = client.post(f"/{modality}/{study}/delete", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.data.decode()
    # Nothing but an out-of-band message: the targeted row is swapped for nothing.
    assert html.strip().startswith('<div id="messages" hx-swap-oob="true">')
    assert f'id="study-{study}"' not in html and "deleted." in html
    assert "HX-Request" in response.headers["Vary"]
    assert row_counts(app)["general_study_module_attr"] == 0


def test_confirmation_page_names_the_study(app, client, login_as, modality):
    login_as("view", "admin")
    study, = make_studies(app, modality, {"description": "Pelvis AP", "accession": "ACC-77"})
    html = client.get(f"/{modality}/{study}/delete").data.decode()
    assert "2024-03-05 09:30:00" in html and "ACC-77" in html and "Pelvis AP" in html
    assert "1.2.826.0.1.3680043.10.999.study." in html
    assert f'<form method="post" action="/{modality}/{study}/delete"' in html
    assert row_counts(app)["general_study_module_attr"] == 1


def test_only_admins_may_delete(app, client, login_as, modality):
    study, = make_studies(app, modality)
    login_as("view")
    assert client.get(f"/{modality}/{study}/delete").status_code == 403
    assert client.post(f"/{modality}/{study}/delete").status_code == 403
    assert client.post(f"/{modality}/delete", data={"confirm_count": "1"}).status_code == 403
    assert row_counts(app)["general_study_module_attr"] == 1
    assert audit_entries(app) == []


def test_delete_controls_only_for_admins(app, client, login_as, modality):
    study, = make_studies(app, modality)
    login_as("view")
    assert "delete-study" not in client.get(f"/{modality}/").data.decode()
    assert "Delete study" not in client.get(f"/{modality}/{study}").data.decode()
    assert "bulk-delete" not in client.get(f"/{modality}/").data.decode()
    login_as("view", "admin")
    listing = client.get(f"/{modality}/").data.decode()
    assert f'hx-post="/{modality}/{study}/delete" hx-target="closest tr" hx-swap="outerHTML"' \
        in listing
    assert "hx-confirm=\"Delete the" in listing
    assert 'id="bulk-delete"' in listing
    assert f'href="/{modality}/{study}/delete"' in client.get(f"/{modality}/{study}").data.decode()


def test_a_study_is_deleted_only_from_its_own_page(app, client, login_as):
    login_as("view", "admin")
    ct, = make_studies(app, "ct")
    assert client.post(f"/rf/{ct}/delete").status_code == 404
    assert row_counts(app)["general_study_module_attr"] == 1


def _token(html):
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_delete_needs_a_csrf_token(csrf_app, make_user):
    client = csrf_app.test_client()
    user = make_user(roles=("view", "admin"))
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    study, = make_studies(csrf_app, "ct")
    assert client.post(f"/ct/{study}/delete").status_code == 400
    assert client.post(f"/ct/{study}/delete", headers={"HX-Request": "true"}).status_code == 400
    assert row_counts(csrf_app)["general_study_module_attr"] == 1

    token = _token(client.get(f"/ct/{study}/delete").data.decode())
    # htmx sends the token from <body hx-headers> as X-CSRFToken.
    response = client.post(f"/ct/{study}/delete",
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 200
    assert row_counts(csrf_app)["general_study_module_attr"] == 0


def test_bulk_delete_confirms_the_count_then_deletes_the_filter_result(app, client, login_as):
    admin = login_as("view", "admin")
    ge_one, canon, ge_two, rf = store_records(app, [
        study_record("ct", manufacturer="GE", accession="G1"),
        study_record("ct", manufacturer="Canon", accession="C1"),
        study_record("ct", manufacturer="GE", accession="G2"),
        study_record("rf", manufacturer="GE"),
    ])
    page = client.get("/ct/delete?manufacturer=ge").data.decode()
    assert re.search(r'<strong>2</strong> studies match', page)
    assert "Filter: Make: ge" in page
    assert 'action="/ct/delete?manufacturer=ge"' in page
    assert 'name="confirm_count" value="2"' in page

    # Someone imported another GE study in the meantime: ask again, delete nothing.
    ge_three, = store_records(app, [study_record("ct", manufacturer="GE")])
    response = client.post("/ct/delete?manufacturer=ge", data={"confirm_count": "2"})
    assert response.status_code == 200
    assert "The number of matching studies changed" in response.data.decode()
    assert row_counts(app)["general_study_module_attr"] == 5

    response = client.post("/ct/delete?manufacturer=ge", data={"confirm_count": "3"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/ct/?manufacturer=ge"
    with app.app_context():
        assert sorted(db.session.scalars(select(GeneralStudyModuleAttr.id))) == [canon, rf]
    (username, action, target, details), = audit_entries(app)
    assert (username, action, target) == (admin.username, "delete_studies", "3 CT studies")
    lines = details.splitlines()
    # Test data is left out unless asked for, and the record says so.
    assert lines[0] == "Filter: Make: ge; Include possible test data: No"
    assert len(lines) == 4
    accessions = {line.split("; ")[1] for line in lines[1:]}
    assert len(accessions) == 3 and {"accession G1", "accession G2"} <= accessions
    assert all(line.startswith("Study Instance UID 1.2.826.") and line.endswith("modality CT")
               for line in lines[1:])
    assert ge_one and ge_two and ge_three


def test_bulk_delete_of_nothing(app, client, login_as):
    login_as("view", "admin")
    make_studies(app, "mg")
    page = client.get("/mg/delete?study_description=nothing-like-this").data.decode()
    assert "No studies match this filter; there is nothing to delete." in page
    assert client.post("/mg/delete?study_description=nothing-like-this",
                       data={"confirm_count": "0"}).status_code == 302
    assert row_counts(app)["general_study_module_attr"] == 1
    assert audit_entries(app) == []


def test_audit_log_page_lists_deletions_for_admins(app, client, login_as):
    admin = login_as("view", "admin")
    studies = make_studies(app, "dx", {"accession": "DX-1"}, {"accession": "DX-2"})
    for study in studies:
        client.post(f"/dx/{study}/delete")
    page = client.get("/admin/audit-log").data.decode()
    assert "2 entries, newest first." in page
    assert page.count("<code>delete_study</code>") == 2
    assert page.index("accession DX-2") < page.index("accession DX-1")
    assert admin.username in page
    assert "2 entries" in client.get("/admin/audit-log?action=delete_study").data.decode()
    assert "0 entries" in client.get("/admin/audit-log?action=user_created").data.decode()
    login_as("view")
    assert client.get("/admin/audit-log").status_code == 403


def test_audit_log_pages(app, client, login_as):
    from app.audit import record_audit

    login_as("view", "admin")
    with app.app_context():
        for number in range(120):
            record_audit("test_action", f"thing {number}", username="someone")
        db.session.commit()
    first = client.get("/admin/audit-log").data.decode()
    assert "thing 119" in first and "thing 70" in first and "thing 69" not in first
    third = client.get("/admin/audit-log?page=3").data.decode()
    assert "thing 19" in third and "thing 0<" in third and "thing 20<" not in third
