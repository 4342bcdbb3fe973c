"""``flask export ct|rf|mg|dx|nm``: an export to a file, with the list pages' filters."""
from pathlib import Path

import click
from flask.cli import with_appcontext
from werkzeug.datastructures import MultiDict

from ..extensions import db
from . import EXPORTS, csv_chunks, write_xlsx
from .common import NO_IDENTIFIERS, stored_identifiers
from .query import export_query
from .surveys import SURVEYS

# Options that map one to one onto list-page filter arguments.
FILTER_OPTIONS = ("date_from", "date_until", "study_description", "procedure",
                  "requested_procedure", "acquisition_protocol", "display_name",
                  "accession_number", "institution", "manufacturer", "model", "station_name")


def _filter_options(command):
    for name in reversed(FILTER_OPTIONS):
        command = click.option(f"--{name.replace('_', '-')}", name,
                               help=f"List-page filter {name}.")(command)
    return command


@click.command("export")
@click.argument("modality", type=click.Choice(sorted(EXPORTS)))
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv",
              show_default=True)
@click.option("--survey", type=click.Choice(sorted({key for _m, key in SURVEYS})),
              help="A national survey format instead of the full export.")
@click.option("--filter", "extra", multiple=True, metavar="NAME=VALUE",
              help="Any other list-page filter argument; repeatable.")
@click.option("--with-pid", is_flag=True, help="Include patient name, ID and birth date "
              "where stored.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True,
              help="File to write.")
@_filter_options
@with_appcontext
def export_command(modality, fmt, survey, extra, with_pid, output, **filters):
    """Export MODALITY's studies (all, or those the filters select) to a csv or xlsx file."""
    args = MultiDict({name: value for name, value in filters.items() if value})
    for item in extra:
        name, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--filter")
        args.add(name, value)
    # The server's command line is trusted like a pid user: it may filter on identifiers.
    query = export_query(modality, args, pid=True)
    path = Path(output)
    if survey:
        found = SURVEYS.get((modality, survey))
        if found is None:
            raise click.BadParameter(f"{modality} has no {survey} survey", param_hint="--survey")
        if found.fmt != fmt:
            raise click.BadParameter(f"the {survey} survey is {found.fmt}", param_hint="--format")
        if fmt == "csv":
            _write_chunks(path, found.csv(query))
        else:
            found.xlsx(query, path)
    else:
        identifiers = stored_identifiers(db.session, query) if with_pid else NO_IDENTIFIERS
        export = EXPORTS[modality]
        if fmt == "csv":
            _write_chunks(path, csv_chunks(export, query, identifiers))
        else:
            description = "; ".join(f"{key}={value}" for key, value in args.items(multi=True))
            write_xlsx(export, query, path, identifiers, description=description)
    click.echo(f"Wrote {path}")


def _write_chunks(path, chunks):
    with open(path, "wb") as out:
        for chunk in chunks:
            out.write(chunk)
