"""``flask alerts ...``: list, add and change alert rules, apply them, send alert e-mail."""
import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..audit import record_audit
from ..extensions import db
from ..models.alerts import AlertRule
from .background import reevaluate_rule
from .kinds import KINDS, MODALITY_LABELS
from .rules import RuleError, add_defaults, check_rule, touch


@click.group("alerts")
def alerts_cli():
    """High-dose alert rules."""


def _line(rule):
    kind = KINDS[rule.kind]
    threshold = (f"{kind.shown(rule.threshold):g} {kind.unit}" if kind.has_threshold
                 else "any recorded")
    weeks = f" over {rule.weeks} weeks" if rule.weeks else ""
    system = f" system {rule.unique_equipment_name_id}" if rule.unique_equipment_name_id else ""
    state = "" if rule.enabled else " (disabled)"
    return f"{rule.id}\t{rule.modality}\t{rule.kind}\t{threshold}{weeks}{system}\t{rule.name}{state}"


def _apply(rule_id):
    seen, alerts = reevaluate_rule(rule_id, report=lambda message: None)
    click.echo(f"applied to {seen} stored studies: {alerts} open alerts")


@alerts_cli.command("list")
@with_appcontext
def list_command():
    """List the rules: id, modality, kind, threshold, name."""
    for rule in db.session.scalars(select(AlertRule).order_by(AlertRule.id)):
        click.echo(_line(rule))


@alerts_cli.command("defaults")
@click.option("--apply/--no-apply", default=True, help="Apply them to the stored studies.")
@with_appcontext
def defaults_command(apply):
    """Add the shipped default rules that are missing."""
    added = add_defaults(db.session)
    db.session.flush()
    for rule in added:
        record_audit("add_alert_rule", f"alert rule {rule.id} {rule.name}"[:255], _line(rule))
    db.session.commit()
    click.echo(f"{len(added)} rules added")
    for rule in added if apply else ():
        _apply(rule.id)


@alerts_cli.command("add")
@click.option("--modality", required=True, type=click.Choice(sorted(MODALITY_LABELS)))
@click.option("--kind", required=True, type=click.Choice(sorted(KINDS)))
@click.option("--threshold", type=float, help="In the kind's unit (flask alerts kinds).")
@click.option("--weeks", type=int, help="Window of cumulative kinds.")
@click.option("--system", type=int, help="Only this system (equipment identity id).")
@click.option("--name", required=True)
@click.option("--source", help="Where the threshold comes from.")
@with_appcontext
def add_command(modality, kind, threshold, weeks, system, name, source):
    """Add a rule and apply it to the stored studies."""
    rule = AlertRule(modality=modality, kind=kind, name=name, weeks=weeks,
                     threshold=KINDS[kind].stored(threshold) if KINDS[kind].has_threshold else None,
                     unique_equipment_name_id=system, source=source, enabled=True)
    _save(rule, "add_alert_rule")


@alerts_cli.command("set")
@click.argument("rule_id", type=int)
@click.option("--threshold", type=float, help="In the kind's unit.")
@click.option("--weeks", type=int)
@click.option("--enable/--disable", default=None)
@with_appcontext
def set_command(rule_id, threshold, weeks, enable):
    """Change a rule's threshold, window or state, and apply it again."""
    rule = db.session.get(AlertRule, rule_id)
    if rule is None:
        click.echo(f"there is no rule {rule_id}", err=True)
        sys.exit(1)
    if threshold is not None:
        rule.threshold = KINDS[rule.kind].stored(threshold)
    if weeks is not None:
        rule.weeks = weeks
    if enable is not None:
        rule.enabled = enable
    touch(rule)
    _save(rule, "change_alert_rule")


def _save(rule, action):
    try:
        check_rule(rule)
    except RuleError as exc:
        db.session.rollback()
        click.echo(f"not saved: {exc}", err=True)
        sys.exit(1)
    db.session.add(rule)
    db.session.flush()
    record_audit(action, f"alert rule {rule.id} {rule.name}"[:255], _line(rule))
    db.session.commit()
    click.echo(_line(rule))
    _apply(rule.id)


@alerts_cli.command("apply")
@click.argument("rule_ids", type=int, nargs=-1)
@with_appcontext
def apply_command(rule_ids):
    """Apply rules (every rule without arguments) to the stored studies."""
    ids = rule_ids or db.session.scalars(select(AlertRule.id).order_by(AlertRule.id)).all()
    for rule_id in ids:
        click.echo(f"rule {rule_id}: ", nl=False)
        _apply(rule_id)


@alerts_cli.command("kinds")
def kinds_command():
    """The kinds of rule, their modalities and units."""
    for kind in KINDS.values():
        click.echo(f"{kind.key}\t{'/'.join(kind.modalities)}\t{kind.unit}\t{kind.label}")


@alerts_cli.command("mail")
@with_appcontext
def mail_command():
    """Send the e-mail of pending alerts now (the worker does it every minute)."""
    from flask import current_app

    from .mail import mail_configured, send_pending

    if not mail_configured(current_app.config):
        click.echo("no SMTP server is configured (ALERT_MAIL_SERVER)", err=True)
        sys.exit(1)
    result = send_pending()
    click.echo(f"{result.messages} messages sent for {result.alerts} alerts")
    if result.error:
        click.echo(f"not sent: {result.error}; {result.waiting} alerts wait", err=True)
        sys.exit(1)
