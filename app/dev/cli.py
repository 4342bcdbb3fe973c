"""``flask dev ...``: tools for developers, never needed to run a site."""
import datetime as dt

import click
from flask.cli import AppGroup

from .populate import MODALITIES, populate

dev_cli = AppGroup("dev", help="Developer tools: synthetic data for demonstrations and benchmarks.")


def _modalities(_ctx, _param, value):
    chosen = [m.strip().lower() for m in value.split(",") if m.strip()]
    unknown = set(chosen) - set(MODALITIES)
    if unknown or not chosen:
        raise click.BadParameter(f"choose from {', '.join(MODALITIES)}")
    return chosen


@dev_cli.command("populate")
@click.option("--studies", type=click.IntRange(min=1), required=True,
              help="How many studies to add.")
@click.option("--seed", type=int, default=1, show_default=True,
              help="The same seed (and --until) gives the same studies.")
@click.option("--modalities", default=",".join(MODALITIES), show_default=True,
              callback=_modalities, help="Comma-separated modalities to generate.")
@click.option("--batch", type=click.IntRange(min=1), default=5000, show_default=True,
              help="Studies written per transaction.")
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Date of the newest studies (default today); they span ten years.")
def populate_command(studies, seed, modalities, batch, until):
    """Add synthetic studies (CT, RF, MG, DX, NM) to the database, for demos and benchmarks.

    Run it only on a database nobody else is writing to: ids are assigned up front.
    """
    until = until.date() if until else dt.date.today()
    with click.progressbar(length=studies, label=f"Adding {studies} studies") as bar:
        done = [0]

        def advance(count):
            bar.update(count - done[0])
            done[0] = count

        result = populate(studies, seed=seed, modalities=modalities, batch=batch, until=until,
                          progress=advance)
    mix = ", ".join(f"{count} {name}" for name, count in sorted(result.by_modality.items()))
    click.echo(f"Added {result.studies} studies ({mix}), {result.rows} rows, up to {until}, "
               f"in {result.seconds:.1f} s ({result.studies / result.seconds:.0f} studies/s).")
