"""``flask qr ...``: remote nodes, query-retrieves and their schedules."""
from datetime import date, timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from ..models.network import RETRIEVE_METHODS, MOVE, QR_DONE, QrSchedule, RemoteNode
from . import nodes, queries, schedules
from .cli import configure_logging
from .settings import check_ae_title

qr_cli = AppGroup("qr", help="Query and retrieve dose objects from PACS and other nodes.")
node_cli = AppGroup("node", help="Remote nodes to query.")
schedule_cli = AppGroup("schedule", help="Queries run every day for the day before.")
qr_cli.add_command(node_cli)
qr_cli.add_command(schedule_cli)


def _filter_options(function):
    for option in reversed([
        click.option("--modality", "modalities", multiple=True,
                     help="A modality to retrieve (CT, MG, DX, CR, RF, XA, NM, PT...); "
                          "repeat for more. Default: every one."),
        click.option("--description-include", default="",
                     help="Keep studies whose description matches (comma separated patterns)."),
        click.option("--description-exclude", default="",
                     help="Drop studies whose description matches."),
        click.option("--station-include", default="", help="Keep studies from these stations."),
        click.option("--station-exclude", default="", help="Drop studies from these stations."),
    ]):
        function = option(function)
    return function


def _filters(modalities, **patterns) -> dict:
    return {"modalities": ",".join(m.strip().upper() for m in modalities if m.strip()),
            **patterns}


def _node(name) -> RemoteNode:
    node = nodes.find_node(name)
    if node is None:
        raise click.ClickException(f"there is no node {name!r} (see `flask qr node list`)")
    return node


@node_cli.command("add")
@click.argument("name")
@click.option("--ae-title", required=True, help="The node's AE title (the called AE title).")
@click.option("--host", required=True, help="Its host name or IP address.")
@click.option("--port", type=click.IntRange(1, 65535), required=True)
@click.option("--method", type=click.Choice(RETRIEVE_METHODS), default=MOVE, show_default=True,
              help="move: the node sends to Kerma's listener; get: on the query's association.")
def node_add(name, ae_title, host, port, method):
    """Add a remote node."""
    problem = check_ae_title(ae_title)
    if problem:
        raise click.ClickException(problem)
    if nodes.find_node(name) is not None:
        raise click.ClickException(f"a node named {name!r} exists already")
    db.session.add(RemoteNode(name=name, ae_title=ae_title.strip(), host=host.strip(), port=port,
                              retrieve_method=method))
    db.session.commit()
    click.echo(f"added {name}: {ae_title} at {host} port {port}, retrieving by C-{method.upper()}")


@node_cli.command("list")
def node_list():
    """List the remote nodes."""
    for node in db.session.scalars(select(RemoteNode).order_by(RemoteNode.name)):
        echo = ("never echoed" if node.echo_ok is None else
                f"echo {'ok' if node.echo_ok else 'failed'} {node.echo_at:%Y-%m-%d %H:%M}")
        click.echo(f"{node.name}\t{node.ae_title}\t{node.host}:{node.port}\t"
                   f"C-{node.retrieve_method.upper()}\t{echo}")


@node_cli.command("remove")
@click.argument("name")
def node_remove(name):
    """Remove a remote node, with its queries and schedules."""
    node = _node(name)
    db.session.delete(node)
    db.session.commit()
    click.echo(f"removed {name}")


@node_cli.command("echo")
@click.argument("name")
def node_echo(name):
    """Send a C-ECHO to a node."""
    node = _node(name)
    result = nodes.echo(node)
    db.session.commit()
    if not result.ok:
        raise click.ClickException(result.message)
    click.echo(result.message)


@qr_cli.command("query")
@click.argument("node_name")
@click.option("--date-from", type=click.DateTime(["%Y-%m-%d"]), help="First study date "
              "(default: yesterday).")
