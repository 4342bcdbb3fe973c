"""The DICOM settings page, the listener's effective settings, and the quarantine page."""
import re

import pytest
from sqlalchemy import select

from app import heartbeat
from app.extensions import db
from app.models.auth import AuditLog
from app.models.network import DicomKeepSettings, DicomStoreSettings
from app.network.settings import HostFilter, listener_settings
from app.spool import Spool
from app.tasks.queue import get_queue
from background import queue_config


@pytest.fixture
def app_config(tmp_path):
    return {**queue_config(tmp_path), "DICOM_AE_TITLE": "KERMA", "DICOM_PORT": 11112,
            "DICOM_BIND": "127.0.0.1", "DICOM_ALLOWED_AE_TITLES": ["CT01"],
            "DICOM_ALLOWED_HOSTS": []}


def _form(**changes):
    form = {"ae_title": "KERMA", "port": "11112", "bind_address": "127.0.0.1",
            "allowed_ae_titles": "CT01", "allowed_hosts": ""}
    form.update(changes)
    return form


def test_configuration_applies_until_the_page_saves_other_values(app):
    with app.app_context():
        assert listener_settings().address == ("127.0.0.1", 11112, "KERMA")
        assert listener_settings().allowed_ae_titles == ("CT01",)
        db.session.add(DicomStoreSettings(port=104, allowed_ae_titles=""))
        db.session.commit()
        settings = listener_settings()
    assert (settings.ae_title, settings.port, settings.bind) == ("KERMA", 104, "127.0.0.1")
    # An empty saved list overrides a configured one: any AE title may send.
    assert settings.allowed_ae_titles == ()


def test_settings_page_saves_what_differs_from_the_configuration(app, client, login_as):
    login_as("view", "admin")
    page = client.get("/admin/dicom/")
    assert page.status_code == 200
    assert 'value="KERMA"' in page.text and "\nCT01</textarea>" in page.text
    assert "not running" in page.text

    saved = client.post("/admin/dicom/", data=_form(
        ae_title="DOSE_SCP", allowed_ae_titles="CT01\nMG02, DX03",
        allowed_hosts="10.1.0.0/16\nmodality.example.org", keep_rdsr="y"), follow_redirects=True)

    assert "DICOM settings saved" in saved.text
    with app.app_context():
        row = db.session.scalars(select(DicomStoreSettings)).one()
        assert (row.ae_title, row.port, row.bind_address) == ("DOSE_SCP", None, None)
        assert row.allowed_ae_titles == "CT01\nMG02\nDX03"
        assert row.allowed_hosts == "10.1.0.0/16\nmodality.example.org"
        assert row.updated_by == "user1"
        keep = db.session.scalars(select(DicomKeepSettings)).one()
        assert keep.kept_kinds() == {"rdsr"}
        audit = db.session.scalars(select(AuditLog)).one()
        assert audit.action == "dicom settings"
        assert "AE title: KERMA -> DOSE_SCP" in audit.details
        assert "keep_rdsr on" in audit.details
        settings = listener_settings()
    assert settings.ae_title == "DOSE_SCP"
    assert settings.allowed_ae_titles == ("CT01", "MG02", "DX03")


@pytest.mark.parametrize("changes, error", [
    ({"ae_title": "A_TITLE_LONGER_THAN_16"}, "at most 16 characters"),
    ({"port": "70000"}, "between 1 and 65535"),
    ({"allowed_ae_titles": "GOOD\nBAD\\ONE"}, "BAD\\ONE: An AE title holds printable ASCII"),
    ({"allowed_hosts": "10.0.0.0/33"}, "neither an IP address"),
    ({"bind_address": "not an address!"}, "Give an IP address of this server"),
])
def test_settings_page_refuses_invalid_values(app, client, login_as, changes, error):
    login_as("view", "admin")
    answer = client.post("/admin/dicom/", data=_form(**changes))
    assert answer.status_code == 200
    assert error in answer.text.replace("&#39;", "'")
    with app.app_context():
        assert db.session.scalars(select(DicomStoreSettings)).first() is None


