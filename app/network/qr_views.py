"""Pages of query-retrieve: remote nodes (with echo), queries and their progress, schedules.

Managing nodes and schedules is for administrators; querying, and echoing a node to see that
it answers, for holders of the ``importqr`` role.
"""
from datetime import date, timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields import SelectChoice

from ..audit import record_audit
from ..auth.roles import role_required
from ..extensions import db
from ..htmx import is_htmx_request
from ..models.network import (QR_FAILED, QR_QUEUED, QR_RUNNING, QrObject, QrQuery, QrSchedule,
                              RemoteNode)
from ..tasks.worker import running_worker
from . import bp, nodes, queries
from .forms import QueryForm, RemoteNodeForm, ScheduleForm

QUERY_PAGE_SIZE = 25
OBJECT_PAGE_SIZE = 100


# Nodes -----------------------------------------------------------------------------------
@bp.get("/nodes")
@role_required("importqr")
def nodes_page():
    """The remote nodes, with an echo button each, and (for administrators) a form to add one."""
    return _nodes_page(RemoteNodeForm())


@bp.post("/nodes")
@role_required("admin")
def node_add():
    """Add a remote node."""
    form = RemoteNodeForm()
    if form.validate_on_submit():
        name = form.name.data.strip()
        if nodes.find_node(name) is not None:
            form.name.errors.append("A node of this name exists already.")
        else:
            node = RemoteNode(name=name, ae_title=form.ae_title.data.strip(),
                              host=form.host.data.strip(), port=form.port.data,
                              retrieve_method=form.retrieve_method.data)
            db.session.add(node)
            record_audit("qr node add", name, f"{node.ae_title} at {node.host}:{node.port}, "
                                              f"C-{node.retrieve_method.upper()}")
            db.session.commit()
            flash(f"Node {name} added. Send it an echo to check that it answers.", "success")
            return redirect(url_for(".nodes_page"))
    return _nodes_page(form), 400


@bp.post("/nodes/<int:node_id>/delete")
@role_required("admin")
def node_delete(node_id):
    """Remove a node with its queries and schedules (after a confirmation)."""
    node = db.get_or_404(RemoteNode, node_id)
    if request.form.get("confirm") != "yes":
        return render_template(
            "confirm.html", title=f"Remove {node.name}?",
            question=f"Remove node {node.name}, with its queries and schedules?",
            action=url_for(".node_delete", node_id=node.id), button="Remove", danger=True,
            back=url_for(".nodes_page"))
    record_audit("qr node remove", node.name)
    db.session.delete(node)
    db.session.commit()
    flash(f"Node {node.name} removed.", "success")
    return redirect(url_for(".nodes_page"))


@bp.post("/nodes/<int:node_id>/echo")
@role_required("importqr")
def node_echo(node_id):
    """Send a C-ECHO to a node; htmx swaps in the result."""
    node = db.get_or_404(RemoteNode, node_id)
    nodes.echo(node)
    db.session.commit()
    if is_htmx_request():
        return _vary(render_template("_partials/qr_echo.html", node=node))
    flash(node.echo_message, "success" if node.echo_ok else "danger")
    return redirect(url_for(".nodes_page"))


def _nodes_page(form):
    all_nodes = db.session.scalars(select(RemoteNode).order_by(RemoteNode.name)).all()
    return render_template("network/qr_nodes.html", nodes=all_nodes, form=form,
                           listener_ae=nodes.move_destination(),
                           calling_ae=nodes.calling_ae_title())


# Queries ---------------------------------------------------------------------------------
@bp.get("/queries")
@role_required("importqr")
def queries_page():
    """Recent queries with their counts, and a form to start one."""
    form = _query_form()
    if not form.date_from.data:
        form.date_from.data = form.date_to.data = date.today() - timedelta(days=1)
    return _queries_page(form)


@bp.post("/queries")
@role_required("importqr")
def query_start():
    """Create a query and queue it for the worker."""
    form = _query_form()
    if not form.validate_on_submit():
        return _queries_page(form), 400
    node = db.get_or_404(RemoteNode, form.node.data)
    query = queries.create_query(
        node, form.date_from.data, form.date_to.data, requested_by=current_user.username,
        modalities=",".join(form.modalities.data or ()),
        description_include=form.description_include.data or "",
        description_exclude=form.description_exclude.data or "",
        station_include=form.station_include.data or "",
        station_exclude=form.station_exclude.data or "")
    record_audit("qr query", f"query {query.id}",
                 f"{node.name}, {query.date_from} to {query.date_to}, "
                 f"modalities {query.modalities or 'all'}")
    queries.queue_query(query)
    if running_worker(current_app) is None:
        flash("The query is queued, but no worker is running: it starts when one does "
              "(flask worker).", "warning")
    return redirect(url_for(".query_detail", query_id=query.id))


