"""The Import pages: upload DICOM objects (admins) and patient-size CSV files (importsize).

Uploaded files go to a private temporary folder and are imported one by one: the page lists
the files at once and each row asks for its own import (htmx, one request at a time), so the
results appear as they complete. Every file is deleted as soon as it is imported, and the
folder with it; folders abandoned by a closed browser are removed on the next upload.

Large batches (``UPLOAD_QUEUE_FROM_FILES`` files or more) and patient-size CSV files go to the
task queue instead when a worker (``flask worker``) is running, as objects from the DICOM
listener do: the files are written to the spool (the CSV stays in its upload folder) and the
worker imports them, while each row of the page asks every two seconds how its task went. A
batch survives the browser being closed, and an object that fails lands in quarantine with
its reason. Without a running worker (a single workstation started with ``serve.sh``) the
web server imports them itself, as it does small batches.
"""
import secrets
import shutil
import time
from pathlib import Path

from flask import (Blueprint, abort, current_app, flash, make_response, redirect,
                   render_template, request, session, url_for)
from flask_login import current_user
from werkzeug.utils import secure_filename

from ..auth.roles import role_required
from ..htmx import is_htmx_request
from ..models.tasks import FINISHED
from ..spool import Spool
from ..tasks import records
from ..tasks.imports import import_spooled
from ..tasks.queue import get_queue
from ..tasks.sizes import TASK as SIZES_TASK
from ..tasks.worker import running_worker
from . import import_file
from .outcome import IMPORTED
from .patient_size import PatientSizeError, import_patient_sizes, read_rows

bp = Blueprint("imports", __name__, url_prefix="/import")

#: Upload folders older than this are removed (a browser closed in the middle of a batch).
STALE_SECONDS = 3600


def _upload_root() -> Path:
    root = Path(current_app.config.get("UPLOAD_DIR") or Path(current_app.instance_path) / "uploads")
    root.mkdir(parents=True, exist_ok=True)
    return root


def _remove_stale(root: Path):
    for folder in root.iterdir():
        try:
            if time.time() - folder.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            pass


def _batch_folder(token: str) -> Path:
    if token not in session.get("import_batches", []) or not token.isalnum():
        abort(404)
    return _upload_root() / token


@bp.get("/")
@role_required()
def index():
    """The import page; each section shows to users holding its role."""
    return render_template("imports/index.html")


@bp.post("/dicom")
@role_required("admin")
def upload_dicom():
    """Store the uploaded files in a private folder and list them for import."""
    files = [f for f in request.files.getlist("files") if f and f.filename]
    if not files:
        flash("Choose one or more DICOM files to upload.", "warning")
        return redirect(url_for(".index"))
    queue_from = current_app.config.get("UPLOAD_QUEUE_FROM_FILES", 20)
    if queue_from is not None and len(files) >= queue_from and running_worker(current_app):
        return _queue_uploads(files)
    root = _upload_root()
    _remove_stale(root)
    token = secrets.token_hex(16)
    folder = root / token
    folder.mkdir(mode=0o700)
    names = []
    for index, upload in enumerate(files):
        name = secure_filename(upload.filename) or "upload"
        upload.save(folder / f"{index:05d}")
        names.append(name)
    session["import_batches"] = [*session.get("import_batches", [])[-20:], token]
    return render_template("imports/batch.html", token=token, names=names)


def _queue_uploads(files):
    """Spool every uploaded file and queue its import; the page follows the tasks."""
    spool = Spool.for_app(current_app)
    who = getattr(current_user, "username", "unknown")
    rows = []
    for upload in files:
        name = secure_filename(upload.filename) or "upload"
        path = spool.add(upload.read())
        task_id = import_spooled(path, source=f"web upload by {who}: {name}"[:256])
        rows.append((name, task_id))
    return render_template("imports/queued_batch.html", rows=rows)


@bp.get("/dicom/task/<task_id>")
@role_required("admin")
def uploaded_task(task_id):
    """The row of one queued upload: waiting (and asking again) or its result."""
    return render_template("imports/_task_row.html", task=_task(task_id), task_id=task_id,
                           name=request.args.get("name", "")[:200])


