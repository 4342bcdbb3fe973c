"""The ``flask users`` commands."""
from sqlalchemy import select

from app.extensions import db
from app.models.auth import AuditLog, User


def _stored(app, username):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            return None
        return {"roles": set(user.roles), "active": user.active,
                "password_ok": user.check_password("cli-pass-123")}


def test_create_admin_gets_every_role(app, runner):
    result = runner.invoke(args=["users", "create", "admin", "--role", "admin",
                                 "--password", "cli-pass-123"])
    assert result.exit_code == 0, result.output
    assert result.output == ("Created admin with roles: "
                             "view, export, pid, importsize, importqr, admin.\n")
    assert _stored(app, "admin") == {
        "roles": {"view", "export", "pid", "importsize", "importqr", "admin"},
        "active": True, "password_ok": True}
    with app.app_context():
        entry = db.session.scalar(select(AuditLog))
        assert (entry.username, entry.action, entry.target) == (
            "(command line)", "user created", "admin")


def test_create_admin_with_exact_roles(app, runner):
    result = runner.invoke(args=["users", "create", "keeper", "--role", "admin", "--role",
                                 "view", "--exact-roles", "--password", "cli-pass-123"])
    assert result.exit_code == 0, result.output
    assert _stored(app, "keeper")["roles"] == {"admin", "view"}


def test_create_without_roles_gives_view(app, runner):
    result = runner.invoke(args=["users", "create", "viewer", "--password", "cli-pass-123"])
    assert result.exit_code == 0, result.output
    assert _stored(app, "viewer")["roles"] == {"view"}


def test_create_prompts_for_the_password_twice(app, runner):
    result = runner.invoke(args=["users", "create", "erin", "--role", "export"],
                           input="cli-pass-123\ncli-pass-123\n")
    assert result.exit_code == 0, result.output
    assert "Password: \nRepeat for confirmation: \n" in result.output
    assert "cli-pass-123" not in result.output
    assert _stored(app, "erin") == {"roles": {"export"}, "active": True, "password_ok": True}


def test_create_prompt_asks_again_when_the_passwords_differ(app, runner):
    result = runner.invoke(args=["users", "create", "erin"],
                           input="cli-pass-123\nother-pass\ncli-pass-123\ncli-pass-123\n")
    assert result.exit_code == 0, result.output
    assert "Error: The two entered values do not match." in result.output
    assert _stored(app, "erin")["password_ok"] is True


def test_create_refuses_a_short_password(app, runner):
    result = runner.invoke(args=["users", "create", "erin", "--password", "short"])
    assert result.exit_code == 1
    assert "Error: A password needs at least 8 characters." in result.output
    assert _stored(app, "erin") is None


def test_create_refuses_a_taken_name_before_asking_for_a_password(app, runner, make_user):
    make_user("erin")
    result = runner.invoke(args=["users", "create", "Erin"])
    assert result.exit_code == 1
    assert "Password" not in result.output
    assert "Error: A user named 'Erin' already exists." in result.output


def test_create_refuses_an_unknown_role(app, runner):
    result = runner.invoke(args=["users", "create", "erin", "--role", "superuser",
                                 "--password", "cli-pass-123"])
    assert result.exit_code == 2
    assert "'superuser' is not one of" in result.output


def test_list_shows_users_roles_and_state(app, runner, make_user):
    make_user("alice", roles=("view", "export"))
    make_user("bob", roles=(), active=False)
    result = runner.invoke(args=["users", "list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["alice", "active", "view,export", "last", "login", "never"]
    assert lines[1].split() == ["bob", "disabled", "-", "last", "login", "never"]


def test_set_roles_gives_exactly_the_roles_named(app, runner, make_user):
    make_user("alice", roles=("view", "export", "pid"))
    result = runner.invoke(args=["users", "set-roles", "alice", "--role", "view",
                                 "--role", "importqr"])
    assert result.exit_code == 0, result.output
    assert result.output == "alice now has roles: view, importqr.\n"
    assert _stored(app, "alice")["roles"] == {"view", "importqr"}


def test_set_roles_of_an_unknown_user_fails(app, runner):
    result = runner.invoke(args=["users", "set-roles", "nobody", "--role", "view"])
    assert result.exit_code == 1
    assert "Error: No user named 'nobody'." in result.output


def test_disable_and_enable(app, runner, make_user):
    make_user("alice")
    result = runner.invoke(args=["users", "disable", "alice"])
    assert result.output == "alice is disabled.\n"
    assert _stored(app, "alice")["active"] is False
    result = runner.invoke(args=["users", "enable", "alice"])
    assert result.output == "alice is enabled.\n"
    assert _stored(app, "alice")["active"] is True


def test_set_password_prompts(app, runner, make_user):
    make_user("alice")
    result = runner.invoke(args=["users", "set-password", "alice"],
                           input="cli-pass-123\ncli-pass-123\n")
    assert result.exit_code == 0, result.output
    assert result.output.endswith("Password of alice set.\n")
    assert _stored(app, "alice")["password_ok"] is True


def test_set_password_refuses_a_short_one(app, runner, make_user):
    make_user("alice", password="old-password")
    result = runner.invoke(args=["users", "set-password", "alice", "--password", "seven77"])
    assert result.exit_code == 1
    assert "Error: A password needs at least 8 characters." in result.output
    assert _stored(app, "alice")["password_ok"] is False


def test_created_admin_can_log_in_and_manage_users(app, runner, client):
    runner.invoke(args=["users", "create", "admin", "--role", "admin",
                        "--password", "cli-pass-123"])
    response = client.post("/login", data={"username": "admin", "password": "cli-pass-123"})
    assert response.headers["Location"] == "/"
    assert client.get("/admin/users").status_code == 200
