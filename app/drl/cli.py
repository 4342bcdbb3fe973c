"""``flask drl ...``: load DRL sets, map standard names and compare, for scripts."""
import datetime
import json
import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import db
from ..models.drl import NAME_FIELDS, DrlSet
from .comparison import compare
from .naming import assign
from .sets import DRL_MODALITIES, NATIONAL, DrlFileError, load_national, load_set


@click.group("drl")
def drl_cli():
    """Diagnostic reference levels."""


@drl_cli.command("load")
@click.argument("csv_file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--name", required=True, help="Name of the set.")
@click.option("--source", help="Where the values come from (publisher, title, year).")
@click.option("--replace", is_flag=True, help="Replace a set of the same name.")
@with_appcontext
def load_command(csv_file, name, source, replace):
    """Load a DRL set from CSV_FILE."""
    _load(lambda: load_set(csv_file.read(), name, source, replace=replace))


@drl_cli.command("load-national")
@click.argument("name", type=click.Choice(sorted(NATIONAL)))
@click.option("--replace", is_flag=True, help="Replace the set if it is loaded already.")
@with_appcontext
def load_national_command(name, replace):
    """Load a national DRL set shipped with Kerma."""
    _load(lambda: load_national(name, replace=replace))


def _load(load):
    try:
        drl_set = load()
    except DrlFileError as exc:
        db.session.rollback()
        for problem in exc.problems:
            click.echo(problem, err=True)
        sys.exit(1)
    click.echo(f"{drl_set.name}: {len(drl_set.values)} DRLs loaded")


@drl_cli.command("map")
@click.argument("modality", type=click.Choice(DRL_MODALITIES, case_sensitive=False))
@click.argument("field", type=click.Choice(NAME_FIELDS))
@click.argument("standard_name")
@click.argument("names", nargs=-1, required=True)
@with_appcontext
def map_command(modality, field, standard_name, names):
    """Map NAMES (as devices write them in FIELD) to STANDARD_NAME; "" removes the mapping."""
    changed = assign(modality.upper(), [(field, name) for name in names], standard_name)
    click.echo(f"{changed} names changed")


@drl_cli.command("compare")
@click.argument("set_name")
@click.option("--date-from", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--date-to", type=click.DateTime(["%Y-%m-%d"]))
@with_appcontext
def compare_command(set_name, date_from, date_to):
    """Print the median per system and DRL entry of SET_NAME as JSON lines."""
    drl_set = db.session.scalars(select(DrlSet).where(DrlSet.name == set_name)).first()
    if drl_set is None:
        raise click.UsageError(f"no DRL set named {set_name!r}")
    day = (lambda value: value.date() if isinstance(value, datetime.datetime) else None)
    for row in compare(drl_set, day(date_from), day(date_to)):
        click.echo(json.dumps({
            "modality": row.drl.modality, "examination": row.drl.examination,
            "quantity": row.drl.quantity, "patient_group": row.drl.patient_group,
            "system": row.system, "studies": row.count, "median": row.median_in_drl_unit,
            "drl": row.drl.value, "unit": row.drl.unit, "ratio": row.ratio, "above": row.above}))
