"""``flask import ...`` and ``flask studies ...``: importing and inspecting from the command line."""
import json
import sys
from contextlib import nullcontext

import click
from flask.cli import AppGroup

from ..extensions import db
from . import import_file
from .outcome import FAILED, REJECTED, Summary
from .reading import dicom_files

import_cli = AppGroup("import", help="Import DICOM dose objects and patient sizes.")
studies_cli = AppGroup("studies", help="Inspect stored studies.")


def _run(paths, importer, as_json):
    files = list(dicom_files(paths))
    summary = Summary()
    show_progress = not as_json and len(files) > 1 and sys.stderr.isatty()
    progress = (click.progressbar(files, label="Importing", file=sys.stderr, show_pos=True)
                if show_progress else nullcontext(files))
    fluoroscopy = []
    with progress as bar:
        for path in bar:
            outcome = import_file(path, None if importer == "auto" else importer)
            summary.add(outcome, keep=as_json)
            if outcome.study_id is not None and outcome.modality_type == "RF":
                fluoroscopy.append(outcome.study_id)
            if not as_json:
                if outcome.status in (REJECTED, FAILED):
                    click.echo(outcome.line(), err=True)
                for line in outcome.warning_lines():
                    click.echo(line, err=True)
            db.session.remove()
    _skin_dose_maps(fluoroscopy, as_json)
    if as_json:
        click.echo(json.dumps(summary.as_dict(), indent=1))
    else:
        click.echo(summary.line())
    if summary.failed:
        sys.exit(1)


def _skin_dose_maps(study_ids, as_json):
    """Compute the skin dose maps of the fluoroscopy studies just imported, here and now
    (the web upload and the listener queue them instead)."""
    from ..skindose.background import compute_and_alert

    done = 0
    for study_id in dict.fromkeys(study_ids):
        try:
            done += compute_and_alert(study_id) is not None
        except Exception as exc:  # the imports stand; `flask skindose compute` can retry
            db.session.rollback()
            click.echo(f"study {study_id}: skin dose map not computed: {exc}", err=True)
        db.session.remove()
    if done and not as_json:
        click.echo(f"{done} skin dose map{'s' if done != 1 else ''} computed", err=True)


def _import_command(name, importer, help_text):
    @import_cli.command(name, help=help_text)
    @click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
    @click.option("--json", "as_json", is_flag=True, help="Print a JSON summary for scripts.")
    def command(paths, as_json):
        _run(paths, importer, as_json)

    return command


_import_command("auto", "auto", "Import files and folders (recursively), choosing the importer "
                "for each object from its SOP class.")
_import_command("rdsr", "rdsr", "Import radiation dose structured reports (CT, fluoroscopy, "
                "radiography, mammography, radiopharmaceutical).")
_import_command("mg", "mg", "Import mammography image headers.")
_import_command("dx", "dx", "Import radiography (CR, DX, PX) image headers.")
_import_command("ct-philips", "ct-philips", "Import Philips CT 'Dose Info' secondary captures.")
_import_command("nm", "nm", "Import NM and PET image headers.")


@import_cli.command("ptsize")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@click.argument("id_column")
@click.argument("height_column")
@click.argument("weight_column")
@click.option("--si-uid", is_flag=True, help="The ID column holds Study Instance UIDs, "
              "not accession numbers.")
@click.option("--overwrite", is_flag=True, help="Replace heights and weights already stored.")
@click.option("--ap-column", help="Column of the patient's AP dimension (for SSDE).")
@click.option("--lateral-column", help="Column of the patient's lateral dimension (for SSDE).")
@click.option("--wed-column", help="Column of the water equivalent diameter (for SSDE).")
@click.option("--size-unit", type=click.Choice(["mm", "cm"]), default="mm", show_default=True,
              help="Unit of the AP, lateral and water equivalent diameter columns.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary for scripts.")
def ptsize_command(csv_file, id_column, height_column, weight_column, si_uid, overwrite,
                   ap_column, lateral_column, wed_column, size_unit, as_json):
    """Add patient heights (cm) and weights (kg), and optionally dimensions for SSDE, from a
    CSV file to stored studies."""
    from .patient_size import PatientSizeError, import_patient_sizes

    try:
        result = import_patient_sizes(
            csv_file, id_column, height_column, weight_column,
            id_type="si-uid" if si_uid else "accession", overwrite=overwrite,
            ap_column=ap_column, lateral_column=lateral_column, wed_column=wed_column,
            size_unit=size_unit)
    except PatientSizeError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=1))
    else:
        for line in result.log:
            click.echo(line)
        click.echo(result.summary_line())


@studies_cli.command("dump")
@click.option("--study-uid", help="Dump the studies with this Study Instance UID.")
@click.option("--all", "dump_all", is_flag=True, help="Dump every study.")
@click.option("--json", "as_json", is_flag=True, default=True, help="JSON output (the default).")
def dump_command(study_uid, dump_all, as_json):
    """Print stored studies as JSON, in the layout of OpenREM-style reference dumps."""
    from sqlalchemy import select

    from ..models.study import GeneralStudyModuleAttr
    from ..studies import dump_study, studies_by_uid

    if not study_uid and not dump_all:
        raise click.UsageError("give --study-uid UID or --all")
    if study_uid:
        studies = studies_by_uid(study_uid)
    else:
        studies = db.session.scalars(
            select(GeneralStudyModuleAttr).order_by(GeneralStudyModuleAttr.id)).all()
    click.echo(json.dumps({"study_count": len(studies),
                           "studies": [dump_study(s) for s in studies]}, indent=1,
                          ensure_ascii=False))


@studies_cli.command("count")
@click.option("--modality", type=click.Choice(["CT", "RF", "MG", "DX", "NM"],
                                              case_sensitive=False))
def count_command(modality):
    """Print the number of stored studies, optionally of one modality."""
    from ..studies import count_studies

    click.echo(count_studies(modality))


@studies_cli.command("recount")
def recount_command():
    """Recount the studies per modality, device and day that the home page shows.

    Kerma keeps these counts as it imports and deletes; recount after changing the study
    table by other means (SQL, a restored backup of only some tables).
    """
    from ..tally import rebuild

    counted = rebuild(db.session)
    db.session.commit()
    click.echo(f"Counted {counted} studies.")
