"""The Import page: DICOM upload with per-file results, and patient sizes from CSV."""
import io
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.study import GeneralStudyModuleAttr
from conformance import CORPUS
from background import queue_config, wait_until
from dicom_builders import code, container, num, sr_dataset

CT_FILE = CORPUS / "dicom" / "CT-RDSR-Siemens-Multi-1.dcm"


def _ct_report_bytes(dlp=12.5, dlp_unit="mGy.cm"):
    ds = sr_dataset(("113701", "X-Ray Radiation Dose Report"), [
        code(("121058", "Procedure reported"), ("P5-08000", "Computed Tomography X-Ray", "SRT")),
        container(("113811", "CT Accumulated Dose Data"), [
            num(("113812", "Total Number of Irradiation Events"), 1, "{events}"),
            num(("113813", "CT Dose Length Product Total"), dlp, dlp_unit),
        ]),
    ], template="10011")
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path):
    """Uploads go to a folder of this test, not the instance folder; so do the spool and the
    task queue."""
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    app.config.update(queue_config(tmp_path))
    return tmp_path / "uploads"


def _upload(client, files):
    data = {"files": [(io.BytesIO(content), name) for name, content in files]}
    return client.post("/import/dicom", data=data, content_type="multipart/form-data")


def test_upload_lists_files_then_imports_each(app, client, login_as, upload_dir):
    login_as("view", "admin")
    page = _upload(client, [("report.dcm", _ct_report_bytes()), ("notes.txt", b"hello")])
    assert page.status_code == 200
    rows = re.findall(r'hx-post="(/import/dicom/[0-9a-f]+/\d)"', page.text)
    assert len(rows) == 2
    first = client.post(rows[0], data={"name": "report.dcm"})
    second = client.post(rows[1], data={"name": "notes.txt"})
    assert 'data-status="imported"' in first.text
    assert 'data-status="rejected"' in second.text and "not a DICOM file" in second.text
    with app.app_context():
        studies = db.session.scalars(select(GeneralStudyModuleAttr)).all()
        assert [s.total_dlp for s in studies] == [12.5]
    # Every uploaded file is gone once imported, and its folder too.
    assert list(upload_dir.iterdir()) == []


ODD_UNIT_WARNING = ("'CT Dose Length Product Total' in the CT Accumulated Dose Data is in unit "
                    "'furlong', which cannot be read as mGy.cm: not stored")


def test_a_value_in_an_unknown_unit_is_shown_as_a_warning_on_the_upload_page(
        app, client, login_as):
    login_as("view", "admin")
    page = _upload(client, [("odd.dcm", _ct_report_bytes(dlp_unit="furlong"))])
    row = client.post(re.search(r'hx-post="(/import/dicom/[0-9a-f]+/\d)"', page.text).group(1),
                      data={"name": "odd.dcm"})
    assert 'data-status="imported"' in row.text
    assert ODD_UNIT_WARNING.replace("'", "&#39;") in row.text
    with app.app_context():
        studies = db.session.scalars(select(GeneralStudyModuleAttr)).all()
        assert [(s.modality_type, s.total_dlp) for s in studies] == [("CT", None)]


def test_upload_needs_admin(client, login_as):
    login_as("view", "importsize")
    assert _upload(client, [("report.dcm", b"x")]).status_code == 403


def test_batch_of_another_session_is_not_found(app, client, login_as):
    login_as("view", "admin")
    assert client.post("/import/dicom/" + "a" * 32 + "/0").status_code == 404


def test_hostile_file_name_is_shown_as_text(client, login_as):
    login_as("view", "admin")
    page = _upload(client, [("<script>alert(1)</script>.dcm", b"not dicom")])
    assert "<script>alert(1)</script>" not in page.text


