"""Admin pages of the DICOM receiver: its settings and status, and the quarantine."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import heartbeat
from ..audit import record_audit
from ..auth.roles import role_required
from ..extensions import db
from ..htmx import is_htmx_request
from ..models.network import DicomKeepSettings
from ..spool import Spool, SpoolError
from ..tasks.imports import import_spooled
from . import bp
from .forms import DicomSettingsForm
from .settings import keep_settings, listener_settings, split_lines, stored_settings

QUARANTINE_PAGE_SIZE = 50


@bp.route("/", methods=["GET", "POST"])
@role_required("admin")
def settings():
    """The listener's AE title, address and allowed peers, which files to keep, and status."""
    stored = stored_settings()
    keep = keep_settings()
    form = DicomSettingsForm()
    if request.method == "GET":
        _fill(form, listener_settings(), keep)
    if form.validate_on_submit():
        changes = _save(form, stored, keep)
        if changes:
            record_audit("dicom settings", "DICOM listener", "; ".join(changes))
            db.session.commit()
            flash("DICOM settings saved. A running listener applies them within seconds.",
                  "success")
        else:
            flash("Nothing changed.", "info")
        return redirect(url_for(".settings"))
    return render_template("network/settings.html", form=form, status=_status(),
                           config=current_app.config, stored=stored)


@bp.get("/status")
@role_required("admin")
def status():
    """The listener's and worker's status and the spool counts (refreshed by htmx)."""
    return _vary(render_template("_partials/dicom_status.html", status=_status()))


@bp.get("/quarantine")
@role_required("admin")
def quarantine():
    """Files that could not be imported, with their reasons; retry or delete each."""
    context = _quarantine_page(request.args.get("page", 1, type=int))
    if is_htmx_request():
        return _vary(render_template("_partials/quarantine_table.html", **context))
    return _vary(render_template("network/quarantine.html", **context))


@bp.post("/quarantine/<name>/retry")
@role_required("admin")
def retry(name):
    """Queue a quarantined file for import again (after a confirmation)."""
    return _quarantine_action(name, "retry")


@bp.post("/quarantine/<name>/delete")
@role_required("admin")
def delete(name):
    """Delete a quarantined file for good (after a confirmation)."""
    return _quarantine_action(name, "delete")


def _quarantine_action(name, action):
    spool = Spool.for_app(current_app)
    if not any(entry.name == name for entry in spool.quarantined()):
        abort(404, description="There is no such file in quarantine.")
    if request.form.get("confirm") != "yes":
        verb = "Import again" if action == "retry" else "Delete"
        return render_template(
            "confirm.html", title=f"{verb} {name}?",
            question=(f"Queue {name} for import again?" if action == "retry" else
                      f"Delete {name} and its reason for good? This cannot be undone."),
            action=url_for(f".{action}", name=name), button=verb,
            danger=action == "delete", back=url_for(".quarantine"))
    try:
        if action == "retry":
            path = spool.requeue(name)
            import_spooled(path, source=f"quarantine (retried by {current_user.username})")
            message = f"{name} is queued for import again."
        else:
            spool.delete_quarantined(name)
            message = f"{name} is deleted."
    except (SpoolError, FileNotFoundError):
        abort(404, description="There is no such file in quarantine.")
    record_audit(f"quarantine {action}", name)
    db.session.commit()
    if is_htmx_request():
        context = _quarantine_page(request.args.get("page", 1, type=int), message=message)
        return _vary(render_template("_partials/quarantine_table.html", **context))
    flash(message, "success")
    return redirect(url_for(".quarantine"))


def _quarantine_page(page, message=None):
    entries = Spool.for_app(current_app).quarantined()
    pages = max(1, -(-len(entries) // QUARANTINE_PAGE_SIZE))
    page = min(max(page, 1), pages)
    start = (page - 1) * QUARANTINE_PAGE_SIZE
    return {"entries": entries[start:start + QUARANTINE_PAGE_SIZE], "total": len(entries),
            "page": page, "pages": pages, "message": message}


def _status():
    spool = Spool.for_app(current_app)
    return {"listener": heartbeat.read(spool.root / heartbeat.LISTENER),
            "worker": heartbeat.read(spool.root / heartbeat.WORKER),
            "spool": spool.counts(), "settings": listener_settings()}


def _fill(form, effective, keep):
    form.ae_title.data = effective.ae_title
    form.port.data = effective.port
    form.bind_address.data = effective.bind
    form.allowed_ae_titles.data = "\n".join(effective.allowed_ae_titles)
    form.allowed_hosts.data = "\n".join(effective.allowed_hosts)
    for column in DicomKeepSettings.KINDS.values():
        getattr(form, column).data = bool(getattr(keep, column))


def _save(form, stored, keep) -> list[str]:
    """Store what differs from the configuration (NULL follows the configuration); list changes."""
    config = current_app.config
    before = listener_settings()
    wanted = {
        "ae_title": form.ae_title.data.strip(),
        "port": form.port.data,
        "bind_address": form.bind_address.data.strip(),
        "allowed_ae_titles": "\n".join(split_lines(form.allowed_ae_titles.data)),
        "allowed_hosts": "\n".join(split_lines(form.allowed_hosts.data)),
    }
    configured = {
        "ae_title": config["DICOM_AE_TITLE"], "port": config["DICOM_PORT"],
        "bind_address": config["DICOM_BIND"],
        "allowed_ae_titles": "\n".join(config["DICOM_ALLOWED_AE_TITLES"] or ()),
        "allowed_hosts": "\n".join(config["DICOM_ALLOWED_HOSTS"] or ()),
    }
    for column, value in wanted.items():
        setattr(stored, column, None if value == configured[column] else value)
    stored.updated_by = current_user.username
    db.session.add(stored)
    changes = []
    for column in DicomKeepSettings.KINDS.values():
        value = bool(getattr(form, column).data)
        if bool(getattr(keep, column)) != value:
            changes.append(f"{column} {'on' if value else 'off'}")
        setattr(keep, column, value)
    db.session.add(keep)
    db.session.flush()
    after = listener_settings()
    for label, old, new in (("AE title", before.ae_title, after.ae_title),
                            ("port", before.port, after.port),
                            ("bind address", before.bind, after.bind),
                            ("allowed AE titles", before.allowed_ae_titles, after.allowed_ae_titles),
                            ("allowed hosts", before.allowed_hosts, after.allowed_hosts)):
        if old != new:
            changes.append(f"{label}: {_show(old)} -> {_show(new)}")
    if not changes:
        db.session.rollback()
    return changes


def _show(value):
    if isinstance(value, tuple):
        return ", ".join(value) or "any"
    return str(value)


def _vary(body):
    return body, 200, {"Vary": "HX-Request"}
