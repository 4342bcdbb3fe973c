"""Who may use the modality pages, and the hook the exports plug their links into."""
from flask import Response

from app import create_app
from app.extensions import db
from app.modalities import MODALITIES
from app.modalities.base import BLUEPRINT_EXTENSIONS
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


def test_export_links_appear_when_exports_register_their_endpoints(app, client, login_as,
                                                                  make_user):
    def add_exports(bp, config):
        @bp.get("/export.csv", endpoint="export_csv")
        def export_csv():
            return Response("csv")

    BLUEPRINT_EXTENSIONS.append(add_exports)
    try:
        with_exports = create_app({
            "TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        })
    finally:
        BLUEPRINT_EXTENSIONS.remove(add_exports)
    exporter = make_user(roles=("view", "export"))
    viewer = make_user(roles=("view",))
    make_studies(app, "ct")
    other = with_exports.test_client()
    with other.session_transaction() as session:
        session["_user_id"] = str(exporter.id)
    html = other.get("/ct/?manufacturer=acme&page=1").data.decode()
    assert 'href="/ct/export.csv?manufacturer=acme">Export CSV</a>' in html
    assert "Export XLSX" not in html  # no such endpoint registered
    with other.session_transaction() as session:
        session["_user_id"] = str(viewer.id)
    assert "Export CSV" not in other.get("/ct/").data.decode()
    # The application without exports shows no export links at all.
    with client.session_transaction() as session:
        session["_user_id"] = str(exporter.id)
    assert "Export" not in client.get("/ct/").data.decode()
    with with_exports.app_context():
        db.session.remove()
        db.engine.dispose()
