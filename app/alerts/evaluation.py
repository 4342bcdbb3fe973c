"""Applying rules to stored studies: at import, inside the import's transaction, and again
over every stored study when a rule changes.

``evaluate(session, study_ids, rules)`` raises the alerts the studies deserve, updates the
value of open ones, and removes open alerts that no longer fire (a rule made stricter).
Acknowledged alerts stay as they were: they are a record of what someone saw and decided.
"""
import logging

from flask import current_app, has_app_context
from sqlalchemy import delete, insert, select

from .. import pipeline
from ..models.alerts import MAIL_NONE, MAIL_PENDING, Alert
from ..models.auth import utcnow
from ..models.study import GeneralStudyModuleAttr as Study
from .kinds import (FACTS_STATEMENT, KINDS, MODALITY_TYPES, StudyFacts, measure, modality_of,
                    reaches, single_study_sql, study_facts)
from .mail import mail_configured
from .rules import active_rules, subscribed_modalities

log = logging.getLogger(__name__)


def rules_for(rules, modality: str, system_id: int | None):
    """The rules of a study's modality and system."""
    return [rule for rule in rules if rule.modality == modality
            and (rule.system_id is None or rule.system_id == system_id)]


#: Kerma's own savepoint around the rules of one import on PostgreSQL (see ``_pipelined``).
SAVEPOINT = "kerma_alerts"


def _possible(modality_type) -> set:
    """The modalities a study of this type can be once stored: a projection device's
    per-device override may turn DX into RF and back."""
    modality = modality_of(modality_type)
    return {"rf", "dx"} if modality in ("rf", "dx") else {modality}


def evaluate_import(session, study_id: int, new_study: bool = False,
                    modality_type: str | None = None) -> int:
    """Apply the enabled rules to a study just stored; how many alerts it now has open.

    ``new_study``: the study was just created, so it has no alerts yet; ``modality_type``:
    the type its record gave (a study no rule can concern costs no statement at all). Runs in
    a savepoint of the import's transaction: whatever goes wrong here is logged as a warning
    and undone, and the import goes on as if no rule existed.
    """
    rules = active_rules(session)
    if modality_type is not None:
        possible = _possible(modality_type)
        rules = [rule for rule in rules if rule.modality in possible]
    if not rules:
        return 0
    connection = session.connection()
    if new_study and connection.dialect.name == "postgresql":
        return _pipelined(session, connection, study_id, rules)
    try:
        with session.begin_nested():
            return _evaluate_study(session, study_id, rules, new_study=new_study)
    except Exception as exc:
        log.warning("alert rules were not applied to study %s: %r", study_id, exc)
        return 0


def _pipelined(session, connection, study_id, rules) -> int:
    """``evaluate_import`` for a new study on PostgreSQL in one round trip for most objects.

    The savepoint, the study's facts and every measurement its possible rules need go to the
    server together (``app.pipeline``); cumulative rules and the insert of alerts
    follow only when there are any. The savepoint is Kerma's own: it is released by the
    import's commit, or rolled back to here when anything fails.
    """
    dialect = connection.dialect
    kinds = list(dict.fromkeys(KINDS[rule.kind] for rule in rules))
    piped = [kind for kind in kinds if kind.statement is not None and not kind.summary]
    statements = [pipeline.Statement(f"SAVEPOINT {SAVEPOINT}", {})]
    for statement in (FACTS_STATEMENT, *(kind.statement for kind in piped)):
        sql, params = single_study_sql(dialect, statement)
        statements.append(pipeline.Statement(sql, {**params, "ids_1": study_id}))
    try:
        results = pipeline.send(connection, statements)
        facts = {row[0]: StudyFacts(*row[1:]) for row in results[1]}
        found = facts.get(study_id)
        modality = modality_of(found.modality_type) if found else None
        matching = rules_for(rules, modality, found.system_id) if modality else []
        if not matching:
            return 0
        measured = {kind.key: kind.reduce(rows) for kind, rows in zip(piped, results[2:])}
        return evaluate(session, [study_id], matching, mail_state=_mail_state(session, modality),
                        facts=facts, new_studies=True, measured=measured)
    except Exception as exc:
        log.warning("alert rules were not applied to study %s: %r", study_id, exc)
        try:
            connection.exec_driver_sql(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}")
        except Exception:  # the savepoint was never taken: nothing of ours to undo
            log.warning("could not roll back the alert rules of study %s", study_id)
        return 0


