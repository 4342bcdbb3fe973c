"""The JSON API: tokens, the study lists with the pages' filters, the dose tree, the DRL
comparison, the export and the OpenAPI description."""
import hashlib
import re

import pytest
from openapi_spec_validator import validate
from sqlalchemy import select

from app.api.tokens import create_token
from app.drl.naming import assign
from app.drl.sets import load_set
from app.extensions import db
from app.models.auth import ApiToken, AuditLog, User
from app.models.settings import PatientIDSettings
from study_records import make_studies


def _token(app, user, name="script"):
    with app.app_context():
        _, token = create_token(db.session.get(User, user.id), name)
        db.session.commit()
    return token


@pytest.fixture
def call(app, client, make_user):
    """``call(path, *roles)``: GET ``path`` with a token of a new user holding ``roles``."""

    def get(path, *roles, **kwargs):
        token = _token(app, make_user(roles=roles or ("view",)))
        return client.get(path, headers={"Authorization": f"Bearer {token}"}, **kwargs)

    return get


@pytest.fixture
def ct_studies(app):
    """Three CT studies: 100, 400 and 900 mGy·cm on 2024-03-01, -02, -03; one DX study."""
    import datetime
    with app.app_context():
        # Names and IDs stored as sent, so that what the pid role shows can be checked.
        db.session.add(PatientIDSettings(name_stored=True, name_hashed=False, id_stored=True,
                                         id_hashed=False))
        db.session.commit()
    ids = make_studies(app, "ct",
                       {"dlp": 100.0, "date": datetime.date(2024, 3, 1), "description": "Head",
                        "patient_name": "DOE^JANE", "patient_id": "P-1"},
                       {"dlp": 400.0, "date": datetime.date(2024, 3, 2), "description": "Chest",
                        "patient_name": "ROE^RICHARD", "patient_id": "P-2"},
                       {"dlp": 900.0, "date": datetime.date(2024, 3, 3), "description": "Chest",
                        "patient_name": "POE^EDGAR", "patient_id": "P-3", "station": "ROOM2"})
    make_studies(app, "dx", {"dap": 2e-5})
    return ids


# --- Tokens -------------------------------------------------------------------------------

def test_a_token_is_shown_once_and_only_its_digest_is_stored(app, client, login_as):
    user = login_as("view")
    response = client.post("/account/tokens", data={"name": "monthly report"})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    token = re.search(rb'id="new-token-value">(kerma_[\w-]+)<', response.data).group(1).decode()
    with app.app_context():
        row = db.session.scalars(select(ApiToken)).one()
        assert (row.user_id, row.name, row.prefix) == (user.id, "monthly report", token[:12])
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in (row.name, row.prefix, row.token_hash)
        audit = db.session.scalars(select(AuditLog)).one()
        assert audit.action == "api_token.create"
    page = client.get("/account/tokens")
    assert token.encode() not in page.data
    assert token[:12].encode() in page.data and b"monthly report" in page.data
    assert client.get("/api/v1/drl/sets",
                      headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_a_revoked_token_is_refused(app, client, login_as):
    user = login_as("view")
    token = _token(app, user)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/drl/sets", headers=headers).status_code == 200
    with app.app_context():
        row = db.session.scalars(select(ApiToken)).one()
        assert row.last_used is not None
        token_id = row.id
    response = client.post(f"/account/tokens/{token_id}/revoke")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(ApiToken)).all() == []
    refused = client.get("/api/v1/drl/sets", headers=headers)
    assert refused.status_code == 401
    assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
    assert refused.get_json() == {"status": 401,
                                  "error": "This API token is not valid, or has been revoked."}


