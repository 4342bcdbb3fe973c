"""Command-line interface: thin click commands over the library modules."""


def register(app):
    """Attach Kerma's command groups to the ``flask`` command."""
    from .auth.cli import users_cli
    from .dev.cli import dev_cli
    from .exports.cli import export_command
    from .importing.cli import import_cli, studies_cli
    from .network.cli import dicom_cli
    from .network.qr_cli import qr_cli
    from .tasks.cli import worker_command
    from .drl.cli import drl_cli
    from .ssde.cli import ssde_cli
    from .equipment.cli import equipment_cli
    from .patients.cli import settings_cli
    from .alerts.cli import alerts_cli
    from .skindose.cli import skindose_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(import_cli)
    app.cli.add_command(studies_cli)
    app.cli.add_command(dev_cli)
    app.cli.add_command(dicom_cli)
    app.cli.add_command(qr_cli)
    app.cli.add_command(worker_command)
    app.cli.add_command(export_command)
    app.cli.add_command(drl_cli)
    app.cli.add_command(ssde_cli)
    app.cli.add_command(equipment_cli)
    app.cli.add_command(settings_cli)
    app.cli.add_command(alerts_cli)
    app.cli.add_command(skindose_cli)