def _imported_ct_report_accession(app, client) -> str:
    """Import a CT report through the upload page; the accession number it was stored with."""
    upload = _upload(client, [("report.dcm", _ct_report_bytes())])
    row = re.findall(r'hx-post="(/import/dicom/[0-9a-f]+/\d)"', upload.text)[0]
    client.post(row, data={"name": "report.dcm"})
    with app.app_context():
        return db.session.scalars(select(GeneralStudyModuleAttr.accession_number)).one()


def _upload_sizes(client, csv_text: str, filename: str):
    """Send a patient-size CSV to the sizes page; its answer (the column choice)."""
    return client.post("/import/sizes",
                       data={"csv_file": (io.BytesIO(csv_text.encode()), filename)},
                       content_type="multipart/form-data")


def test_patient_sizes_from_csv_in_the_request(app, client, login_as):
    """With UPLOAD_QUEUE_SIZES off the web server applies the file while the page waits."""
    app.config["UPLOAD_QUEUE_SIZES"] = False
    login_as("view", "importsize", "admin")
    accession = _imported_ct_report_accession(app, client)
    columns = _upload_sizes(client, f"Accession;Height;Weight\n{accession};172,5;81\n"
                                    "UNKNOWN;180;90\n", "sizes.csv")
    assert columns.status_code == 200 and "Height" in columns.text
    action = re.search(r'action="(/import/sizes/[0-9a-f]+)"', columns.text).group(1)
    result = client.post(action, data={"id_column": "Accession", "height_column": "Height",
                                       "weight_column": "Weight", "id_type": "accession"})
    assert "2 rows read, 1 matched a study, 1 studies updated" in result.text
    assert "no study with accession UNKNOWN" in result.text
    with app.app_context():
        study = db.session.scalars(select(GeneralStudyModuleAttr)).one()
        assert study.patientstudymoduleattr_set[0].patient_size == pytest.approx(1.725)
        assert study.patientstudymoduleattr_set[0].patient_weight == pytest.approx(81.0)


def _follow(client, url, marker, timeout=15.0):
    """GET ``url`` (as htmx) until the answer no longer asks to be polled; the last answer."""
    def finished():
        answer = client.get(url, headers={"HX-Request": "true"})
        return answer if marker not in answer.text else None
    return wait_until(finished, timeout=timeout, interval=0.1, message=url)


def test_a_large_batch_goes_through_the_task_queue(app, client, login_as, worker, tmp_path):
    app.config["UPLOAD_QUEUE_FROM_FILES"] = 3
    login_as("view", "admin")
    files = [(f"report-{n}.dcm", _ct_report_bytes(dlp=10.0 + n)) for n in range(3)]
    files.append(("notes.txt", b"hello"))
    worker()
    page = _upload(client, files)
    assert page.status_code == 200 and "Importing 4 files" in page.text
    polls = [url.replace("&amp;", "&")
             for url in re.findall(r'hx-get="(/import/dicom/task/[^"]+)"', page.text)]
    assert len(polls) == 4 and page.text.count('hx-trigger="every 2s"') == 4
    rows = [_follow(client, url, "hx-trigger") for url in polls]
    assert [re.search(r'data-status="(\w+)"', row.text).group(1) for row in rows] == [
        "done", "done", "done", "failed"]
    assert "report-0.dcm" in rows[0].text and ": imported" in rows[0].text
    assert "not a DICOM file" in rows[3].text and "quarantine" in rows[3].text
    with app.app_context():
        totals = sorted(db.session.scalars(select(GeneralStudyModuleAttr.total_dlp)))
    assert totals == [10.0, 11.0, 12.0]
    # The uploads went to the spool, not to the upload folder, and left it once imported.
    assert not upload_dir_files(tmp_path / "uploads")
    assert list((tmp_path / "spool" / "incoming").iterdir()) == []


