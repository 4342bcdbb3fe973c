"""The record of background tasks (imports of received objects, later uploads and CSV imports).

The queue itself lives in Huey's storage; these rows are what the Tasks page shows, whatever
that storage is.
"""
from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .auth import utcnow

QUEUED, RUNNING, DONE, FAILED, ABORTED = "queued", "running", "done", "failed", "aborted"
STATUSES = (QUEUED, RUNNING, DONE, FAILED, ABORTED)
FINISHED = (DONE, FAILED, ABORTED)


class BackgroundTask(db.Model):
    """One task: what it is, where it came from, and how it went. Times are UTC.

    ``uuid`` is the queue's task id. ``subject`` names what the task works on (a file name).
    """

    __tablename__ = "background_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    task_type: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str | None] = mapped_column(String(256))
    subject: Mapped[str | None] = mapped_column(String(256))
    status: Mapped[str] = mapped_column(String(16), index=True)
    message: Mapped[str | None] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    started: Mapped[datetime | None] = mapped_column(DateTime)
    finished: Mapped[datetime | None] = mapped_column(DateTime, index=True)

    def __repr__(self):
        return f"<BackgroundTask {self.task_type} {self.uuid} {self.status}>"


class TaskHourlyCount(db.Model):
    """How many tasks of a type finished with a status in one hour (UTC, start of the hour).

    Kept apart from the capped task history so that the last day's counts stay whole however
    many tasks ran.
    """

    __tablename__ = "task_hourly_count"
    __table_args__ = (UniqueConstraint("hour", "task_type", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hour: Mapped[datetime] = mapped_column(DateTime, index=True)
    task_type: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    count: Mapped[int] = mapped_column(Integer, default=0)