def _mail_state(session, modality) -> str:
    if not has_app_context() or not mail_configured(current_app.config):
        return MAIL_NONE
    return MAIL_PENDING if modality in subscribed_modalities(session) else MAIL_NONE


def evaluate_kind(session, study_id: int, kind: str) -> int:
    """Apply the enabled rules of one kind to a stored study (for values computed after its
    import, such as the peak skin dose); how many alerts it now has open."""
    rules = [rule for rule in active_rules(session) if rule.kind == kind]
    if not rules:
        return 0
    return _evaluate_study(session, study_id, rules)


def _evaluate_study(session, study_id: int, rules, new_study: bool = False) -> int:
    """Apply those of ``rules`` that concern the study's modality and system."""
    facts = study_facts(session, [study_id])
    found = facts.get(study_id)
    modality = modality_of(found.modality_type) if found else None
    matching = rules_for(rules, modality, found.system_id) if modality else []
    if not matching:
        return 0
    return evaluate(session, [study_id], matching, mail_state=_mail_state(session, modality),
                    facts=facts, new_studies=new_study)


def evaluate(session, study_ids, rules, mail_state=MAIL_NONE, facts=None,
             new_studies=False, measured=None) -> int:
    """Apply ``rules`` (ActiveRule or AlertRule) to the studies; open alerts left among them.

    ``facts`` (``kinds.study_facts`` of the studies) and ``measured`` (measurements by kind
    key) save asking again; ``new_studies`` says none of them can have alerts yet.
    """
    study_ids = list(study_ids)
    if not study_ids:
        return 0
    if facts is None:
        facts = study_facts(session, study_ids)
    existing = {} if new_studies else {
        (alert.alert_rule_id, alert.general_study_module_attr_id): alert
        for alert in session.scalars(select(Alert).where(
            Alert.general_study_module_attr_id.in_(study_ids),
            Alert.alert_rule_id.in_([rule.id for rule in rules])))}
    open_count = 0
    added = []
    for rule in rules:
        kind = KINDS[rule.kind]
        system_id = getattr(rule, "system_id", getattr(rule, "unique_equipment_name_id", None))
        watched = [study_id for study_id in study_ids if study_id in facts
                   and (system_id is None or facts[study_id].system_id == system_id)]
        if measured is not None and kind.key in measured:
            values = measured[kind.key]
        else:
            values = measure(session, kind, watched, rule.weeks, facts)
        for study_id in watched:
            value, detail = values.get(study_id, (None, None))
            alert = existing.get((rule.id, study_id))
            if reaches(kind, value, rule.threshold):
                if alert is None:
                    study = facts[study_id]
                    added.append({
                        "alert_rule_id": rule.id, "general_study_module_attr_id": study_id,
                        "modality": rule.modality, "patient_id": study.patient_id,
                        "patient_id_hashed": bool(study.patient_id_hashed), "value": value,
                        "threshold": rule.threshold, "detail": detail, "created": utcnow(),
                        "acknowledged": False, "mail_state": mail_state})
                    open_count += 1
                elif not alert.acknowledged:
                    alert.value, alert.threshold, alert.detail = value, rule.threshold, detail
                    open_count += 1
            elif alert is not None and not alert.acknowledged:
                session.delete(alert)
    if added:
        session.execute(insert(Alert), added)
    if existing:
        session.flush()
    return open_count


def studies_of(session, modality: str, system_id=None, after_id=0, limit=500) -> list[int]:
    """A batch of ids of the stored studies a rule of ``modality`` (and system) watches."""
    query = (select(Study.id).where(Study.modality_type.in_(MODALITY_TYPES[modality]),
                                    Study.id > after_id)
             .order_by(Study.id).limit(limit))
    if system_id is not None:
        query = query.where(Study.unique_equipment_name_id == system_id)
    return list(session.scalars(query))


def remove_open_alerts(session, rule_id: int) -> None:
    """Remove a rule's open alerts (the rule was disabled); acknowledged ones stay."""
    session.execute(delete(Alert).where(Alert.alert_rule_id == rule_id,
                                        Alert.acknowledged.is_(False)))