@click.option("--date-to", type=click.DateTime(["%Y-%m-%d"]), help="Last study date "
              "(default: the first).")
@_filter_options
@click.option("--queue", "queue_it", is_flag=True,
              help="Queue the query for the worker instead of running it here.")
def query_command(node_name, date_from, date_to, modalities, queue_it, **patterns):
    """Query a node for a date range and retrieve the dose objects Kerma imports."""
    configure_logging()
    node = _node(node_name)
    first = date_from.date() if date_from else date.today() - timedelta(days=1)
    last = date_to.date() if date_to else first
    try:
        query = queries.create_query(node, first, last, requested_by="command line",
                                     **_filters(modalities, **patterns))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    if queue_it:
        queries.queue_query(query)
        click.echo(f"query {query.id} queued")
        return
    click.echo(f"query {query.id}: {node.name}, {first} to {last}")
    query = queries.run_query(query.id, report=click.echo)
    if query is None or query.status != QR_DONE:
        raise click.ClickException(f"query {query.id if query else '?'} failed: "
                                   f"{query.message if query else 'not run'}")


@schedule_cli.command("add")
@click.argument("name")
@click.option("--node", "node_name", required=True)
@click.option("--at", "run_at", default="01:00", show_default=True,
              help="Time of day (HH:MM, server time) to retrieve the day before.")
@click.option("--last-day-done", type=click.DateTime(["%Y-%m-%d"]),
              help="Treat days up to this one as done: the first run starts the day after "
                   "(back-fills from there). Default: the first run retrieves yesterday.")
@_filter_options
def schedule_add(name, node_name, run_at, last_day_done, modalities, **patterns):
    """Add a daily query."""
    node = _node(node_name)
    try:
        schedules.parse_time(run_at)
    except ValueError as exc:
        raise click.ClickException(f"--at must be HH:MM, not {run_at!r}") from exc
    if db.session.scalars(select(QrSchedule).where(QrSchedule.name == name)).first():
        raise click.ClickException(f"a schedule named {name!r} exists already")
    db.session.add(QrSchedule(name=name, node=node, run_at=run_at, enabled=True,
                              last_day_done=last_day_done.date() if last_day_done else None,
                              **_filters(modalities, **patterns)))
    db.session.commit()
    click.echo(f"schedule {name}: {node.name} every day at {run_at}")


@schedule_cli.command("list")
def schedule_list():
    """List the schedules."""
    for schedule in db.session.scalars(select(QrSchedule).order_by(QrSchedule.name)):
        click.echo(f"{schedule.name}\t{schedule.node.name}\t{schedule.run_at}\t"
                   f"{'enabled' if schedule.enabled else 'disabled'}\t"
                   f"modalities {schedule.modalities or 'all'}\t"
                   f"last day done {schedule.last_day_done or 'none'}")


@schedule_cli.command("remove")
@click.argument("name")
def schedule_remove(name):
    """Remove a schedule (its queries stay)."""
    schedule = db.session.scalars(select(QrSchedule).where(QrSchedule.name == name)).first()
    if schedule is None:
        raise click.ClickException(f"there is no schedule {name!r}")
    db.session.delete(schedule)
    db.session.commit()
    click.echo(f"removed {name}")


@schedule_cli.command("run-due")
@click.option("--queue", "queue_it", is_flag=True,
              help="Queue the due queries for the worker instead of running them here.")
def schedule_run_due(queue_it):
    """Run the query of every schedule that is due (the worker does this every minute)."""
    configure_logging()
    if queue_it:
        started = schedules.start_due(queue=True)
        click.echo(f"{len(started)} query(ies) queued")
        return
    ran = schedules.run_due(report=click.echo)
    failed = [q for q in ran if q.status != QR_DONE]
    click.echo(f"{len(ran)} query(ies) run, {len(failed)} failed")
    if failed:
        raise click.ClickException("; ".join(f"query {q.id}: {q.message}" for q in failed))
