"""High-dose alert rules, the alerts they raised, and who is told about them by e-mail.

A rule names a modality (and optionally one system), a kind (the quantity it watches, see
``app.alerts.kinds``) and a threshold in the stored unit of that quantity. An alert is one
study that reached a rule's threshold: it keeps the value and the threshold as they were
when it was raised, and who acknowledged it, when and why.
"""
import datetime

from sqlalchemy import (Boolean, DateTime, Double, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, false, true)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .auth import utcnow
from .columns import CS, LO

#: States of an alert's e-mail: waiting to be sent, sent, or not to be sent (nobody opted in
#: when it was raised, or it was raised by a re-evaluation of stored studies).
MAIL_PENDING, MAIL_SENT, MAIL_NONE = "pending", "sent", "none"


class AlertRule(db.Model):
    """One alert rule: ``kind`` on studies of ``modality`` (one system, or every one)."""

    __tablename__ = "alert_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(LO)
    # A modality page key: ct, rf, mg, dx or nm.
    modality: Mapped[str] = mapped_column(CS, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    # In the stored unit of the kind's quantity (docs/data-model.md); None for dose checks.
    threshold: Mapped[float | None] = mapped_column(Double)
    # Cumulative kinds: the window, in weeks, over which a patient's studies are summed.
    weeks: Mapped[int | None] = mapped_column(Integer)
    # None: every system; else the UniqueEquipmentNames id of the one system watched.
    unique_equipment_name_id: Mapped[int | None] = mapped_column(
        ForeignKey("unique_equipment_names.id", ondelete="CASCADE"))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Where the threshold comes from: a publication, or "local choice".
    source: Mapped[str | None] = mapped_column(Text)
    created: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    changed: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)

    alerts: Mapped[list["Alert"]] = relationship(
        back_populates="rule", cascade="all, delete-orphan", passive_deletes=True)

    def __repr__(self):
        return f"<AlertRule {self.id} {self.modality} {self.kind} {self.threshold}>"


class Alert(db.Model):
    """A study that reached a rule's threshold.

    ``patient_id`` is the patient ID as stored (hashed or not, as the site's identifier
    settings say), kept so that the alerts page and cumulative rules need no join.
    """

    __tablename__ = "alert"
    __table_args__ = (
        UniqueConstraint("alert_rule_id", "general_study_module_attr_id",
                         name="uq_alert_rule_study"),
        # The alerts page lists open alerts newest first; the home page counts them.
        Index("ix_alert_open_created", "acknowledged", "created"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_rule_id: Mapped[int] = mapped_column(
        ForeignKey("alert_rule.id", ondelete="CASCADE"), index=True)
    rule: Mapped[AlertRule] = relationship(back_populates="alerts")
    general_study_module_attr_id: Mapped[int] = mapped_column(
        ForeignKey("general_study_module_attr.id", ondelete="CASCADE"), index=True)
    modality: Mapped[str] = mapped_column(CS)
    patient_id: Mapped[str | None] = mapped_column(LO)
    patient_id_hashed: Mapped[bool] = mapped_column(Boolean, default=False,
                                                    server_default=false())
    value: Mapped[float | None] = mapped_column(Double)
    threshold: Mapped[float | None] = mapped_column(Double)
    # What reached the threshold, for people: the event, the view, the studies summed.
    detail: Mapped[str | None] = mapped_column(Text)
    created: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    acknowledged: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    acknowledged_by: Mapped[str | None] = mapped_column(String(150))
    acknowledged_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    comment: Mapped[str | None] = mapped_column(Text)
    mail_state: Mapped[str] = mapped_column(String(16), default=MAIL_NONE,
                                            server_default=MAIL_NONE, index=True)

    def __repr__(self):
        return f"<Alert {self.id} rule {self.alert_rule_id} study {self.general_study_module_attr_id}>"


class AlertSubscription(db.Model):
    """A user who asked to be e-mailed the alerts of one modality."""

    __tablename__ = "alert_subscription"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    modality: Mapped[str] = mapped_column(CS, primary_key=True)
