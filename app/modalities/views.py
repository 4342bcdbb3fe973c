"""The views behind every modality blueprint; each takes the modality's configuration.

Lists follow the htmx pattern of the whole site: one URL answers with the whole page, or
with the results fragment when htmx asks (``HX-Request``), and says so with
``Vary: HX-Request``. A history restore (``HX-History-Restore-Request``) gets the whole page.
"""
from urllib.parse import urlencode

from flask import (abort, current_app, flash, make_response, redirect, render_template,
                   request, url_for)
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from ..audit import VIEW_STUDY, record_access
from ..extensions import db
from ..htmx import is_htmx_request
from ..models.study import GeneralStudyModuleAttr as Study
from . import deletion
from .filtering import ORDERINGS, apply_filters, modality_condition, visible_filters
from .loading import EQUIPMENT
from .paging import count_all, paginate

#: Arguments that steer the page rather than select studies.
PAGE_ARGS = ("page", "per_page")


def wants_fragment() -> bool:
    """True for htmx requests that swap part of the page (not history restores)."""
    return is_htmx_request() and request.headers.get("HX-History-Restore-Request") != "true"


def query_string(args, **overrides) -> str:
    """The query string of ``args`` with ``overrides`` applied; empty values left out."""
    items = args.items(multi=True) if isinstance(args, MultiDict) else args.items()
    pairs = [(key, value) for key, value in items if key not in overrides and value != ""]
    for key, value in overrides.items():
        if value is not None and value != "":
            pairs.append((key, value))
    return urlencode(pairs)


def page_size(args) -> int:
    """Rows per page: the ``per_page`` argument when valid (and then remembered), else the
    user's saved choice."""
    sizes = tuple(current_app.config["PAGE_SIZES"])
    default = current_app.config["DEFAULT_PAGE_SIZE"]
    try:
        asked = int(args.get("per_page", ""))
    except ValueError:
        asked = None
    if asked in sizes:
        if current_user.page_size != asked:
            current_user.page_size = asked
            db.session.commit()
        return asked
    return current_user.page_size if current_user.page_size in sizes else default


def _positive_int(text, default=1) -> int:
    try:
        return max(1, int(text))
    except (TypeError, ValueError):
        return default


def _ordering_choices(config):
    choices = []
    for key in config.orderings:
        ordering = ORDERINGS[key]
        ascending, descending = ordering.directions
        choices.append((f"-{key}", f"{ordering.label}, {descending}"))
        choices.append((key, f"{ordering.label}, {ascending}"))
    return choices


def _list_context(config, args):
    pid = current_user.has_role("pid")
    result = apply_filters(config, args, pid=pid)
    size = page_size(args)
    page = paginate(result.query, _positive_int(args.get("page")), size,
                    options=(EQUIPMENT, *config.list_options), count_query=result.unordered)
    base = url_for(f"{config.key}.studies")

    def list_url(**overrides):
        query = query_string(args, **overrides)
        return f"{base}?{query}" if query else base

    highlight = config.highlight
    return {
        "config": config,
        "page": page,
        "result": result,
        "filters": visible_filters(config, pid),
        "args": args,
        "page_sizes": current_app.config["PAGE_SIZES"],
        "page_size": size,
        "ordering_choices": _ordering_choices(config),
        "ordering": ("-" if result.ordering[1] else "") + result.ordering[0],
        "list_url": list_url,
        "filter_query": query_string(args, page=None),
        "is_highlighted": (lambda study: highlight(study, current_app.config))
        if highlight else (lambda study: False),
        "is_admin": current_user.has_role("admin"),
        "highlight_note": config.highlight_note(current_app.config)
        if config.highlight_note else None,
    }


def study_list(config):
    """The list page of a modality, or its results fragment for htmx."""
    context = _list_context(config, request.args)
    if wants_fragment():
        body = render_template("modality/_results.html", oob=True, **context)
    else:
        body = render_template("modality/studies.html", **context)
    response = make_response(body)
    response.vary.add("HX-Request")
    return response


