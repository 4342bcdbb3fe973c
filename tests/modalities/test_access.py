"""Who may use the modality pages, and the hook the exports plug their links into."""

from app.modalities import MODALITIES
from study_records import make_studies

KEYS = [config.key for config in MODALITIES]


def test_endpoints_declare_their_roles(app):
    views = app.view_functions
    for key in KEYS:
        assert views[f"{key}.studies"].required_roles == ("view",)
        assert views[f"{key}.study"].required_roles == ("view",)
        assert views[f"{key}.delete_study"].required_roles == ("view", "admin")
        assert views[f"{key}.bulk_delete"].required_roles == ("view", "admin")
    assert views["admin.audit_log"].required_roles == ("view", "admin")
    assert views["main.set_home_days"].required_roles == ("view",)


def test_urls(app):
    with app.test_request_context():
        from flask import url_for
        assert url_for("ct.studies") == "/ct/"
        assert url_for("dx.study", study_id=3) == "/dx/3"
        assert url_for("rf.delete_study", study_id=3) == "/rf/3/delete"
        assert url_for("nm.bulk_delete") == "/nm/delete"


def test_viewing_needs_the_view_role(app, client, login_as, modality):
    study, = make_studies(app, modality)
    login_as("export", "admin")
    for path in (f"/{modality}/", f"/{modality}/{study}", f"/{modality}/{study}/delete"):
        assert client.get(path).status_code == 403, path
    login_as("view")
    assert client.get(f"/{modality}/").status_code == 200
    assert client.get(f"/{modality}/{study}").status_code == 200


def test_anonymous_filtering_is_sent_to_log_in(client, modality):
    response = client.get(f"/{modality}/?study_description=x", headers={
        "HX-Request": "true", "HX-Current-URL": f"http://localhost/{modality}/?page=2"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == f"/login?next=/{modality}/?page%3D2"


def test_export_links_carry_the_current_filters_for_exporters_only(app, client, make_user):
    exporter = make_user(roles=("view", "export"))
    viewer = make_user(roles=("view",))
    make_studies(app, "ct")
    with client.session_transaction() as session:
        session["_user_id"] = str(exporter.id)
    html = client.get("/ct/?manufacturer=acme&page=1").data.decode()
    assert 'href="/exports/ct.csv?manufacturer=acme">Export CSV</a>' in html
    assert 'href="/exports/ct.xlsx?manufacturer=acme">Export XLSX</a>' in html
    with client.session_transaction() as session:
        session["_user_id"] = str(viewer.id)
    assert "Export CSV" not in client.get("/ct/").data.decode()