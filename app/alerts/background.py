"""Background work of the alerts: applying a changed rule to every stored study.

A rule saved on the admin page (or with ``flask alerts``) is applied to the stored studies
of its modality in batches, each batch its own transaction, so imports running meanwhile
wait for one batch at most. The Tasks page shows how far it has got.
"""
from ..extensions import db
from ..models.alerts import AlertRule
from ..models.tasks import DONE, FAILED
from ..tasks import background_task
from ..tasks.queue import get_queue
from ..tasks.records import progress
from .evaluation import evaluate, remove_open_alerts, studies_of

TASK = "alert_reevaluation"
BATCH = 500


def reevaluate_rule(rule_id: int, report=progress, batch: int = BATCH) -> tuple[int, int]:
    """Apply one rule to every stored study it watches; (studies looked at, open alerts)."""
    rule = db.session.get(AlertRule, rule_id)
    if rule is None:
        return 0, 0
    if not rule.enabled:
        remove_open_alerts(db.session, rule.id)
        db.session.commit()
        return 0, 0
    modality, system_id = rule.modality, rule.unique_equipment_name_id
    seen = alerts = last = 0
    while True:
        ids = studies_of(db.session, modality, system_id, after_id=last, limit=batch)
        if not ids:
            break
        rule = db.session.get(AlertRule, rule_id)
        alerts += evaluate(db.session, ids, [rule])
        db.session.commit()
        seen += len(ids)
        last = ids[-1]
        report(f"{seen} studies looked at, {alerts} open alerts")
    return seen, alerts


@background_task(TASK, "Alert rule re-evaluation")
def run_reevaluation(rule_id: int, name: str | None = None):
    """Apply a changed rule to the stored studies."""
    if db.session.get(AlertRule, rule_id) is None:
        return FAILED, f"rule {name or rule_id} no longer exists"
    seen, alerts = reevaluate_rule(rule_id)
    return DONE, f"{name or rule_id}: {seen} studies looked at, {alerts} open alerts"


def queue_reevaluation(rule: AlertRule) -> str:
    """Queue the re-evaluation of a rule (commits the current session); the task id."""
    return get_queue().enqueue(TASK, rule.id, rule.name, source="alert rules",
                               subject=rule.name[:256])