def _study_or_404(config, study_id, options=()):
    study = db.session.scalars(
        select(Study).where(Study.id == study_id, modality_condition(config)).options(*options)
    ).first()
    if study is None:
        abort(404, description="There is no such study on this page.")
    return study


def study_detail(config, study_id):
    """The detail page of one study; a study of another modality is sent to its own page."""
    from . import config_for_modality_type  # the registry imports this module

    study = db.session.scalars(
        select(Study).where(Study.id == study_id, modality_condition(config))
        .options(*config.detail_options)
    ).first()
    if study is None:
        modality_type = db.session.scalar(select(Study.modality_type).where(Study.id == study_id))
        other = config_for_modality_type(modality_type)
        if other is None or other is config:
            abort(404, description="There is no such study.")
        return redirect(url_for(f"{other.key}.study", study_id=study_id))
    same_uid = [(row, config_for_modality_type(row.modality_type)) for row in db.session.execute(
        select(Study.id, Study.modality_type)
        .where(Study.study_instance_uid == study.study_instance_uid, Study.id != study.id)
        .order_by(Study.id)
    )] if study.study_instance_uid else []
    extra = config.detail_context(study, current_app.config) if config.detail_context else {}
    body = render_template(config.detail_template, config=config, study=study,
                           same_uid=same_uid, show_pid=current_user.has_role("pid"), **extra)
    # After rendering: the commit expires the study's loaded rows.
    record_access(VIEW_STUDY, f"{config.key} study {study.id}",
                  f"Study Instance UID {study.study_instance_uid or '(none)'}")
    return body


def delete_study(config, study_id):
    """GET: the confirmation page. POST: delete, audit, and answer the row or the list."""
    study = _study_or_404(config, study_id, options=(EQUIPMENT,))
    if request.method == "GET":
        return render_template("modality/delete_study.html", config=config, study=study,
                               back=request.args.get("back"))
    deletion.delete_study(study)
    db.session.commit()
    message = f"Study {study.study_instance_uid or study_id} deleted."
    if wants_fragment():
        # The row is replaced by nothing; the message goes to the page's message area.
        response = make_response(render_template("modality/_deleted.html", message=message))
        response.vary.add("HX-Request")
        return response
    flash(message, "success")
    return redirect(url_for(f"{config.key}.studies"))


def describe_filters(config, result, args) -> str:
    """The filters in use as people read them: ``Study date: 2024-01-01 – ; Make: GE``."""
    parts = []
    for spec in visible_filters(config, current_user.has_role("pid")):
        if spec.name not in result.values:
            continue
        raw = [args.get(name, "").strip() for name in spec.arg_names]
        if spec.kind == "select":  # the choice as the form shows it (test data: "No")
            raw = [dict(spec.choices).get(raw[0], raw[0])]
        parts.append(f"{spec.label}: {' – '.join(raw) if len(raw) > 1 else raw[0]}")
    return "; ".join(parts)


def bulk_delete(config):
    """GET: how many studies the current filter selects, and a confirmation form.
    POST: delete them all, if the count is still the one confirmed."""
    args = request.args
    result = apply_filters(config, args, pid=current_user.has_role("pid"))
    count = count_all(result.unordered)
    description = describe_filters(config, result, args)
    filter_query = query_string(args, page=None, per_page=None)
    warning = None
    if request.method == "POST":
        if str(count) != request.form.get("confirm_count"):
            warning = ("The number of matching studies changed since you looked. "
                       "Check the new number and confirm again.")
        else:
            deleted = deletion.delete_matching(result.unordered, config.title, description)
            db.session.commit()
            flash(f"{deleted} {config.title} {'study' if deleted == 1 else 'studies'} deleted.",
                  "success")
            target = url_for(f"{config.key}.studies")
            return redirect(f"{target}?{filter_query}" if filter_query else target)
    preview = db.session.scalars(result.query.options(EQUIPMENT).limit(10)).all()
    return render_template("modality/bulk_delete.html", config=config, count=count,
                           description=description, filter_query=filter_query,
                           preview=preview, warning=warning)
