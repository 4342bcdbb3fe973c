"""``flask ssde recompute``: fill or refresh the SSDE of every stored CT event."""
import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from ..extensions import db
from ..models.ct import CtIrradiationEventData
from .events import recompute

ssde_cli = AppGroup("ssde", help="Size-specific dose estimates of CT events.")


@ssde_cli.command("recompute")
@click.option("--batch-size", default=500, show_default=True, help="Events per transaction.")
def recompute_command(batch_size):
    """Compute the SSDE (AAPM 204/220) of every stored CT event from its recorded size."""
    total = db.session.scalar(select(func.count(CtIrradiationEventData.id)))
    with click.progressbar(length=total, label="CT events") as bar:
        seen, changed = recompute(batch_size, progress=bar.update)
    click.echo(f"{seen} CT events read, SSDE changed on {changed}.")
