"""The JSON API, version 1: studies with the list pages' filters, one study's dose tree and
its FHIR dose summary, and the DRL comparison. Every view is ``@token_required``."""
import datetime

from flask import abort, current_app, jsonify, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..drl.comparison import compare
from ..exports import views as export_views
from ..extensions import db
from ..modalities import MODALITIES, config_for_modality_type
from ..modalities.filtering import apply_filters
from ..modalities.loading import STUDY_HEADER
from ..modalities.paging import paginate
from ..modalities.views import query_string
from ..models.drl import DrlSet
from ..models.study import GeneralStudyModuleAttr as Study
from . import bp
from .auth import token_required
from .fhir import dose_summary_bundle
from .openapi import openapi_document
from .representation import comparison_entry, study_entry, study_tree

MODALITY_KEYS = ",".join(config.key for config in MODALITIES)
_CONFIGS = {config.key: config for config in MODALITIES}
#: Arguments of a study list that steer paging rather than select studies.
PAGING_ARGS = ("page", "per_page")


def _positive_int(name, default):
    text = request.args.get(name, "")
    if text == "":
        return default
    try:
        number = int(text)
    except ValueError:
        abort(400, description=f"{name} must be a whole number.")
    if number < 1:
        abort(400, description=f"{name} must be 1 or more.")
    return number


def _pid() -> bool:
    return current_user.has_role("pid")


@bp.get("/openapi.json")
@token_required()
def openapi():
    """The OpenAPI 3 description of this API."""
    return jsonify(openapi_document())


@bp.get(f"/modalities/<any({MODALITY_KEYS}):modality>/studies")
@token_required()
def studies(modality):
    """One page of the studies the list page's filters select, newest first by default."""
    config = _CONFIGS[modality]
    result = apply_filters(config, request.args, pid=_pid())
    if result.errors:
        return jsonify({"status": 400, "error": "Some filters could not be read.",
                        "filters": result.errors}), 400
    size = min(_positive_int("per_page", current_app.config["API_PAGE_SIZE"]),
               current_app.config["API_MAX_PAGE_SIZE"])
    page = paginate(result.query, _positive_int("page", 1), size,
                    options=(*STUDY_HEADER, *config.list_options),
                    count_query=result.unordered)
    base = url_for("api.studies", modality=modality)

    def page_url(number):
        return f"{base}?{query_string(request.args, page=number, per_page=size)}"

    return jsonify({
        "modality": modality,
        "filters": {name: _plain_filter(value) for name, value in result.values.items()},
        "ordering": ("-" if result.ordering[1] else "") + result.ordering[0],
        "page": page.number,
        "per_page": page.size,
        "total": page.total,
        "total_is_lower_bound": page.capped,
        "pages": page.pages,
        "next": page_url(page.number + 1) if page.has_next else None,
        "previous": page_url(page.number - 1) if page.number > 1 else None,
        "items": [study_entry(study, modality, _pid()) for study in page.items],
    })


def _plain_filter(value):
    if isinstance(value, tuple):
        return [_plain_filter(part) for part in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _load_study(study_id):
    """The study with what its detail page loads, and its modality's configuration."""
    row = db.session.execute(
        select(Study.id, Study.modality_type).where(Study.id == study_id)).first()
    if row is None:
        abort(404, description="There is no such study.")
    config = config_for_modality_type(row.modality_type)
    options = config.detail_options if config is not None else STUDY_HEADER
    study = db.session.scalars(select(Study).where(Study.id == study_id).options(*options)).one()
    return study, config


@bp.get("/studies/<int:study_id>")
@token_required()
def study(study_id):
    """Everything stored about one study: its whole dose tree."""
    found, config = _load_study(study_id)
    tree = study_tree(found, _pid())
    tree["links"] = {
        "self": url_for("api.study", study_id=study_id),
        "fhir": url_for("api.study_fhir", study_id=study_id),
        "page": url_for(f"{config.key}.study", study_id=study_id) if config else None,
    }
    return jsonify(tree)


@bp.get("/studies/<int:study_id>/fhir")
@token_required()
def study_fhir(study_id):
    """The study's dose summary as a FHIR R4 Bundle (Radiation Dose Summary IG)."""
    found, _ = _load_study(study_id)
    bundle = dose_summary_bundle(found, pid=_pid(), base_url=request.url_root.rstrip("/"))
    response = jsonify(bundle)
    response.mimetype = "application/fhir+json"
    return response


@bp.get(f"/modalities/<any({MODALITY_KEYS}):modality>/export.<any(csv,xlsx):fmt>")
@token_required("export")
def export(modality, fmt):
    """The csv or xlsx export of the filtered studies, as the Exports page gives it."""
    return export_views.download.__wrapped__(modality, fmt, None)


@bp.get("/drl/sets")
@token_required()
def drl_sets():
    """The DRL sets stored, with their values."""
    sets = db.session.scalars(select(DrlSet).order_by(DrlSet.name)).all()
    return jsonify({"items": [{
        "id": drl_set.id,
        "name": drl_set.name,
        "source": drl_set.source,
        "values": [{"modality": value.modality, "examination": value.examination,
                    "quantity": value.quantity, "patient_group": value.patient_group,
                    "value": value.value, "unit": value.unit, "year": value.year}
                   for value in drl_set.values],
        "links": {"comparison": url_for("api.drl_comparison", set_id=drl_set.id)},
    } for drl_set in sets]})


def _date(name):
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        abort(400, description=f"{name} must be a date (YYYY-MM-DD).")


@bp.get("/drl/sets/<int:set_id>/comparison")
@token_required()
def drl_comparison(set_id):
    """Per system and DRL entry of a set: the median of the matched studies in the period."""
    drl_set = db.session.get(DrlSet, set_id)
    if drl_set is None:
        abort(404, description="There is no such DRL set.")
    date_from, date_to = _date("date_from"), _date("date_to")
    rows = compare(drl_set, date_from, date_to)
    return jsonify({
        "set": {"id": drl_set.id, "name": drl_set.name, "source": drl_set.source},
        "date_from": date_from.isoformat() if date_from else None,
        "date_to": date_to.isoformat() if date_to else None,
        "items": [comparison_entry(row) for row in rows],
    })
