"""Command-line interface: thin click commands over the library modules."""


def register(app):
    """Attach Kerma's command groups to the ``flask`` command."""
    from .auth.cli import users_cli

    app.cli.add_command(users_cli)