def test_nobody_revokes_another_users_token(app, client, make_user, login_as):
    owner = make_user(roles=("view",))
    token = _token(app, owner)
    login_as("view", "admin")
    with app.app_context():
        token_id = db.session.scalars(select(ApiToken.id)).one()
    client.post(f"/account/tokens/{token_id}/revoke")
    with app.app_context():
        assert db.session.scalars(select(ApiToken.id)).all() == [token_id]
    assert client.get("/api/v1/drl/sets",
                      headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_a_disabled_users_token_is_refused(app, client, make_user):
    user = make_user(roles=("view",), active=False)
    token = _token(app, user)
    assert client.get("/api/v1/drl/sets",
                      headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_made_up_and_malformed_tokens_are_refused(client):
    for header in ("Bearer kerma_madeup", "Basic dXNlcjpwdw==", "Bearer ", "kerma_x"):
        response = client.get("/api/v1/drl/sets", headers={"Authorization": header})
        assert response.status_code == 401, header


def test_token_forms_carry_csrf_and_the_api_needs_none(csrf_app, make_user):
    client = csrf_app.test_client()
    user = make_user(roles=("view",))
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
    assert client.post("/account/tokens", data={"name": "x"}).status_code == 400
    page = client.get("/account/tokens").data.decode()
    csrf_token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/account/tokens", data={"name": "x", "csrf_token": csrf_token})
    assert response.status_code == 201
    token = re.search(r'id="new-token-value">(kerma_[\w-]+)<', response.data.decode()).group(1)
    api = csrf_app.test_client()
    assert api.get("/api/v1/drl/sets",
                   headers={"Authorization": f"Bearer {token}"}).status_code == 200


# --- Studies ------------------------------------------------------------------------------

def test_the_list_takes_the_list_pages_filters(call, ct_studies):
    body = call("/api/v1/modalities/ct/studies?dlp_min=300&study_description=chest").get_json()
    assert [item["summary"]["total_dlp"] for item in body["items"]] == [900.0, 400.0]
    # Test studies are left out unless asked for, as on the list pages.
    assert body["filters"] == {"dlp": [300.0, None], "study_description": "chest",
                               "test_data": "no"}
    assert (body["total"], body["pages"], body["next"]) == (2, 1, None)
    first = body["items"][0]
    assert first["id"] == ct_studies[2]
    assert first["modality_type"] == "CT" and first["study_date"] == "2024-03-03"
    assert first["equipment"]["station_name"] == "ROOM2"
    assert first["links"] == {"self": f"/api/v1/studies/{ct_studies[2]}",
                              "fhir": f"/api/v1/studies/{ct_studies[2]}/fhir",
                              "page": f"/ct/{ct_studies[2]}"}
    assert "patient_name" not in first["patient"]
    assert first["patient"]["patient_age_decimal"] == 50.0
    dates = call("/api/v1/modalities/ct/studies?date_from=2024-03-02&date_until=2024-03-02"
                 ).get_json()
    assert [item["id"] for item in dates["items"]] == [ct_studies[1]]


def test_the_list_pages(call, ct_studies):
    body = call("/api/v1/modalities/ct/studies?per_page=2&o=dlp").get_json()
    assert [item["summary"]["total_dlp"] for item in body["items"]] == [100.0, 400.0]
    assert (body["total"], body["pages"], body["per_page"]) == (3, 2, 2)
    assert body["next"] == "/api/v1/modalities/ct/studies?o=dlp&page=2&per_page=2"
    second = call(body["next"]).get_json()
    assert [item["summary"]["total_dlp"] for item in second["items"]] == [900.0]
    assert second["previous"] == "/api/v1/modalities/ct/studies?o=dlp&page=1&per_page=2"


def test_the_page_size_is_capped(app, call, ct_studies):
    app.config["API_MAX_PAGE_SIZE"] = 2
    assert call("/api/v1/modalities/ct/studies?per_page=500").get_json()["per_page"] == 2


def test_unreadable_arguments_are_400(call, ct_studies):
    response = call("/api/v1/modalities/ct/studies?dlp_min=lots")
    assert response.status_code == 400
    assert response.get_json()["filters"] == {"dlp": "“lots” is not a number."}
    assert call("/api/v1/modalities/ct/studies?page=0").status_code == 400


def test_patient_identifiers_need_the_pid_role(call, ct_studies):
    without = call("/api/v1/modalities/ct/studies?patient_name=ROE").get_json()
    assert len(without["items"]) == 3  # the filter is not theirs to use: ignored
    body = call("/api/v1/modalities/ct/studies?patient_name=ROE", "view", "pid").get_json()
    assert [item["patient"]["patient_name"] for item in body["items"]] == ["ROE^RICHARD"]
    assert body["items"][0]["patient"]["patient_id"] == "P-2"


def test_a_study_is_its_whole_dose_tree(call, ct_studies):
    body = call(f"/api/v1/studies/{ct_studies[1]}").get_json()
    assert body["id"] == ct_studies[1] and body["modality_type"] == "CT"
    dose = body["ctradiationdose_set"][0]
    assert dose["ctaccumulateddosedata_set"][0]["ct_dose_length_product_total"] == 400.0
    event = dose["ctirradiationeventdata_set"][0]
    assert (event["mean_ctdivol"], event["dlp"]) == (10.0, 400.0)
    assert event["ct_acquisition_type"] == {"code_value": "116152004",
                                            "code_meaning": "Spiral Acquisition"}
    assert event["ctxraysourceparameters_set"][0]["kvp"] == 120.0
    patient = body["patientmoduleattr_set"][0]
    assert patient["patient_sex"] == "F"
    assert "patient_name" not in patient and "patient_id" not in patient
    identity = body["generalequipmentmoduleattr_set"][0]["unique_equipment_name"]
    assert identity["station_name"] == "ROOM1"
    assert not [key for key in identity if key.endswith("_hash")]
    with_pid = call(f"/api/v1/studies/{ct_studies[1]}", "view", "pid").get_json()
    assert with_pid["patientmoduleattr_set"][0]["patient_name"] == "ROE^RICHARD"


def test_a_missing_study_is_a_json_404(call):
    response = call("/api/v1/studies/999")
    assert response.status_code == 404
    assert response.get_json() == {"status": 404, "error": "There is no such study."}


# --- DRL ----------------------------------------------------------------------------------

def test_the_drl_comparison(app, call, ct_studies):
    with app.app_context():
        drl_set = load_set("modality,examination,quantity,value,unit,patient_group,year,note\n"
                           "CT,Chest,dlp,500,mGy.cm,adult,2022,\n", "Local", "Our survey")
        set_id = drl_set.id
        assign("CT", [("study_description", "Chest")], "Chest")
        db.session.commit()
    sets = call("/api/v1/drl/sets").get_json()["items"]
    assert [(s["id"], s["name"], s["values"][0]["value"]) for s in sets] == [
        (set_id, "Local", 500.0)]
    body = call(f"/api/v1/drl/sets/{set_id}/comparison?date_from=2024-01-01").get_json()
    rows = sorted((row["studies"], row["median"], row["ratio"], row["above_drl"])
                  for row in body["items"])
    # ROOM1 has one chest study of 400, ROOM2 one of 900.
    assert rows == [(1, 400.0, 0.8, False), (1, 900.0, 1.8, True)]
    assert body["date_from"] == "2024-01-01"
    assert call(f"/api/v1/drl/sets/{set_id}/comparison?date_from=soon").status_code == 400


# --- Export -------------------------------------------------------------------------------

def test_the_export_needs_the_export_role_and_pid_for_identifiers(call, ct_studies):
    assert call("/api/v1/modalities/ct/export.csv").status_code == 403
    response = call("/api/v1/modalities/ct/export.csv?dlp_min=300", "view", "export")
    assert response.status_code == 200
    lines = response.get_data(as_text=True).strip().splitlines()
    assert len(lines) == 3  # the header and two studies
    refused = call("/api/v1/modalities/ct/export.csv?with_pid=1", "view", "export")
    assert refused.status_code == 403
    assert refused.get_json()["error"] == "Exporting patient identifiers needs the pid role."


# --- OpenAPI ------------------------------------------------------------------------------

def _api_rules(app):
    """Each API route as the OpenAPI path template it should be described by."""
    paths = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            paths.add(path.removeprefix("/api/v1"))
    return paths


def test_the_openapi_description_is_valid_and_names_every_route(app, call):
    document = call("/api/v1/openapi.json").get_json()
    validate(document)
    assert set(document["paths"]) == _api_rules(app)
    assert all(set(item) == {"get"} for item in document["paths"].values())
    parameters = {p["name"] for p in
                  document["paths"]["/modalities/{modality}/studies"]["get"]["parameters"]}
    assert {"dlp_min", "dlp_max", "date_from", "date_until", "patient_name", "per_page",
            "page", "o"} <= parameters
