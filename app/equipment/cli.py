"""``flask equipment ...``: list device identities, name them, force a modality, review."""
import sys

import click
from flask.cli import with_appcontext

from ..extensions import db
from .identities import (USER_MODALITIES, EquipmentError, apply_user_modality, identity_rows,
                         mark_reviewed, save_user_modality, set_display_name, studies_to_move)


@click.group("equipment")
def equipment_cli():
    """Device identities: display names, user-defined modalities, review."""


@equipment_cli.command("list")
@click.option("--new", "new_only", is_flag=True, help="Only identities not yet reviewed.")
@with_appcontext
def list_command(new_only):
    """One line per identity: id, display name, make, model, station, studies, latest."""
    for row in identity_rows(new_only=new_only):
        i = row.identity
        counts = " ".join(f"{t}={n}" for t, n in sorted(row.studies.items()))
        click.echo("\t".join([
            str(i.id), i.display_name or "", i.manufacturer or "",
            i.manufacturer_model_name or "", i.station_name or "",
            i.user_defined_modality or "", "new" if not i.reviewed else "reviewed",
            counts, row.latest.isoformat() if row.latest else ""]))


def _run(change):
    try:
        return change()
    except EquipmentError as exc:
        db.session.rollback()
        click.echo(f"Nothing changed: {exc}", err=True)
        sys.exit(1)


@equipment_cli.command("name")
@click.argument("identity_ids", nargs=-1, type=int, required=True)
@click.option("--display-name", required=True, help="The display name to give them.")
@with_appcontext
def name_command(identity_ids, display_name):
    """Give the identities IDENTITY_IDS one display name (one system)."""
    changed = _run(lambda: set_display_name(identity_ids, display_name))
    click.echo(f"{changed} identities renamed to {display_name.strip()!r}")


@equipment_cli.command("modality")
@click.argument("identity_ids", nargs=-1, type=int, required=True)
@click.option("--set", "modality", type=click.Choice(USER_MODALITIES, case_sensitive=False),
              help="The modality type to force.")
@click.option("--clear", is_flag=True, help="Keep the modality type each device sends.")
@with_appcontext
def modality_command(identity_ids, modality, clear):
    """Force (or clear) a user-defined modality on IDENTITY_IDS and their stored studies."""
    if bool(modality) == clear:
        raise click.UsageError("give either --set MODALITY or --clear")
    ids, chosen = _run(lambda: save_user_modality(identity_ids, None if clear else modality))
    with click.progressbar(length=max(studies_to_move(ids), 1), label="Stored studies",
                           file=sys.stderr) as bar:
        shown = 0

        def advance(done, total):
            nonlocal shown
            bar.update(done - shown)
            shown = done

        moved = apply_user_modality(ids, chosen, progress=advance)
    click.echo(f"{moved} stored studies changed modality")


@equipment_cli.command("review")
@click.argument("identity_ids", nargs=-1, type=int)
@click.option("--all", "everything", is_flag=True, help="Every identity listed as new.")
@click.option("--undo", is_flag=True, help="Mark them new again.")
@with_appcontext
def review_command(identity_ids, everything, undo):
    """Mark IDENTITY_IDS (or --all new ones) reviewed."""
    if everything:
        identity_ids = [row.identity.id for row in identity_rows(new_only=True)]
    if not identity_ids:
        raise click.UsageError("give identity ids or --all")
    changed = _run(lambda: mark_reviewed(identity_ids, reviewed=not undo))
    click.echo(f"{changed} identities marked {'new' if undo else 'reviewed'}")
