"""Site settings of the DICOM listener and of what happens to received files after import;
the remote nodes Kerma queries, its query-retrieves and their schedules."""
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .auth import utcnow


class DicomStoreSettings(db.Model):
    """The listener's AE title, address and allowed peers as set on the admin page (one row).

    A NULL column means "as configured" (``DICOM_*`` settings). The allowed lists hold one
    entry per line; an empty text allows any peer, overriding a configured list.
    """

    __tablename__ = "dicom_store_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    ae_title: Mapped[str | None] = mapped_column(String(16))
    port: Mapped[int | None] = mapped_column(Integer)
    bind_address: Mapped[str | None] = mapped_column(String(255))
    allowed_ae_titles: Mapped[str | None] = mapped_column(Text)
    allowed_hosts: Mapped[str | None] = mapped_column(Text)
    updated: Mapped[datetime | None] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(150))


class DicomKeepSettings(db.Model):
    """Which kinds of successfully imported objects keep their file (one row; default none).

    The kinds are the importers: dose reports, mammography, radiography and NM/PET image
    headers, and Philips CT dose pages. Kept files go to the spool's ``kept/<kind>`` folder;
    objects that are rejected or fail always go to quarantine.
    """

    __tablename__ = "dicom_keep_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    keep_rdsr: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    keep_mg: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    keep_dx: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    keep_ct_philips: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    keep_nm: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    #: Importer name -> column, for the spool's keep decision.
    KINDS = {"rdsr": "keep_rdsr", "mg": "keep_mg", "dx": "keep_dx",
             "ct-philips": "keep_ct_philips", "nm": "keep_nm"}

    def kept_kinds(self) -> set[str]:
        """The importer names whose files are kept."""
        return {kind for kind, column in self.KINDS.items() if getattr(self, column)}


# Query-retrieve ----------------------------------------------------------------------------
MOVE, GET = "move", "get"
RETRIEVE_METHODS = (MOVE, GET)

# A query's life: queued, then running (finding, then retrieving), then done or failed.
QR_QUEUED, QR_RUNNING, QR_DONE, QR_FAILED = "queued", "running", "done", "failed"
QR_STATUSES = (QR_QUEUED, QR_RUNNING, QR_DONE, QR_FAILED)
FINDING, RETRIEVING = "finding", "retrieving"

# An object a query wants: not yet retrieved, received, imported, failed to import, or not
# delivered by the node.
WANTED, RETRIEVED, IMPORTED_OBJECT, IMPORT_FAILED, NOT_DELIVERED = (
    "wanted", "retrieved", "imported", "failed", "missing")


class RemoteNode(db.Model):
    """A PACS (or other Query/Retrieve SCP) Kerma queries, and how it retrieves from it.

    ``retrieve_method`` "move" asks the node to send the objects to Kerma's own listener
    (its AE title must be known to the node); "get" receives them on the query's own
    association.
    """

    __tablename__ = "dicom_remote_node"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    ae_title: Mapped[str] = mapped_column(String(16))
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int] = mapped_column(Integer)
    retrieve_method: Mapped[str] = mapped_column(String(8), default=MOVE)
    echo_ok: Mapped[bool | None] = mapped_column(Boolean)
    echo_message: Mapped[str | None] = mapped_column(Text)
    echo_at: Mapped[datetime | None] = mapped_column(DateTime)
    created: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    def __repr__(self):
        return f"<RemoteNode {self.name} {self.ae_title}@{self.host}:{self.port}>"


class QrSchedule(db.Model):
    """A query run every day at ``run_at`` (HH:MM, server local time) for the day before.

    ``last_day_done`` is the last day whose query completed; a run covers every day after it
    up to yesterday, so days missed while Kerma was down are caught up in one query.
    """

    __tablename__ = "dicom_qr_schedule"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    node_id: Mapped[int] = mapped_column(ForeignKey("dicom_remote_node.id", ondelete="CASCADE"),
                                         index=True)
    node: Mapped[RemoteNode] = relationship()
    run_at: Mapped[str] = mapped_column(String(5), default="01:00")
    modalities: Mapped[str] = mapped_column(String(128), default="")
    station_include: Mapped[str] = mapped_column(Text, default="")
    station_exclude: Mapped[str] = mapped_column(Text, default="")
    description_include: Mapped[str] = mapped_column(Text, default="")
    description_exclude: Mapped[str] = mapped_column(Text, default="")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    last_day_done: Mapped[date | None] = mapped_column(Date)
    last_query_id: Mapped[int | None] = mapped_column(Integer)
    created: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class QrQuery(db.Model):
    """One query-retrieve: its filters, where it has got to, and its counts.

    The counts are kept up to date as it runs, so the query page and a resumed run read them
    from here; ``stage`` says whether the objects to retrieve are all known (``retrieving``).
    """

    __tablename__ = "dicom_qr_query"

    id: Mapped[int] = mapped_column(primary_key=True)
    node_id: Mapped[int] = mapped_column(ForeignKey("dicom_remote_node.id", ondelete="CASCADE"),
                                         index=True)
    node: Mapped[RemoteNode] = relationship()
    schedule_id: Mapped[int | None] = mapped_column(
        ForeignKey("dicom_qr_schedule.id", ondelete="SET NULL"), index=True)
    date_from: Mapped[date] = mapped_column(Date)
    date_to: Mapped[date] = mapped_column(Date)
    modalities: Mapped[str] = mapped_column(String(128), default="")
    station_include: Mapped[str] = mapped_column(Text, default="")
    station_exclude: Mapped[str] = mapped_column(Text, default="")
    description_include: Mapped[str] = mapped_column(Text, default="")
    description_exclude: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=QR_QUEUED, index=True)
    stage: Mapped[str | None] = mapped_column(String(16))
    message: Mapped[str | None] = mapped_column(Text)
    studies_found: Mapped[int] = mapped_column(Integer, default=0)
    studies_kept: Mapped[int] = mapped_column(Integer, default=0)
    series_found: Mapped[int] = mapped_column(Integer, default=0)
    series_kept: Mapped[int] = mapped_column(Integer, default=0)
    objects_skipped: Mapped[int] = mapped_column(Integer, default=0)
    requested_by: Mapped[str | None] = mapped_column(String(150))
    created: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    started: Mapped[datetime | None] = mapped_column(DateTime)
    finished: Mapped[datetime | None] = mapped_column(DateTime)
    #: Written while the query runs; a running query that stops writing it was interrupted.
    heartbeat: Mapped[datetime | None] = mapped_column(DateTime)

    objects: Mapped[list["QrObject"]] = relationship(
        back_populates="query", cascade="all, delete-orphan", passive_deletes=True)


class QrObject(db.Model):
    """An object a query retrieves, and what became of it.

    ``series_complete`` marks objects asked for as a whole series (every instance of it
    wanted); the others are asked for one by one.
    """

    __tablename__ = "dicom_qr_object"

    id: Mapped[int] = mapped_column(primary_key=True)
    query_id: Mapped[int] = mapped_column(ForeignKey("dicom_qr_query.id", ondelete="CASCADE"),
                                          index=True)
    query: Mapped[QrQuery] = relationship(back_populates="objects")
    study_instance_uid: Mapped[str] = mapped_column(String(64))
    series_instance_uid: Mapped[str] = mapped_column(String(64))
    sop_instance_uid: Mapped[str] = mapped_column(String(64), index=True)
    modality: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(64))
    series_complete: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default=WANTED)
    message: Mapped[str | None] = mapped_column(Text)
