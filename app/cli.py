"""Command-line interface: thin click commands over the library modules."""


def register(app):
    """Attach Kerma's command groups to the ``flask`` command."""
    from .auth.cli import users_cli
    from .dev.cli import dev_cli
    from .importing.cli import import_cli, studies_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(import_cli)
    app.cli.add_command(studies_cli)
    app.cli.add_command(dev_cli)
