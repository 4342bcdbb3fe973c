"""Scheduled queries: each schedule retrieves every day, at its time, the day before.

A schedule remembers the last day whose query completed (``last_day_done``). When it is due,
its query covers every day after that one up to yesterday, so the days missed while Kerma or
the node was down are caught up by one query; a first run covers yesterday only. A schedule
whose query is still queued or running is not due; one whose query failed is due again
``QR_RETRY_MINUTES`` after it failed.

The worker checks the schedules every minute (``flask qr schedule run-due`` does the same
from cron, for sites that prefer it). Times are the server's local time.
"""
import logging
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models.network import QR_FAILED, QR_QUEUED, QR_RUNNING, QrQuery, QrSchedule
from . import queries

log = logging.getLogger("kerma.qr")


def parse_time(text: str) -> time:
    """A time of day from "HH:MM"; ValueError when it is not one."""
    return datetime.strptime(text.strip(), "%H:%M").time()


def due_window(schedule: QrSchedule, now: datetime) -> tuple[date, date] | None:
    """The days a schedule's query should cover now, or None when nothing is due."""
    if not schedule.enabled:
        return None
    run_at = parse_time(schedule.run_at)
    today = now.date()
    # Before today's run time, yesterday's run (for the day before) is the latest one due.
    last_wanted = today - timedelta(days=1 if now.time() >= run_at else 2)
    first = (schedule.last_day_done + timedelta(days=1) if schedule.last_day_done
             else last_wanted)
    if first > last_wanted:
        return None
    return first, last_wanted


def _blocked(schedule: QrSchedule, now_utc: datetime) -> bool:
    """Whether the schedule's last query is still on its way, or failed too recently."""
    if not schedule.last_query_id:
        return False
    last = db.session.get(QrQuery, schedule.last_query_id)
    if last is None:
        return False
    if last.status in (QR_QUEUED, QR_RUNNING):
        return True
    if last.status == QR_FAILED and last.finished:
        retry = timedelta(minutes=float(current_app.config.get("QR_RETRY_MINUTES", 30)))
        return now_utc - last.finished < retry
    return False


def start_due(now: datetime | None = None, queue: bool = True) -> list[QrQuery]:
    """Create the query of every due schedule; queue them when ``queue``. Returns them."""
    from ..models.auth import utcnow

    now = now or datetime.now()
    started = []
    # Read them all first: each query is created in a transaction of its own.
    for schedule in db.session.scalars(select(QrSchedule).where(QrSchedule.enabled.is_(True))
                                       .order_by(QrSchedule.id)).all():
        window = due_window(schedule, now)
        if window is None or _blocked(schedule, utcnow()):
            continue
        query = queries.create_query(
            schedule.node, window[0], window[1], requested_by=f"schedule {schedule.name}",
            schedule=schedule,
            **{name: getattr(schedule, name) for name in queries.FILTER_FIELDS})
        log.info("schedule %s: query %d for %s to %s", schedule.name, query.id, *window)
        if queue:
            queries.queue_query(query)
        started.append(query)
    return started


def run_due(now: datetime | None = None, report=None) -> list[QrQuery]:
    """Run every due schedule's query in this process, one after another."""
    ran = []
    for query in start_due(now, queue=False):
        ran.append(queries.run_query(query.id, report=report) or query)
    return ran


def periodic(app):
    """The worker's minute check: resume interrupted queries, queue due schedules."""
    with app.app_context():
        try:
            queries.resume_interrupted(app)
            start_due()
        except Exception:
            db.session.rollback()
            log.exception("checking query-retrieve schedules failed")
