"""``flask skindose compute``: (re)compute the skin dose maps of stored RF studies."""
import click
from flask.cli import AppGroup

from ..extensions import db
from ..models.skindose import COMPUTED
from .maps import compute_all, compute_study

skindose_cli = AppGroup("skindose", help="Skin dose maps of fluoroscopy studies.")


@skindose_cli.command("compute")
@click.argument("study_id", type=int, required=False)
@click.option("--all", "every", is_flag=True, help="Every stored RF study.")
@click.option("--missing", is_flag=True,
              help="With --all: only studies without a map of the current method version.")
@click.option("--batch-size", default=100, show_default=True, help="Studies per transaction.")
def compute_command(study_id, every, missing, batch_size):
    """Compute the skin dose map of STUDY_ID, or of every RF study with --all."""
    if every == (study_id is not None):
        raise click.UsageError("give either a STUDY_ID or --all")
    if study_id is not None:
        row = compute_study(study_id)
        if row is None:
            raise click.ClickException(f"study {study_id} does not exist or is not RF")
        db.session.commit()
        if row.status == COMPUTED:
            click.echo(f"study {study_id}: peak skin dose {row.peak_skin_dose:.4f} Gy "
                       f"({row.events_used} events used, {row.events_skipped} skipped)")
        else:
            click.echo(f"study {study_id}: not computed: {row.message}")
        return
    seen, computed = compute_all(batch_size, missing_only=missing)
    click.echo(f"{seen} RF studies read, {computed} maps computed.")