def _task(task_id):
    task = records.find(task_id)
    if task is None:
        abort(404)
    return task


@bp.post("/dicom/<token>/<int:index>")
@role_required("admin")
def import_uploaded(token, index):
    """Import one uploaded file, delete it, and answer with its result row."""
    folder = _batch_folder(token)
    path = folder / f"{index:05d}"
    name = request.form.get("name", f"file {index + 1}")[:200]
    if not path.exists():
        abort(404)
    try:
        outcome = import_file(path, source=name)
    finally:
        path.unlink(missing_ok=True)
        if folder.exists() and not any(folder.iterdir()):
            folder.rmdir()
    if outcome.status == IMPORTED:
        from ..skindose.background import queue_after_import

        queue_after_import(outcome)  # an RF study's skin dose map, in the background
    return render_template("imports/_result_row.html", outcome=outcome, index=index)


@bp.post("/sizes")
@role_required("importsize")
def upload_sizes():
    """Read an uploaded patient-size CSV and ask which columns hold what."""
    upload = request.files.get("csv_file")
    if not upload or not upload.filename:
        flash("Choose a CSV file with patient heights and weights.", "warning")
        return redirect(url_for(".index"))
    root = _upload_root()
    _remove_stale(root)
    token = secrets.token_hex(16)
    folder = root / token
    folder.mkdir(mode=0o700)
    upload.save(folder / "sizes.csv")
    session["import_batches"] = [*session.get("import_batches", [])[-20:], token]
    raw = (folder / "sizes.csv").read_bytes()
    try:
        columns = list(read_rows(raw.decode("utf-8-sig", errors="replace"), ())[0].keys())
    except (IndexError, PatientSizeError):
        shutil.rmtree(folder, ignore_errors=True)
        flash("The file has no rows to read.", "warning")
        return redirect(url_for(".index"))
    return render_template("imports/sizes_columns.html", token=token, columns=columns,
                           filename=secure_filename(upload.filename))


@bp.post("/sizes/<token>")
@role_required("importsize")
def apply_sizes(token):
    """Apply the uploaded CSV with the chosen columns, then delete the file."""
    folder = _batch_folder(token)
    path = folder / "sizes.csv"
    if not path.exists():
        abort(404)
    form = request.form
    size_columns = {name: form.get(name) or None
                    for name in ("ap_column", "lateral_column", "wed_column")}
    size_columns["size_unit"] = "cm" if form.get("size_unit") == "cm" else "mm"
    if current_app.config.get("UPLOAD_QUEUE_SIZES", True) and running_worker(current_app):
        filename = form.get("filename") or "sizes.csv"
        task_id = get_queue().enqueue(
            SIZES_TASK, str(path), form.get("id_column", ""), form.get("height_column", ""),
            form.get("weight_column", ""), form.get("id_type", "accession"),
            form.get("overwrite") == "y", filename, size_columns,
            source=f"web upload by {getattr(current_user, 'username', 'unknown')}"[:256],
            subject=filename[:256])
        return redirect(url_for(".sizes_task", task_id=task_id))
    try:
        result = import_patient_sizes(
            path, form.get("id_column", ""), form.get("height_column", ""),
            form.get("weight_column", ""), id_type=form.get("id_type", "accession"),
            overwrite=form.get("overwrite") == "y", filename=form.get("filename"),
            **size_columns)
    except PatientSizeError as exc:
        flash(f"The patient sizes were not imported: {exc}", "danger")
        return redirect(url_for(".index"))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return render_template("imports/sizes_result.html", result=result)


@bp.get("/sizes/task/<task_id>")
@role_required("importsize")
def sizes_task(task_id):
    """How a queued patient-size import went; the page asks again until it has finished."""
    task = _task(task_id)
    if task.task_type != SIZES_TASK:
        abort(404)
    lines = (task.message or "").splitlines()
    context = {"task": task, "finished": task.status in FINISHED,
               "summary": lines[0] if lines else "", "log": lines[1:]}
    if is_htmx_request():
        response = make_response(render_template("imports/_sizes_task.html", **context))
        response.vary.add("HX-Request")
        return response
    return render_template("imports/sizes_task.html", **context)