def test_a_queued_import_shows_its_warnings_on_the_upload_and_tasks_pages(
        app, client, login_as, worker):
    app.config["UPLOAD_QUEUE_FROM_FILES"] = 1
    login_as("view", "admin")
    worker()
    page = _upload(client, [("odd.dcm", _ct_report_bytes(dlp_unit="furlong"))])
    poll = re.search(r'hx-get="(/import/dicom/task/[^"]+)"', page.text).group(1)
    row = _follow(client, poll.replace("&amp;", "&"), "hx-trigger")
    assert 'data-status="done"' in row.text
    escaped = ODD_UNIT_WARNING.replace("'", "&#39;")
    # The task's message names the spooled file the upload became.
    assert "odd.dcm" in row.text and ".dcm: imported" in row.text
    assert f".dcm: warning: {escaped}" in row.text
    tasks = client.get("/admin/tasks/?status=done").text
    assert f".dcm: warning: {escaped}" in tasks
    with app.app_context():
        assert db.session.scalars(select(GeneralStudyModuleAttr.total_dlp)).all() == [None]


def upload_dir_files(folder):
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_queued_rows_need_admin(app, client, login_as):
    login_as("view", "importsize")
    assert client.get("/import/dicom/task/nope").status_code == 403


def test_patient_sizes_go_through_the_task_queue(app, client, login_as, worker, tmp_path):
    login_as("view", "importsize", "admin")
    accession = _imported_ct_report_accession(app, client)
    columns = _upload_sizes(client, f"Accession,Height,Weight\n{accession},165,62.5\n"
                                    "UNKNOWN,180,90\n", "ward sizes.csv")
    action = re.search(r'action="(/import/sizes/[0-9a-f]+)"', columns.text).group(1)
    worker()
    queued = client.post(action, data={"id_column": "Accession", "height_column": "Height",
                                       "weight_column": "Weight", "id_type": "accession",
                                       "filename": "ward_sizes.csv"})
    assert queued.status_code == 302
    status_url = queued.headers["Location"]
    assert "/import/sizes/task/" in status_url
    done = _follow(client, status_url, "hx-trigger")
    assert 'data-status="done"' in done.text
    assert "2 rows read, 1 matched a study, 1 studies updated" in done.text
    assert "no study with accession UNKNOWN" in done.text
    with app.app_context():
        study = db.session.scalars(select(GeneralStudyModuleAttr)).one()
        assert study.patientstudymoduleattr_set[0].patient_size == pytest.approx(1.65)
        assert study.patientstudymoduleattr_set[0].patient_weight == pytest.approx(62.5)
    # The CSV is removed once applied.
    assert not upload_dir_files(tmp_path / "uploads")
    # Another user's role is checked on the status page.
    client.get("/logout")
    login_as("view")
    assert client.get(status_url).status_code == 403


def test_without_a_running_worker_the_web_server_imports_large_batches(app, client, login_as):
    """A workstation started without ``flask worker``: nothing would ever take queued work,
    so large batches and patient sizes are imported by the request, as small ones are."""
    app.config["UPLOAD_QUEUE_FROM_FILES"] = 2
    login_as("view", "admin", "importsize")
    page = _upload(client, [("a.dcm", _ct_report_bytes()), ("b.dcm", _ct_report_bytes())])
    assert "Importing 2 files" not in page.text
    assert len(re.findall(r'hx-post="(/import/dicom/[0-9a-f]+/\d)"', page.text)) == 2


def test_queued_rows_show_queued_until_a_worker_takes_them(app, client, login_as):
    """A batch queued while a worker ran waits, and says so, when the worker has gone."""
    from app import heartbeat
    from app.spool import Spool

    app.config["UPLOAD_QUEUE_FROM_FILES"] = 1
    login_as("view", "admin")
    heartbeat.beat(Spool.for_app(app).root / heartbeat.WORKER, {"workers": 1})
    page = _upload(client, [("a.dcm", _ct_report_bytes())])
    poll = re.search(r'hx-get="(/import/dicom/task/[^"]+)"', page.text).group(1)
    row = client.get(poll.replace("&amp;", "&"))
    assert 'data-status="queued"' in row.text and 'hx-trigger="every 2s"' in row.text
