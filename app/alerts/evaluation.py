"""Applying rules to stored studies: at import, inside the import's transaction, and again
over every stored study when a rule changes.

``evaluate(session, study_ids, rules)`` raises the alerts the studies deserve, updates the
value of open ones, and removes open alerts that no longer fire (a rule made stricter).
Acknowledged alerts stay as they were: they are a record of what someone saw and decided.
"""
import logging

from flask import current_app, has_app_context
from sqlalchemy import delete, select

from ..models.alerts import MAIL_NONE, MAIL_PENDING, Alert, AlertSubscription
from ..models.study import GeneralStudyModuleAttr as Study, PatientModuleAttr
from .mail import mail_configured
from .kinds import KINDS, MODALITY_TYPES, measure, modality_of, reaches
from .rules import active_rules

log = logging.getLogger(__name__)


def rules_for(rules, modality: str, system_id: int | None):
    """The rules of a study's modality and system."""
    return [rule for rule in rules if rule.modality == modality
            and (rule.system_id is None or rule.system_id == system_id)]


def evaluate_import(session, study_id: int) -> int:
    """Apply the enabled rules to a study just stored; how many alerts it now has open.

    Runs in a savepoint of the import's transaction: whatever goes wrong here is logged as
    a warning and undone, and the import goes on as if no rule existed.
    """
    rules = active_rules(session)
    if not rules:
        return 0
    try:
        with session.begin_nested():
            row = session.execute(select(Study.modality_type, Study.unique_equipment_name_id)
                                  .where(Study.id == study_id)).first()
            modality = modality_of(row.modality_type) if row else None
            matching = rules_for(rules, modality, row.unique_equipment_name_id) if modality else []
            if not matching:
                return 0
            mail = _mail_wanted(session, modality)
            return evaluate(session, [study_id], matching, mail_state=mail)
    except Exception as exc:
        log.warning("alert rules were not applied to study %s: %r", study_id, exc)
        return 0


def _mail_wanted(session, modality) -> str:
    if not has_app_context() or not mail_configured(current_app.config):
        return MAIL_NONE
    wanted = session.scalar(select(AlertSubscription.user_id)
                            .where(AlertSubscription.modality == modality).limit(1))
    return MAIL_PENDING if wanted is not None else MAIL_NONE


def evaluate(session, study_ids, rules, mail_state=MAIL_NONE) -> int:
    """Apply ``rules`` (ActiveRule or AlertRule) to the studies; open alerts left among them."""
    study_ids = list(study_ids)
    if not study_ids:
        return 0
    systems = dict(session.execute(select(Study.id, Study.unique_equipment_name_id)
                                   .where(Study.id.in_(study_ids))).all())
    patients = {study_id: (patient_id, hashed) for study_id, patient_id, hashed in
                session.execute(select(PatientModuleAttr.general_study_module_attr_id,
                                       PatientModuleAttr.patient_id, PatientModuleAttr.id_hashed)
                                .where(PatientModuleAttr.general_study_module_attr_id
                                       .in_(study_ids)))}
    existing = {(alert.alert_rule_id, alert.general_study_module_attr_id): alert
                for alert in session.scalars(select(Alert).where(
                    Alert.general_study_module_attr_id.in_(study_ids),
                    Alert.alert_rule_id.in_([rule.id for rule in rules])))}
    open_count = 0
    for rule in rules:
        kind = KINDS[rule.kind]
        system_id = getattr(rule, "system_id", getattr(rule, "unique_equipment_name_id", None))
        watched = [study_id for study_id in study_ids
                   if system_id is None or systems.get(study_id) == system_id]
        values = measure(session, kind, watched, rule.weeks)
        for study_id in watched:
            value, detail = values.get(study_id, (None, None))
            alert = existing.get((rule.id, study_id))
            if reaches(kind, value, rule.threshold):
                if alert is None:
                    patient_id, hashed = patients.get(study_id, (None, False))
                    session.add(Alert(alert_rule_id=rule.id, general_study_module_attr_id=study_id,
                                      modality=rule.modality, patient_id=patient_id,
                                      patient_id_hashed=bool(hashed), value=value,
                                      threshold=rule.threshold, detail=detail,
                                      mail_state=mail_state))
                    open_count += 1
                elif not alert.acknowledged:
                    alert.value, alert.threshold, alert.detail = value, rule.threshold, detail
                    open_count += 1
            elif alert is not None and not alert.acknowledged:
                session.delete(alert)
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
