"""Alert e-mail, against a real SMTP server (aiosmtpd) on the loopback interface: what the
messages say, each and digest modes, STARTTLS with login, and a server that is down, which
never touches imports and fails the mail task until it is back."""
import datetime
import email
import socket
import subprocess
from email import policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import select

from app.alerts.mail import TASK, due, run_mail, send_pending
from app.extensions import db
from app.importing import persist
from app.models.alerts import Alert, AlertRule, AlertSubscription
from app.models.auth import User
from app.models.tasks import BackgroundTask
from background import queue_config, wait_until
from study_records import study_record


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """What the SMTP server received: (envelope recipients, parsed message)."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


class SmtpServer:
    """An aiosmtpd server on 127.0.0.1, started and stopped by the test."""

    def __init__(self, port, **smtp_options):
        self.port, self.options = port, smtp_options
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port,
                                     **self.options)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def mail_settings():
    return {"ALERT_MAIL_SECURITY": "none", "ALERT_MAIL_FROM": "kerma@hospital.test",
            "ALERT_MAIL_BASE_URL": "https://kerma.hospital.test"}


@pytest.fixture
def app_config(tmp_path, smtp_port, mail_settings):
    return {**queue_config(tmp_path), "ALERT_MAIL_SERVER": "127.0.0.1",
            "ALERT_MAIL_PORT": smtp_port, "ALERT_MAIL_TIMEOUT": 2, **mail_settings}


@pytest.fixture
def smtp_server(smtp_port):
    servers = []

    def start(**options):
        server = SmtpServer(smtp_port, **options).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def _rule(app, threshold=5.0):
    with app.app_context():
        db.session.add(AlertRule(name="Fluoroscopy SRDL", modality="rf", kind="rp_dose",
                                 threshold=threshold))
        db.session.commit()


def _subscribe(client, login_as, username, address, *modalities):
    login_as("view", username=username)
    response = client.post("/alerts/mail", data={"email": address, "modality": list(modalities)})
    assert response.status_code == 302


def _fluoro(app, rp, date=datetime.date(2024, 5, 6), patient_id="PAT-SECRET"):
    with app.app_context():
        outcome = persist(study_record("rf", rp_a=rp, date=date, patient_id=patient_id), "x")
        assert outcome.status == "imported"
        return outcome.study_id


def _mail_states(app):
    with app.app_context():
        return db.session.scalars(select(Alert.mail_state).order_by(Alert.id)).all()


def test_an_alert_is_mailed_to_those_who_opted_in_for_its_modality(app, client, login_as,
                                                                   smtp_server):
    server = smtp_server()
    _subscribe(client, login_as, "rf-physicist", "rf@hospital.test", "rf")
    _subscribe(client, login_as, "ct-physicist", "ct@hospital.test", "ct")
    _rule(app)
    study = _fluoro(app, 6.5)
    assert _mail_states(app) == ["pending"]
    with app.app_context():
        result = send_pending()
    assert (result.messages, result.alerts, result.error) == (1, 1, None)
    ((recipients, message),) = server.inbox.messages
    assert recipients == ["rf@hospital.test"]
    assert message["To"] == "rf@hospital.test"
    assert message["From"] == "kerma@hospital.test"
    assert message["Subject"] == "Kerma: new dose alert"
    body = message.get_content().replace("\r\n", "\n")
    assert ("- Fluoroscopy study of 2024-05-06: Fluoroscopy SRDL: 6.5 Gy (threshold 5 Gy)\n"
            f"  https://kerma.hospital.test/rf/{study}") in body
    assert "PAT-SECRET" not in message.as_string()
    assert _mail_states(app) == ["sent"]
    with app.app_context():
        assert send_pending().messages == 0
    assert len(server.inbox.messages) == 1


@pytest.mark.parametrize("mail_settings", [{
    "ALERT_MAIL_SECURITY": "none", "ALERT_MAIL_MODE": "digest",
    "ALERT_MAIL_BASE_URL": "https://kerma.hospital.test"}])
def test_digest_mode_sends_each_recipient_one_message(app, client, login_as, smtp_server):
    server = smtp_server()
    _subscribe(client, login_as, "one", "one@hospital.test", "rf")
    _subscribe(client, login_as, "two", "two@hospital.test", "rf", "dx")
    _rule(app)
    first, second = _fluoro(app, 6.0), _fluoro(app, 8.0)
    with app.app_context():
        result = send_pending()
    assert (result.messages, result.alerts) == (2, 2)
    received = sorted(server.inbox.messages, key=lambda item: item[0])
    assert [recipients for recipients, _ in received] == [["one@hospital.test"],
                                                          ["two@hospital.test"]]
    for _, message in received:
        assert message["Subject"] == "Kerma: 2 new dose alerts"
        body = message.get_content()
        assert f"/rf/{first}" in body and f"/rf/{second}" in body
        assert "Fluoroscopy SRDL: 8 Gy (threshold 5 Gy)" in body


@pytest.fixture
def certificate(tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return key, cert


def test_starttls_with_a_login(app, client, login_as, smtp_server, certificate, tmp_path):
    import ssl

    key, cert = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((mechanism, auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.login == b"kerma" and auth_data.password == b"s3cret")

    server = smtp_server(tls_context=context, require_starttls=True, authenticator=authenticator,
                         auth_required=True)
    app.config.update(ALERT_MAIL_SECURITY="starttls", ALERT_MAIL_CA_FILE=str(cert),
                      ALERT_MAIL_USERNAME="kerma", ALERT_MAIL_PASSWORD="s3cret")
    _subscribe(client, login_as, "rf-physicist", "rf@hospital.test", "rf")
    _rule(app)
    _fluoro(app, 6.0)
    with app.app_context():
        result = send_pending()
    assert (result.messages, result.error) == (1, None)
    assert [login[1:] for login in logins] == [(b"kerma", b"s3cret")]
    assert server.inbox.messages[0][0] == ["rf@hospital.test"]
    app.config.update(ALERT_MAIL_PASSWORD="wrong")
    _fluoro(app, 7.0)
    with app.app_context():
        result = send_pending()
    assert result.error and result.messages == 0
    assert _mail_states(app) == ["sent", "pending"]
    assert len(server.inbox.messages) == 1


def test_a_server_that_is_down_fails_the_mail_task_and_the_next_attempt_sends(
        app, client, login_as, smtp_server, worker):
    app.config["ALERT_MAIL_RETRY_SECONDS"] = 0
    _subscribe(client, login_as, "rf-physicist", "rf@hospital.test", "rf")
    login_as("view", "admin")
    _rule(app)
    study = _fluoro(app, 6.0)  # nothing listens: the import does not notice
    with app.app_context():
        assert db.session.get(Alert, 1).general_study_module_attr_id == study
        assert due(db.session, app.config)
    worker()
    with app.app_context():
        from app.tasks.queue import get_queue
        failed_id = get_queue(app).enqueue(TASK, source="alerts", subject="pending alert e-mail")

    def task(task_id, status):
        with app.app_context():
            row = db.session.scalars(select(BackgroundTask).where(
                BackgroundTask.uuid == task_id)).one()
            return row if row.status == status else None

    failed = wait_until(lambda: task(failed_id, "failed"), message="the failed mail task")
    assert failed.message.startswith("ConnectionRefusedError")
    assert failed.message.endswith("0 messages sent, 1 alerts wait for the next attempt")
    assert _mail_states(app) == ["pending"]
    page = client.get("/admin/tasks/?status=failed")
    assert "Alert e-mail" in page.text and "ConnectionRefusedError" in page.text
    server = smtp_server()
    with app.app_context():
        from app.tasks.queue import get_queue
        # The worker's own check (every minute, and as it starts) may queue one as well.
        get_queue(app).enqueue(TASK, source="alerts", subject="pending alert e-mail")
    wait_until(lambda: _mail_states(app) == ["sent"], message="the alert's e-mail")

    def sent_by():
        with app.app_context():
            return db.session.scalars(select(BackgroundTask.message).where(
                BackgroundTask.task_type == TASK, BackgroundTask.status == "done")).all()

    assert "1 messages sent for 1 alerts" in wait_until(sent_by, message="the done task")
    assert server.inbox.messages[0][0] == ["rf@hospital.test"]
    assert _mail_states(app) == ["sent"]
    with app.app_context():
        assert not due(db.session, app.config)


def test_the_retry_waits_after_a_failure(app, client, login_as):
    _subscribe(client, login_as, "rf-physicist", "rf@hospital.test", "rf")
    _rule(app)
    _fluoro(app, 6.0)
    with app.app_context():
        db.session.add(BackgroundTask(uuid="u1", task_type=TASK, status="failed",
                                      finished=datetime.datetime(2024, 1, 1, 12, 0)))
        db.session.commit()
        app.config["ALERT_MAIL_RETRY_SECONDS"] = 300
        assert not due(db.session, app.config, now=datetime.datetime(2024, 1, 1, 12, 4))
        assert due(db.session, app.config, now=datetime.datetime(2024, 1, 1, 12, 5))


def test_no_opt_in_no_mail_and_rule_changes_mail_nobody(app, client, login_as, smtp_server):
    server = smtp_server()
    _rule(app)
    _fluoro(app, 6.0)
    assert _mail_states(app) == ["none"]
    _subscribe(client, login_as, "rf-physicist", "rf@hospital.test", "rf")
    from app.alerts.background import reevaluate_rule

    _fluoro(app, 4.0)
    with app.app_context():
        rule = db.session.scalars(select(AlertRule)).one()
        rule.threshold = 3.0
        db.session.commit()
        reevaluate_rule(rule.id, report=lambda message: None)
        assert run_mail() == ("done", "0 messages sent for 0 alerts")
    assert _mail_states(app) == ["none", "none"]
    assert server.inbox.messages == []


def test_mail_choices_are_kept_per_user(app, client, login_as):
    user = login_as("view")
    client.post("/alerts/mail", data={"email": "me@hospital.test", "modality": ["ct", "nm", "xx"]})
    page = client.get("/alerts/mail").text
    assert 'value="ct" id="mail-ct" checked' in page and 'id="mail-rf" checked' not in page
    with app.app_context():
        assert db.session.get(User, user.id).email == "me@hospital.test"
        assert sorted(db.session.scalars(select(AlertSubscription.modality))) == ["ct", "nm"]


def test_the_command_line_sends_pending_mail_and_says_when_it_cannot(app, client, login_as,
                                                                     smtp_server, runner):
    _subscribe(client, login_as, "rf-physicist", "rf@hospital.test", "rf")
    _rule(app)
    _fluoro(app, 6.0)
    result = runner.invoke(args=["alerts", "mail"])
    assert result.exit_code == 1
    assert "0 messages sent for 0 alerts" in result.output
    assert "not sent: ConnectionRefusedError" in result.output
    server = smtp_server()
    result = runner.invoke(args=["alerts", "mail"])
    assert result.exit_code == 0
    assert "1 messages sent for 1 alerts" in result.output
    assert server.inbox.messages[0][0] == ["rf@hospital.test"]
