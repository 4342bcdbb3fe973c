"""``flask worker``: run queued tasks."""
import click
from flask import current_app

from ..network.cli import configure_logging
from .worker import Worker


@click.command("worker")
@click.option("-w", "--workers", type=click.IntRange(min=1),
              help="Tasks run at once (default: the WORKER_COUNT setting).")
@click.option("--worker-type", type=click.Choice(["thread", "process"]), default="thread",
              show_default=True, help="Run tasks in threads or in forked processes.")
def worker_command(workers, worker_type):
    """Run queued tasks until stopped: SIGTERM lets running tasks finish, SIGINT does not."""
    configure_logging()
    Worker(current_app._get_current_object(), workers=workers, worker_type=worker_type).run()
