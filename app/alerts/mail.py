"""E-mail about new alerts to the users who opted in for their modality.

Imports never talk to the mail server: an alert raised at import is marked ``pending`` when
someone wants its modality's alerts, and the worker sends what is pending (``send_pending``,
the *Alert e-mail* task, queued every minute while alerts wait). A server that is down or
refuses the login fails that task, which the Tasks page shows; the alerts stay pending and
the next attempt comes ``ALERT_MAIL_RETRY_SECONDS`` later.

Messages carry the rule, the value, the threshold, the study's date, modality and link, never
patient identifiers: e-mail leaves the hospital's control.
"""
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..models.alerts import MAIL_PENDING, MAIL_SENT, Alert, AlertRule, AlertSubscription
from ..models.auth import User, UserRole, utcnow
from ..models.study import GeneralStudyModuleAttr as Study
from ..models.tasks import DONE, FAILED, FINISHED, QUEUED, RUNNING, BackgroundTask
from ..tasks import background_task
from .kinds import KINDS, MODALITY_LABELS

TASK = "alert_mail"
#: Alerts sent per task; more wait for the next one.
BATCH = 500


class MailNotConfigured(RuntimeError):
    """``ALERT_MAIL_SERVER`` is not set."""


def mail_configured(config) -> bool:
    """Whether an SMTP server is configured for alert e-mail."""
    return bool(config.get("ALERT_MAIL_SERVER"))


@dataclass
class Outgoing:
    """One message to one recipient, and the alerts it tells of."""

    recipient: str
    alert_ids: list = field(default_factory=list)
    lines: list = field(default_factory=list)


def _describe(alert, rule, study_date, base_url) -> str:
    kind = KINDS[rule.kind]
    value = kind.shown(alert.value)
    threshold = (f" (threshold {kind.shown(alert.threshold):g} {kind.unit})"
                 if kind.has_threshold else "")
    link = f"{base_url.rstrip('/')}/{alert.modality}/{alert.general_study_module_attr_id}" \
        if base_url else f"study {alert.general_study_module_attr_id}"
    detail = f"\n  {alert.detail}" if alert.detail else ""
    return (f"- {MODALITY_LABELS[alert.modality]} study of {study_date or 'unknown date'}: "
            f"{rule.name}: {value:.4g} {kind.unit}{threshold}{detail}\n  {link}")


def pending_messages(session, config, limit=BATCH) -> tuple[list[Outgoing], list[int]]:
    """The messages the pending alerts make, and the ids of alerts nobody is to receive."""
    rows = session.execute(
        select(Alert, AlertRule, Study.study_date)
        .join(AlertRule, AlertRule.id == Alert.alert_rule_id)
        .join(Study, Study.id == Alert.general_study_module_attr_id)
        .where(Alert.mail_state == MAIL_PENDING).order_by(Alert.id).limit(limit)).all()
    if not rows:
        return [], []
    recipients = {}
    for modality, email in session.execute(
            select(AlertSubscription.modality, User.email)
            .join(User, User.id == AlertSubscription.user_id)
            .join(UserRole, (UserRole.user_id == User.id) & (UserRole.role == "view"))
            .where(User.active.is_(True), User.email.is_not(None), User.email != "")
            .order_by(User.email)):
        recipients.setdefault(modality, []).append(email)
    digest = (config.get("ALERT_MAIL_MODE") or "each") == "digest"
    base_url = config.get("ALERT_MAIL_BASE_URL") or ""
    messages, nobody, by_recipient = [], [], {}
    for alert, rule, study_date in rows:
        wanted = recipients.get(alert.modality, [])
        if not wanted:
            nobody.append(alert.id)
            continue
        line = _describe(alert, rule, study_date, base_url)
        for email in wanted:
            if digest:
                message = by_recipient.get(email)
                if message is None:
                    message = by_recipient[email] = Outgoing(email)
                    messages.append(message)
            else:
                message = Outgoing(email)
                messages.append(message)
            message.alert_ids.append(alert.id)
            message.lines.append(line)
    return messages, nobody


def compose(outgoing: Outgoing, config) -> EmailMessage:
    """The e-mail for one Outgoing."""
    message = EmailMessage()
    count = len(outgoing.alert_ids)
    message["Subject"] = ("Kerma: " + (f"{count} new dose alerts" if count > 1
                                       else "new dose alert"))
    message["From"] = config.get("ALERT_MAIL_FROM") or "kerma@localhost"
    message["To"] = outgoing.recipient
    message.set_content(
        "Kerma raised " + ("these alerts" if count > 1 else "this alert") + ":\n\n"
        + "\n".join(outgoing.lines)
        + "\n\nAcknowledge them on the Alerts page. You get this e-mail because you asked "
          "for the alerts of these modalities (Alerts → E-mail me alerts).\n")
    return message


