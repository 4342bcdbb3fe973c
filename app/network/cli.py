"""``flask dicom ...``: run the DICOM listener."""
import logging
import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from .listener import Listener

dicom_cli = AppGroup("dicom", help="Receive DICOM objects over the network.")


@dicom_cli.command("listen")
@click.option("--ae-title", help="Listen as this AE title instead of the configured one.")
@click.option("--port", type=int, help="Listen on this port instead of the configured one.")
@click.option("--bind", help="Listen on this address instead of the configured one.")
def listen_command(ae_title, port, bind):
    """Run the Store SCP until stopped (SIGTERM or Ctrl-C); received objects are queued."""
    configure_logging()
    listener = Listener(current_app._get_current_object(), ae_title=ae_title, port=port,
                        bind=bind)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        listener.serve_forever(stop)
    except OSError as exc:
        settings = listener.settings()
        raise click.ClickException(
            f"cannot listen on {settings.bind} port {settings.port}: {exc.strerror or exc}"
        ) from exc


def configure_logging():
    """Log to standard error (the journal under systemd) unless logging is set up already."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        # pynetdicom narrates every PDU at INFO; its warnings are enough.
        logging.getLogger("pynetdicom").setLevel(logging.WARNING)
