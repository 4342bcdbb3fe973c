"""Alert rules: the shipped defaults with their sources, and the enabled rules imports apply.

Imports ask for the enabled rules at every object; they are kept per database engine for
``SECONDS`` and dropped at once when this process commits a change to a rule, as
``app.importing.lookups`` does for the identifier settings.
"""
import time
import weakref
from dataclasses import dataclass

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ..models.alerts import AlertRule, AlertSubscription
from ..models.auth import utcnow
from .kinds import KINDS

SECONDS = 10.0
LOCAL_CHOICE = "Local choice, not from published guidance: edit it to your site's practice."
_NCRP_168 = ("NCRP Report No. 168 (2010), Radiation dose management for fluoroscopically "
             "guided interventional medical procedures, and the SIR guideline (Stecker et al., "
             "J Vasc Interv Radiol 2009;20:S263-S273): substantial radiation dose level (SRDL)")


@dataclass(frozen=True)
class DefaultRule:
    """A rule Kerma offers to create, with its threshold in the unit people read."""

    name: str
    modality: str
    kind: str
    shown_threshold: float | None
    source: str
    weeks: int | None = None


DEFAULT_RULES = (
    DefaultRule("Fluoroscopy: dose at RP 5 Gy (SRDL)", "rf", "rp_dose", 5.0,
                _NCRP_168 + " of 5 Gy reference point air kerma."),
    DefaultRule("Fluoroscopy: DAP 500 Gy·cm² (SRDL)", "rf", "dap", 50000.0,
                _NCRP_168 + " of 500 Gy·cm² kerma-area product (50 000 cGy·cm²)."),
    DefaultRule("Fluoroscopy: dose at RP 5 Gy in 8 weeks", "rf", "rp_dose_cumulative", 5.0,
                _NCRP_168 + " of 5 Gy, summed over a patient's procedures: the SIR guideline "
                "asks that doses of procedures within about 60 days be added. The 8-week "
                "window is a local reading of that advice.", weeks=8),
    DefaultRule("Fluoroscopy: peak skin dose 3 Gy (SRDL)", "rf", "peak_skin_dose", 3.0,
                _NCRP_168 + " of 3 Gy peak skin dose. The peak skin dose here is Kerma's "
                "estimate from the reported geometry (docs/skin-dose.md)."),
    DefaultRule("CT: dose check alert or notification", "ct", "ct_dose_check", None,
                "NEMA XR 25 (CT Dose Check): the scanner recorded that a forward estimate "
                "reached a configured alert or notification value (TID 10015)."),
    DefaultRule("CT: CTDIvol 1000 mGy in one event", "ct", "ct_ctdivol", 1000.0,
                "AAPM (2011), Recommendations regarding notification and alert values for CT "
                "scanners: guidelines for use of the NEMA XR 25 CT Dose-Check standard, "
                "suggested alert value of CTDIvol 1000 mGy."),
    DefaultRule("CT: DLP 3000 mGy·cm per study", "ct", "ct_dlp", 3000.0, LOCAL_CHOICE),
    DefaultRule("Radiography: DAP 1000 cGy·cm² per study", "dx", "dap", 1000.0, LOCAL_CHOICE),
    DefaultRule("Mammography: AGD 3 mGy per view", "mg", "mg_agd", 3.0,
                "Local choice. 3 mGy per view is the MQSA dose limit for the standard breast "
                "phantom (21 CFR 900.12(e)(5)(vi)), a phantom figure used here as a patient "
                "level."),
    DefaultRule("Nuclear medicine: administered activity 1000 MBq", "nm", "nm_activity",
                1000.0, LOCAL_CHOICE),
    DefaultRule("Nuclear medicine: activity above the DRL or prescribed activity", "nm",
                "nm_activity_drl", 1.0,
                "ICRP Publication 135 (2017), Diagnostic reference levels in medical imaging: "
                "an administered activity above the DRL for the examination calls for review. "
                "The reference is the smallest activity a loaded DRL set gives for the "
                "examination, so a local set of prescribed activities governs where loaded."),
)


