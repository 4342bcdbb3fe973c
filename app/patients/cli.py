"""``flask settings ...``: patient identifier settings and not-patient patterns, for scripts."""
import click
from flask.cli import with_appcontext

from .identifiers import ACTIONS, FLAGS, consequences, current, save
from .indicators import (patterns, record_reevaluation, reevaluate, restore_defaults,
                         save_patterns)


@click.group("settings")
def settings_cli():
    """Site settings: patient identifiers and test-patient patterns."""


@settings_cli.command("show")
@with_appcontext
def show_command():
    """Print the identifier settings and the not-patient patterns."""
    for flag, value in current().items():
        click.echo(f"{flag}\t{'yes' if value else 'no'}")
    id_patterns, name_patterns = patterns()
    click.echo(f"not_patient_id\t{' '.join(id_patterns)}")
    click.echo(f"not_patient_name\t{' '.join(name_patterns)}")


def _flag_options(command):
    for flag in reversed(FLAGS):
        name = flag.replace("_", "-")
        command = click.option(f"--{name}/--no-{name}", flag, default=None)(command)
    return command


@settings_cli.command("patient-ids")
@_flag_options
@click.option("--action", "actions", multiple=True, type=click.Choice(sorted(ACTIONS)),
              help="Also change stored values (repeatable): " + ", ".join(sorted(ACTIONS)))
@click.option("--yes", is_flag=True, help="Save without asking.")
@with_appcontext
def patient_ids_command(actions, yes, **flags):
    """Change the patient identifier settings, after showing what they mean for stored studies."""
    old = current()
    new = {flag: old[flag] if flags[flag] is None else flags[flag] for flag in FLAGS}
    if new == old and not actions:
        click.echo("Nothing changed.")
        return
    for consequence in consequences(new, old):
        click.echo(f"{consequence.flag}: {consequence.before} -> {consequence.after}. "
                   f"{consequence.text}")
    if not yes:
        click.confirm("Save these settings?", abort=True)
    for line in save(new, actions=actions):
        click.echo(line)


@settings_cli.command("not-patient")
@click.option("--id", "id_patterns", multiple=True, help="A patient ID pattern (repeatable).")
@click.option("--name", "name_patterns", multiple=True,
              help="A patient name pattern (repeatable).")
@click.option("--defaults", is_flag=True, help="Restore the default patterns.")
@click.option("--no-reevaluate", is_flag=True,
              help="Do not match the stored studies again after a change.")
@with_appcontext
def not_patient_command(id_patterns, name_patterns, defaults, no_reevaluate):
    """Replace the not-patient patterns (both lists) and re-evaluate stored studies."""
    if defaults:
        changed = restore_defaults()
    elif id_patterns or name_patterns:
        changed = save_patterns(id_patterns, name_patterns)
    else:
        raise click.UsageError("give --id and/or --name patterns, or --defaults")
    click.echo("Patterns saved." if changed else "The patterns are unchanged.")
    if changed and not no_reevaluate:
        _reevaluate()


@settings_cli.command("reevaluate")
@with_appcontext
def reevaluate_command():
    """Match the not-patient patterns in force against every stored study again."""
    _reevaluate()


def _reevaluate():
    with click.progressbar(length=1, label="Re-evaluating stored studies") as bar:
        def advance(done, total):
            bar.length = max(total, 1)
            bar.update(done - bar.pos)
        result = reevaluate(advance)
    record_reevaluation(result)
    click.echo(result.summary())
