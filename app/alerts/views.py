"""The alerts pages: open and acknowledged alerts (any user), the rules (administrators), and
each user's e-mail choices."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import delete, func, select

from ..audit import record_audit
from ..auth.roles import role_required
from ..extensions import db
from ..htmx import is_htmx_request
from ..models.alerts import Alert, AlertRule, AlertSubscription
from ..models.auth import utcnow
from ..models.study import GeneralStudyModuleAttr as Study, UniqueEquipmentNames
from ..patients.identity import SHORT, may_see_patient, shown_patient_id
from .background import queue_reevaluation
from .kinds import KINDS, MODALITY_LABELS
from .rules import RuleError, add_defaults, check_rule, forget, touch

bp = Blueprint("alerts", __name__, url_prefix="/alerts")

PER_PAGE = 50
STATES = ("open", "acknowledged", "all")
COMMENT_LENGTH = 2000


def open_count() -> int:
    """How many alerts wait for acknowledgement (the home page shows it)."""
    return db.session.scalar(select(func.count(Alert.id)).where(Alert.acknowledged.is_(False)))


def _alert_rows(state, modality, page):
    conditions = []
    if state == "open":
        conditions.append(Alert.acknowledged.is_(False))
    elif state == "acknowledged":
        conditions.append(Alert.acknowledged.is_(True))
    if modality in MODALITY_LABELS:
        conditions.append(Alert.modality == modality)
    # Counted on the alerts alone (every alert has its rule and study): the open ones from
    # the index on (acknowledged, created).
    total = db.session.scalar(select(func.count(Alert.id)).where(*conditions))
    last = max(1, -(-total // PER_PAGE))
    page = min(max(page, 1), last)
    rows = db.session.execute(
        select(Alert, AlertRule.name, AlertRule.kind, Study.study_date,
               Study.accession_number, Study.accession_hashed, Study.study_description)
        .join(AlertRule, AlertRule.id == Alert.alert_rule_id)
        .join(Study, Study.id == Alert.general_study_module_attr_id)
        .where(*conditions)
        .order_by(Alert.created.desc(), Alert.id.desc())
        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    pid = current_user.has_role("pid")
    shown = []
    for alert, rule_name, kind_key, date, accession, accession_hashed, description in rows:
        kind = KINDS[kind_key]
        patient = shown_patient_id(alert.patient_id, alert.patient_id_hashed, pid)
        as_sent = pid and not alert.patient_id_hashed
        shown.append({
            "alert": alert, "rule": rule_name, "kind": kind, "study_date": date,
            "accession": accession if not accession_hashed else None,
            "description": description,
            "patient": patient,
            "patient_short": patient if as_sent or patient is None else patient[:SHORT],
            "patient_page": alert.patient_id is not None
            and may_see_patient(alert.patient_id_hashed, pid),
            "value": kind.shown(alert.value), "threshold": kind.shown(alert.threshold),
        })
    return shown, total, page, last


@bp.get("/")
@role_required()
def index():
    """Alerts, open ones first by default, newest first."""
    state = request.args.get("state", "open")
    state = state if state in STATES else "open"
    modality = request.args.get("modality", "")
    rows, total, page, last = _alert_rows(state, modality, request.args.get("page", 1, type=int))
    template = "alerts/_table.html" if is_htmx_request() else "alerts/index.html"
    open_total = total if state == "open" and modality not in MODALITY_LABELS else open_count()
    body = render_template(template, rows=rows, total=total, page=page, last=last, state=state,
                           states=STATES, modality=modality, modalities=MODALITY_LABELS,
                           open_total=open_total)
    return body, 200, {"Vary": "HX-Request"}


@bp.post("/<int:alert_id>/acknowledge")
@role_required()
def acknowledge(alert_id):
    """Acknowledge an alert with a comment; who and when are kept, and audited."""
    alert = db.session.get(Alert, alert_id)
    if alert is None:
        abort(404, description="There is no such alert.")
    comment = request.form.get("comment", "").strip()[:COMMENT_LENGTH]
    if alert.acknowledged:
        flash("This alert was acknowledged already.", "info")
    elif not comment:
        flash("Say in a comment what was done or decided.", "danger")
    else:
        alert.acknowledged = True
        alert.acknowledged_by = current_user.username
        alert.acknowledged_at = utcnow()
        alert.comment = comment
        record_audit("acknowledge_alert", f"alert {alert.id} ({alert.rule.name})"[:255],
                     details=f"study {alert.general_study_module_attr_id}\ncomment: {comment}")
        db.session.commit()
        flash("Alert acknowledged.", "success")
    return redirect(request.form.get("back") or url_for(".index"))


def _systems():
    return db.session.execute(select(UniqueEquipmentNames.id, UniqueEquipmentNames.display_name)
                              .order_by(UniqueEquipmentNames.display_name,
                                        UniqueEquipmentNames.id)).all()


@bp.get("/rules")
@role_required("admin")
def rules():
    """The alert rules, a form per rule, and one to add a rule."""
    return _rules_page()


def _rules_page(error=None, status=200):
    rows = db.session.scalars(select(AlertRule).order_by(AlertRule.modality, AlertRule.id)).all()
    counts = dict(db.session.execute(
        select(Alert.alert_rule_id, func.count(Alert.id)).where(Alert.acknowledged.is_(False))
        .group_by(Alert.alert_rule_id)).all())
    return render_template("alerts/rules.html", rules=rows, kinds=KINDS,
                           modalities=MODALITY_LABELS, systems=_systems(), counts=counts,
                           error=error), status


def _number(name):
    text = request.form.get(name, "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise RuleError(f"{name} must be a number") from None


def _fill(rule: AlertRule):
    """Copy the form into a rule; raise RuleError for a value that does not fit."""
    rule.name = request.form.get("name", "").strip()[:256]
    if "kind" in request.form:
        rule.kind = request.form.get("kind", "")
        rule.modality = request.form.get("modality", "")
    kind = KINDS.get(rule.kind)
    if kind is None:
        raise RuleError(f"unknown kind {rule.kind!r}")
    rule.threshold = kind.stored(_number("threshold")) if kind.has_threshold else None
    weeks = _number("weeks")
    rule.weeks = int(weeks) if kind.cumulative and weeks is not None else None
    system = request.form.get("system", "").strip()
    rule.unique_equipment_name_id = int(system) if system.isdigit() else None
    rule.enabled = request.form.get("enabled") == "1"
    if "source" in request.form:
        rule.source = request.form.get("source", "").strip() or None
    check_rule(rule)


def _describe(rule):
    kind = KINDS[rule.kind]
    threshold = f"{kind.shown(rule.threshold):g} {kind.unit}" if rule.threshold else "recorded"
    weeks = f" over {rule.weeks} weeks" if rule.weeks else ""
    system = f"; system {rule.unique_equipment_name_id}" if rule.unique_equipment_name_id else ""
    return (f"{rule.modality}: {kind.label} {threshold}{weeks}{system}; "
            f"{'enabled' if rule.enabled else 'disabled'}")


@bp.post("/rules")
@role_required("admin")
def add_rule():
    """Add a rule, then apply it to the stored studies in the background."""
    rule = AlertRule()
    try:
        _fill(rule)
    except RuleError as exc:
        return _rules_page(error=f"The rule was not added: {exc}.", status=422)
    db.session.add(rule)
    db.session.flush()
    record_audit("add_alert_rule", f"alert rule {rule.id} {rule.name}"[:255], _describe(rule))
    db.session.commit()
    queue_reevaluation(rule)
    flash(f"Rule {rule.name!r} added; it is being applied to the stored studies "
          "(see Tasks).", "success")
    return redirect(url_for(".rules"))


@bp.post("/rules/<int:rule_id>")
@role_required("admin")
def edit_rule(rule_id):
    """Change a rule (threshold, window, system, name, on or off) and re-apply it."""
    rule = db.session.get(AlertRule, rule_id)
    if rule is None:
        abort(404, description="There is no such rule.")
    before = _describe(rule)
    try:
        with db.session.no_autoflush:
            _fill(rule)
    except RuleError as exc:
        db.session.rollback()
        return _rules_page(error=f"The rule was not changed: {exc}.", status=422)
    touch(rule)
    record_audit("change_alert_rule", f"alert rule {rule.id} {rule.name}"[:255],
                 f"before: {before}\nafter: {_describe(rule)}")
    db.session.commit()
    queue_reevaluation(rule)
    flash(f"Rule {rule.name!r} saved; it is being applied to the stored studies "
          "(see Tasks).", "success")
    return redirect(url_for(".rules"))


@bp.post("/rules/defaults")
@role_required("admin")
def add_default_rules():
    """Add the shipped default rules that are missing, and apply them."""
    added = add_defaults(db.session)
    db.session.flush()
    for rule in added:
        record_audit("add_alert_rule", f"alert rule {rule.id} {rule.name}"[:255], _describe(rule))
    db.session.commit()
    for rule in added:
        queue_reevaluation(rule)
    flash(f"{len(added)} default rules added." if added else "Every default rule is there.",
          "success")
    return redirect(url_for(".rules"))


@bp.get("/mail")
@role_required()
def mail_choices():
    """The modalities whose alerts the user gets by e-mail."""
    chosen = set(db.session.scalars(select(AlertSubscription.modality)
                                    .where(AlertSubscription.user_id == current_user.id)))
    return render_template("alerts/mail.html", chosen=chosen, modalities=MODALITY_LABELS)


@bp.post("/mail")
@role_required()
def save_mail_choices():
    """Save the user's e-mail choices."""
    wanted = [m for m in request.form.getlist("modality") if m in MODALITY_LABELS]
    current_user.email = request.form.get("email", "").strip()[:254] or None
    db.session.execute(delete(AlertSubscription)
                       .where(AlertSubscription.user_id == current_user.id))
    db.session.add_all(AlertSubscription(user_id=current_user.id, modality=m) for m in wanted)
    db.session.commit()
    forget(db.session)  # imports in this process see the choice at once
    flash("Saved.", "success")
    return redirect(url_for(".mail_choices"))