def connect(config) -> smtplib.SMTP:
    """An SMTP connection as the settings say: plain, STARTTLS or TLS, logged in if a user
    is given."""
    host = config.get("ALERT_MAIL_SERVER")
    if not host:
        raise MailNotConfigured("ALERT_MAIL_SERVER is not set")
    security = (config.get("ALERT_MAIL_SECURITY") or "starttls").lower()
    port = int(config.get("ALERT_MAIL_PORT") or (465 if security == "ssl" else 587))
    timeout = float(config.get("ALERT_MAIL_TIMEOUT") or 10)
    context = ssl.create_default_context(cafile=config.get("ALERT_MAIL_CA_FILE") or None)
    if security == "ssl":
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
        if security == "starttls":
            smtp.starttls(context=context)
    if config.get("ALERT_MAIL_USERNAME"):
        smtp.login(config["ALERT_MAIL_USERNAME"], config.get("ALERT_MAIL_PASSWORD") or "")
    return smtp


@dataclass
class Sent:
    """How a sending went."""

    messages: int = 0
    alerts: int = 0
    error: str | None = None
    waiting: int = 0


def send_pending(session=None, config=None) -> Sent:
    """Send the pending alerts' messages; alerts whose messages all went are marked sent."""
    session = session or db.session
    config = config or current_app.config
    messages, nobody = pending_messages(session, config)
    if nobody:  # everyone who wanted them has since opted out
        session.execute(Alert.__table__.update().where(Alert.id.in_(nobody))
                        .values(mail_state="none"))
    failed_alerts, result = set(), Sent()
    if messages:
        try:
            smtp = connect(config)
        except (OSError, smtplib.SMTPException) as exc:
            result.error = _reason(exc)
            failed_alerts = {i for m in messages for i in m.alert_ids}
        else:
            with smtp:
                for index, outgoing in enumerate(messages):
                    try:
                        smtp.send_message(compose(outgoing, config))
                        result.messages += 1
                    except (smtplib.SMTPServerDisconnected, OSError) as exc:
                        # The connection is gone: this message and the rest wait.
                        result.error = _reason(exc)
                        failed_alerts.update(i for m in messages[index:] for i in m.alert_ids)
                        break
                    except smtplib.SMTPException as exc:  # this recipient or message refused
                        result.error = _reason(exc)
                        failed_alerts.update(outgoing.alert_ids)
    delivered = {i for m in messages for i in m.alert_ids} - failed_alerts
    if delivered:
        session.execute(Alert.__table__.update().where(Alert.id.in_(delivered))
                        .values(mail_state=MAIL_SENT))
    session.commit()
    result.alerts = len(delivered)
    result.waiting = len(failed_alerts)
    return result


def _reason(exc) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300]


@background_task(TASK, "Alert e-mail")
def run_mail():
    """Send the e-mail of pending alerts, one task at a time across every worker (two at
    once would both send the same alerts)."""
    from huey.exceptions import TaskLockedException

    from ..tasks.queue import get_queue

    try:
        with get_queue().huey.lock_task(TASK):
            result = send_pending()
    except TaskLockedException:
        return DONE, "another task is sending the alert e-mail"
    if result.error:
        return FAILED, (f"{result.error}; {result.messages} messages sent, {result.waiting} "
                        f"alerts wait for the next attempt")
    return DONE, f"{result.messages} messages sent for {result.alerts} alerts"


def pending_count(session) -> int:
    """How many alerts wait for their e-mail."""
    return session.scalar(select(func.count(Alert.id)).where(Alert.mail_state == MAIL_PENDING))


def due(session, config, now=None) -> bool:
    """Whether a mail task should be queued: alerts wait, none is queued or running, and the
    last failed one is ``ALERT_MAIL_RETRY_SECONDS`` old."""
    if not mail_configured(config) or not pending_count(session):
        return False
    busy = session.scalar(select(func.count(BackgroundTask.id)).where(
        BackgroundTask.task_type == TASK, BackgroundTask.status.in_((QUEUED, RUNNING))))
    if busy:
        return False
    last = session.execute(select(BackgroundTask.status, BackgroundTask.finished)
                           .where(BackgroundTask.task_type == TASK,
                                  BackgroundTask.status.in_(FINISHED))
                           .order_by(BackgroundTask.id.desc()).limit(1)).first()
    if last is None or last.status != FAILED or last.finished is None:
        return True
    retry = timedelta(seconds=float(config.get("ALERT_MAIL_RETRY_SECONDS") or 300))
    return (now or utcnow()) - last.finished >= retry


def queue_if_due(app) -> str | None:
    """Queue the mail task when ``due``; its id, or None."""
    from ..tasks.queue import get_queue

    if not due(db.session, app.config):
        db.session.rollback()
        return None
    return get_queue(app).enqueue(TASK, source="alerts", subject="pending alert e-mail")