def test_status_shows_a_fresh_heartbeat_and_ignores_a_stale_one(app, client, login_as):
    spool = Spool.for_app(app)
    login_as("view", "admin")
    heartbeat.beat(spool.root / heartbeat.LISTENER, {
        "ae_title": "KERMA", "bind": "0.0.0.0", "port": 11112, "started": "2024-05-01T08:00:00",
        "associations": 12, "stored": 40, "refused": 2, "rejected_associations": 1, "errors": 0})

    status = client.get("/admin/dicom/status").text
    assert "running" in status and "as KERMA on 0.0.0.0 port 11112" in status
    assert "40 objects received, 2 refused, 1 associations rejected" in status

    assert heartbeat.read(spool.root / heartbeat.LISTENER, stale_after=-1) is None
    (spool.root / heartbeat.LISTENER).write_text('{"beat": 0}')
    assert "not running" in client.get("/admin/dicom/status").text


def test_host_filter_matches_addresses_networks_and_names():
    hosts = HostFilter(("10.1.0.0/16", "192.168.5.7", "localhost"))
    assert hosts.allows("10.1.200.3")
    assert hosts.allows("192.168.5.7")
    assert hosts.allows("127.0.0.1")
    assert hosts.allows("::ffff:10.1.2.3")
    assert not hosts.allows("10.2.0.1")
    assert not hosts.allows("not-an-address")
    assert HostFilter(()).allows("203.0.113.9")


def test_quarantine_page_lists_reasons_and_retries_after_confirmation(app, client, login_as):
    spool = Spool.for_app(app)
    path = spool.quarantine(spool.claim(spool.add(b"report", "1.2.3")), "rejected",
                            "it is not a radiation dose report", calling_ae_title="PACS")
    login_as("view", "admin")

    page = client.get("/admin/dicom/quarantine")
    assert path.name in page.text and "it is not a radiation dose report" in page.text
    assert "PACS" in page.text
    assert 'hx-confirm="Queue' in page.text

    confirm = client.post(f"/admin/dicom/quarantine/{path.name}/retry")
    assert "Queue " + path.name + " for import again?" in confirm.text
    assert spool.counts()["quarantined"] == 1

    retried = client.post(f"/admin/dicom/quarantine/{path.name}/retry", data={"confirm": "yes"},
                          headers={"HX-Request": "true"})
    assert "is queued for import again" in retried.text
    assert "The quarantine is empty." in retried.text
    assert [p.name for p in spool.waiting()] == [path.name]
    with app.app_context():
        [task] = get_queue().pending()
        assert task.args[0] == path.name
        assert task.source == "quarantine (retried by user1)"
        assert db.session.scalars(select(AuditLog.action)).all() == ["quarantine retry"]


def test_quarantine_delete_removes_the_file_and_its_reason(app, client, login_as):
    spool = Spool.for_app(app)
    path = spool.quarantine(spool.claim(spool.add(b"x", "1.2.4")), "failed", "damaged")
    login_as("view", "admin")

    answer = client.post(f"/admin/dicom/quarantine/{path.name}/delete", data={"confirm": "yes"},
                         follow_redirects=True)

    assert f"{path.name} is deleted." in answer.text
    assert list(spool.quarantine_dir.iterdir()) == []
    assert client.post("/admin/dicom/quarantine/nonesuch.dcm/delete",
                       data={"confirm": "yes"}).status_code == 404


def test_quarantine_pages_hold_fifty_files(app, client, login_as):
    spool = Spool.for_app(app)
    for n in range(51):
        spool.quarantine(spool.claim(spool.add(b"x", f"1.2.{n}")), "failed", f"reason {n}")
    login_as("view", "admin")

    first = client.get("/admin/dicom/quarantine").text
    second = client.get("/admin/dicom/quarantine?page=2", headers={"HX-Request": "true"}).text
    assert len(re.findall(r"reason \d+<", first)) == 50
    assert len(re.findall(r"reason \d+<", second)) == 1 and "<html" not in second
    assert "51 files." in first


def test_admin_menu_links_the_pages(client, login_as):
    login_as("view", "admin")
    home = client.get("/").text
    for url in ("/admin/dicom/", "/admin/dicom/quarantine", "/admin/tasks/"):
        assert f'href="{url}"' in home
