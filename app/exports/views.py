"""The Exports pages: a list of what can be exported, and the downloads.

A download takes the same query-string filters as the modality list pages, so a list page
links to ``url_for("exports.download", modality="ct", fmt="csv", **request.args)``. Patient
name, ID and birth date are included only when asked for (``with_pid=1``) by a user holding
the pid role.
"""
import datetime
import io
import os
import tempfile

from flask import (Blueprint, Response, abort, render_template, request, send_file,
                   stream_with_context)
from flask_login import current_user

from ..audit import record_audit
from ..modalities.paging import count_all
from ..auth.roles import role_required
from ..extensions import db
from ..studies import count_studies
from . import EXPORTS, csv_chunks, write_xlsx
from .common import NO_IDENTIFIERS, stored_identifiers
from .query import export_query
from .surveys import SURVEYS

bp = Blueprint("exports", __name__)

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Arguments of a download that are not list-page filters.
OWN_ARGUMENTS = ("with_pid",)
_MODALITIES = ",".join(EXPORTS)


@bp.get("/exports/")
@role_required("export")
def index():
    """The exports each modality offers, with links carrying no filters (everything)."""
    modalities = [(export, count_studies(key)) for key, export in EXPORTS.items()]
    surveys = {key: [survey for survey in SURVEYS.values() if survey.modality == key]
               for key in EXPORTS}
    return render_template("exports/index.html", modalities=modalities, surveys=surveys,
                           may_export_pid=current_user.has_role("pid"))


@bp.get(f"/exports/<any({_MODALITIES}):modality>.<any(csv,xlsx):fmt>", defaults={"survey": None})
@bp.get(f"/exports/<any({_MODALITIES}):modality>/<survey>.<any(csv,xlsx):fmt>")
@role_required("export")
def download(modality, fmt, survey):
    """A csv or xlsx export (or a survey) of the studies the list-page filters select."""
    with_pid = request.args.get("with_pid", "").lower() in ("1", "true", "yes", "on")
    if with_pid and not current_user.has_role("pid"):
        abort(403, description="Exporting patient identifiers needs the pid role.")
    filters = {key: value for key, value in request.args.items(multi=True)
               if key not in OWN_ARGUMENTS and value != ""}
    args = request.args.copy()
    for key in OWN_ARGUMENTS:
        args.pop(key, None)
    query = export_query(modality, args, pid=current_user.has_role("pid"))
    identifiers = stored_identifiers(db.session, query) if with_pid else NO_IDENTIFIERS
    description = "; ".join(f"{key}={value}" for key, value in filters.items())
    name = survey or "all"
    if survey is not None:
        found = SURVEYS.get((modality, survey))
        if found is None or found.fmt != fmt:
            abort(404)
        name = found.key
    record_audit("export", f"{modality} {name} {fmt}",
                 f"filters: {description or 'none'}; studies: {count_all(query)}; "
                 f"patient identifiers: {'yes' if identifiers else 'no'}")
    db.session.commit()
    filename = _filename(modality, survey, fmt)
    if survey is not None:
        return _survey_response(SURVEYS[(modality, survey)], query, fmt, filename)
    if fmt == "csv":
        return _csv_response(csv_chunks(EXPORTS[modality], query, identifiers), filename)
    return _xlsx_response(
        lambda path: write_xlsx(EXPORTS[modality], query, path, identifiers,
                                description=description), filename)


def _filename(modality, survey, fmt):
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    middle = f"-{survey}" if survey else ""
    return f"kerma-{modality}{middle}-{stamp}.{fmt}"


def _csv_response(chunks, filename):
    response = Response(stream_with_context(chunks), mimetype=MIMETYPES["csv"])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _xlsx_response(write, filename):
    fd, path = tempfile.mkstemp(prefix="kerma-export-", suffix=".xlsx")
    os.close(fd)
    try:
        write(path)
        file = _RemovedOnClose(path)
    except BaseException:
        _remove(path)
        raise
    try:
        response = send_file(file, mimetype=MIMETYPES["xlsx"], as_attachment=True,
                             download_name=filename, max_age=0)
        response.content_length = os.fstat(file.fileno()).st_size
        return response
    except BaseException:
        file.close()
        raise


class _RemovedOnClose(io.FileIO):
    """The written workbook, read for sending; closing it removes it.

    The server closes the response's file when the last byte is sent or when the client
    goes away. A file response is passed through to the server as it is, so callbacks
    registered with ``call_on_close`` never run for it: the removal has to be the file's.
    """

    def __init__(self, path):
        super().__init__(path, "rb")
        self.path = path

    def close(self):
        """Close the file and remove it."""
        try:
            super().close()
        finally:
            _remove(self.path)


def _survey_response(survey, query, fmt, filename):
    if fmt == "csv":
        return _csv_response(survey.csv(query), filename)
    return _xlsx_response(lambda path: survey.xlsx(query, path), filename)


def _remove(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