@bp.get("/queries/<int:query_id>")
@role_required("importqr")
def query_detail(query_id):
    """A query's progress: studies found, series kept, objects retrieved, imported, failed."""
    query = db.get_or_404(QrQuery, query_id)
    context = _query_context(query)
    if is_htmx_request():
        return _vary(render_template("_partials/qr_progress.html", **context))
    return _vary(render_template("network/qr_query.html", **context))


@bp.post("/queries/<int:query_id>/retry")
@role_required("importqr")
def query_retry(query_id):
    """Queue a failed query again: it carries on from where it stopped."""
    query = db.get_or_404(QrQuery, query_id)
    if query.status != QR_FAILED:
        abort(409, description="Only a failed query can be retried.")
    record_audit("qr query retry", f"query {query.id}")
    queries.queue_query(query)
    flash(f"Query {query.id} is queued again.", "success")
    return redirect(url_for(".query_detail", query_id=query.id))


def _query_form():
    form = QueryForm()
    form.node.choices = [SelectChoice(n.id, n.name) for n in
                         db.session.scalars(select(RemoteNode).order_by(RemoteNode.name))]
    return form


def _queries_page(form):
    page = request.args.get("page", 1, type=int)
    pagination = db.paginate(select(QrQuery).order_by(QrQuery.id.desc()), page=page,
                             per_page=QUERY_PAGE_SIZE, error_out=False)
    rows = [(query, queries.progress(query)) for query in pagination.items]
    return render_template("network/qr_queries.html", form=form, rows=rows,
                           pagination=pagination, worker=running_worker(current_app))


def _query_context(query):
    page = request.args.get("page", 1, type=int)
    objects = db.paginate(select(QrObject).where(QrObject.query_id == query.id)
                          .order_by(QrObject.id), page=page, per_page=OBJECT_PAGE_SIZE,
                          error_out=False)
    counts = queries.progress(query)
    active = query.status in (QR_QUEUED, QR_RUNNING) or counts["retrieved"] > (
        counts["imported"] + counts["failed"])
    return {"query": query, "counts": counts, "objects": objects, "active": active}


# Schedules -------------------------------------------------------------------------------
@bp.get("/schedules")
@role_required("admin")
def schedules_page():
    """The daily queries, with the last day each completed."""
    return _schedules_page(_schedule_form())


@bp.post("/schedules")
@role_required("admin")
def schedule_add():
    """Add a daily query."""
    form = _schedule_form()
    if form.validate_on_submit():
        name = form.name.data.strip()
        exists = db.session.scalars(select(QrSchedule).where(QrSchedule.name == name)).first()
        if exists:
            form.name.errors.append("A schedule of this name exists already.")
        else:
            node = db.get_or_404(RemoteNode, form.node.data)
            db.session.add(QrSchedule(
                name=name, node=node, run_at=form.run_at.data, enabled=True,
                modalities=",".join(form.modalities.data or ()),
                description_include=form.description_include.data or "",
                description_exclude=form.description_exclude.data or "",
                station_include=form.station_include.data or "",
                station_exclude=form.station_exclude.data or ""))
            record_audit("qr schedule add", name, f"{node.name} at {form.run_at.data}")
            db.session.commit()
            flash(f"Schedule {name} added.", "success")
            return redirect(url_for(".schedules_page"))
    return _schedules_page(form), 400


@bp.post("/schedules/<int:schedule_id>/toggle")
@role_required("admin")
def schedule_toggle(schedule_id):
    """Pause a schedule, or let it run again (a paused one catches up when enabled)."""
    schedule = db.get_or_404(QrSchedule, schedule_id)
    schedule.enabled = not schedule.enabled
    record_audit("qr schedule " + ("enable" if schedule.enabled else "pause"), schedule.name)
    db.session.commit()
    return redirect(url_for(".schedules_page"))


@bp.post("/schedules/<int:schedule_id>/delete")
@role_required("admin")
def schedule_delete(schedule_id):
    """Remove a schedule; its queries stay."""
    schedule = db.get_or_404(QrSchedule, schedule_id)
    record_audit("qr schedule remove", schedule.name)
    db.session.delete(schedule)
    db.session.commit()
    flash(f"Schedule {schedule.name} removed.", "success")
    return redirect(url_for(".schedules_page"))


def _schedule_form():
    form = ScheduleForm()
    form.node.choices = [SelectChoice(n.id, n.name) for n in
                         db.session.scalars(select(RemoteNode).order_by(RemoteNode.name))]
    return form


def _schedules_page(form):
    rows = db.session.scalars(select(QrSchedule).order_by(QrSchedule.name)).all()
    last = {s.id: db.session.get(QrQuery, s.last_query_id) if s.last_query_id else None
            for s in rows}
    return render_template("network/qr_schedules.html", form=form, schedules=rows, last=last)


def _vary(body):
    return body, 200, {"Vary": "HX-Request"}

