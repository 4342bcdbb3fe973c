"""``flask users ...``: manage accounts from the server's command line."""
import click
from flask.cli import AppGroup

from . import users
from .roles import ROLES

users_cli = AppGroup("users", help="Create and manage user accounts.")

role_option = click.option(
    "--role", "roles", multiple=True, type=click.Choice(list(ROLES)),
    help="A role to give; repeat for several.")
password_option = click.option(
    "--password", help="The password; asked for (twice, hidden) when left out.")


def _ask_password(password):
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@users_cli.command("create")
@click.argument("username")
@role_option
@click.option("--exact-roles", is_flag=True,
              help="Give exactly the roles named, even with --role admin.")
@password_option
def create_command(username, roles, exact_roles, password):
    """Create a user. With --role admin the user gets every role unless --exact-roles."""
    roles = set(roles) or {"view"}
    if "admin" in roles and not exact_roles:
        roles = set(ROLES)
    try:
        users.check_username(username)  # before asking for a password that would be wasted
        user = users.create_user(username, _ask_password(password), roles)
    except users.UserError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {user.username} with roles: {', '.join(_ordered(user.roles))}.")


@users_cli.command("list")
def list_command():
    """List users, their roles, whether they may log in, and their last login."""
    for user in users.list_users():
        state = "active" if user.active else "disabled"
        last = user.last_login.strftime("%Y-%m-%d %H:%M") if user.last_login else "never"
        roles = ",".join(_ordered(user.roles)) or "-"
        click.echo(f"{user.username:20} {state:8} {roles:45} last login {last}")


@users_cli.command("set-roles")
@click.argument("username")
@role_option
def set_roles_command(username, roles):
    """Give a user exactly the roles named (none when no --role is given)."""
    user = _get(username)
    users.set_roles(user, roles)
    click.echo(f"{user.username} now has roles: {', '.join(_ordered(user.roles)) or 'none'}.")


@users_cli.command("disable")
@click.argument("username")
def disable_command(username):
    """Stop a user from logging in; a running session ends at the next request."""
    user = users.set_active(_get(username), False)
    click.echo(f"{user.username} is disabled.")


@users_cli.command("enable")
@click.argument("username")
def enable_command(username):
    """Allow a disabled user to log in again."""
    user = users.set_active(_get(username), True)
    click.echo(f"{user.username} is enabled.")


@users_cli.command("set-password")
@click.argument("username")
@password_option
def set_password_command(username, password):
    """Set a user's password."""
    user = _get(username)
    try:
        users.set_password(user, _ask_password(password))
    except users.UserError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Password of {user.username} set.")


def _get(username):
    try:
        return users.get_user(username)
    except users.UserError as error:
        raise click.ClickException(str(error)) from error


def _ordered(roles):
    return [name for name in ROLES if name in roles]