def add_defaults(session) -> list[AlertRule]:
    """Add the default rules that are not there yet (same modality, kind and name)."""
    have = {(r.modality, r.kind, r.name) for r in session.scalars(select(AlertRule))}
    added = []
    for default in DEFAULT_RULES:
        if (default.modality, default.kind, default.name) in have:
            continue
        kind = KINDS[default.kind]
        rule = AlertRule(name=default.name, modality=default.modality, kind=default.kind,
                         threshold=kind.stored(default.shown_threshold), weeks=default.weeks,
                         source=default.source, enabled=True)
        session.add(rule)
        added.append(rule)
    return added


class RuleError(ValueError):
    """A rule that cannot be saved, with the reason for people."""


def check_rule(rule: AlertRule) -> None:
    """Raise RuleError when a rule's kind, modality, threshold or window do not fit."""
    kind = KINDS.get(rule.kind)
    if kind is None:
        raise RuleError(f"unknown kind {rule.kind!r}")
    if rule.modality not in kind.modalities:
        raise RuleError(f"{kind.label} applies to {', '.join(kind.modalities)}, "
                        f"not {rule.modality}")
    if kind.has_threshold and (rule.threshold is None or rule.threshold <= 0):
        raise RuleError("the threshold must be a positive number")
    if kind.cumulative and (rule.weeks is None or not 1 <= rule.weeks <= 520):
        raise RuleError("the window must be from 1 to 520 weeks")
    if not (rule.name or "").strip():
        raise RuleError("the rule needs a name")


def touch(rule: AlertRule) -> None:
    """Note that a rule changed now."""
    rule.changed = utcnow()


@dataclass(frozen=True)
class ActiveRule:
    """What an import needs of an enabled rule, detached from any session."""

    id: int
    modality: str
    kind: str
    threshold: float | None
    weeks: int | None
    system_id: int | None


class _Memory:
    rules: tuple | None = None
    subscribed: frozenset | None = None
    until: float = 0.0


_memories: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_CHANGED = "kerma.alerts.rules_changed"


def _memory(session) -> _Memory:
    engine = session.get_bind()
    memory = _memories.get(engine)
    if memory is None or time.monotonic() >= memory.until:
        memory = _memories[engine] = _Memory()
        memory.until = time.monotonic() + SECONDS
    return memory


def subscribed_modalities(session) -> frozenset:
    """The modalities someone wants alert e-mail for, as read at most ``SECONDS`` ago."""
    memory = _memory(session)
    if memory.subscribed is None:
        memory.subscribed = frozenset(session.scalars(
            select(AlertSubscription.modality).distinct()))
    return memory.subscribed


def active_rules(session) -> tuple[ActiveRule, ...]:
    """The enabled rules, as read at most ``SECONDS`` ago."""
    memory = _memory(session)
    if memory.rules is None:
        memory.rules = tuple(
            ActiveRule(r.id, r.modality, r.kind, r.threshold, r.weeks, r.unique_equipment_name_id)
            for r in session.scalars(select(AlertRule).where(AlertRule.enabled)
                                     .order_by(AlertRule.id)))
    return memory.rules


def forget(session=None) -> None:
    """Forget the rules kept for the session's database (every database without one)."""
    if session is None:
        _memories.clear()
    else:
        _memories.pop(session.get_bind(), None)


@event.listens_for(Session, "after_flush")
def _note_rule_changes(session, _context):
    if any(isinstance(obj, (AlertRule, AlertSubscription))
           for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _drop_on_commit(session):
    if session.info.pop(_CHANGED, False):
        forget(session)


@event.listens_for(Session, "after_rollback")
def _keep_on_rollback(session):
    session.info.pop(_CHANGED, None)
