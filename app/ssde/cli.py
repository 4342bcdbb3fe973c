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


@ssde_cli.command("calibrate")
@click.option("--device", "device_id", type=int,
              help="Equipment identity id (flask equipment list); default: the phantom's device.")
@click.option("--slope", type=float, help="Water-equivalent mm per localizer pixel value.")
@click.option("--intercept", type=float, default=0.0, show_default=True,
              help="Water-equivalent mm at pixel value 0.")
@click.option("--phantom", "phantom_file", type=click.Path(exists=True, dir_okay=False),
              help="A localizer of a water cylinder, to derive slope and intercept from.")
@click.option("--phantom-diameter", type=float, help="The water cylinder's diameter (mm).")
@click.option("--remove", is_flag=True, help="Remove the --device's calibration instead.")
def calibrate_command(device_id, slope, intercept, phantom_file, phantom_diameter, remove):
    """Set (or remove) a device's localizer calibration, given or derived from a water phantom
    localizer, and recompute the SSDE of the studies with localizers from it."""
    from .calibration import CalibrationError, calibrate_device, remove_calibration

    try:
        if remove:
            if device_id is None:
                raise CalibrationError("--remove needs --device")
            studies = remove_calibration(device_id)
        else:
            calibration, studies = calibrate_device(device_id, slope, intercept, phantom_file,
                                                    phantom_diameter)
    except CalibrationError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    if remove:
        click.echo(f"Device {device_id}: localizer calibration removed; "
                   f"SSDE recomputed for {studies} studies.")
        return
    click.echo(f"Device {calibration.unique_equipment_name_id}: water-equivalent thickness = "
               f"{calibration.slope:.6g} mm × pixel value + {calibration.intercept:.6g} mm; "
               f"SSDE recomputed for {studies} studies.")
