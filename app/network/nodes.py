"""Remote DICOM nodes Kerma queries: associations, C-ECHO, C-FIND, C-MOVE and C-GET.

Every failure to reach or talk to a node is a ``NodeError`` whose message says, for a person,
what happened (refused connection, rejected association, no answer within the timeout), so
the node page and the query page can show it as it is.
"""
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass

from flask import current_app
from pydicom.dataset import Dataset
from pynetdicom import AE, build_role, evt
from pynetdicom.sop_class import (StudyRootQueryRetrieveInformationModelFind,
                                  StudyRootQueryRetrieveInformationModelGet,
                                  StudyRootQueryRetrieveInformationModelMove, Verification)
from sqlalchemy import select

from ..extensions import db
from ..models.auth import utcnow
from ..models.network import GET, MOVE, RemoteNode
from .scp import NATIVE_TRANSFER_SYNTAXES, STORAGE_CLASSES, quick_exchanges
from .settings import listener_settings

log = logging.getLogger("kerma.qr")

FIND = StudyRootQueryRetrieveInformationModelFind
MOVE_MODEL = StudyRootQueryRetrieveInformationModelMove
GET_MODEL = StudyRootQueryRetrieveInformationModelGet
PENDING = (0xFF00, 0xFF01)
SUCCESS = 0x0000
WARNING = 0xB000
CANCEL = 0xFE00


class NodeError(Exception):
    """A node could not be reached or did not do what was asked; the message says why."""


class NoAnswer(NodeError):
    """A node stopped answering a query on an open association (a reply lost or late)."""


@dataclass
class EchoResult:
    """The outcome of a C-ECHO."""

    ok: bool
    message: str


def calling_ae_title(app=None) -> str:
    """The AE title Kerma calls nodes with: ``QR_CALLING_AE_TITLE`` or its listener's."""
    config = (app or current_app).config
    return (config.get("QR_CALLING_AE_TITLE") or listener_settings().ae_title).strip()


def move_destination(app=None) -> str:
    """The AE title nodes send C-MOVE results to: ``QR_MOVE_DESTINATION`` or the listener's."""
    config = (app or current_app).config
    return (config.get("QR_MOVE_DESTINATION") or listener_settings().ae_title).strip()


def find_node(name_or_id) -> RemoteNode | None:
    """The node with this name (or id), or None."""
    node = db.session.scalars(select(RemoteNode).where(RemoteNode.name == str(name_or_id))).first()
    if node is None and str(name_or_id).isdigit():
        node = db.session.get(RemoteNode, int(name_or_id))
    return node


@dataclass(frozen=True)
class Address:
    """Where a node is and how to talk to it, detached from the database session."""

    name: str
    ae_title: str
    host: str
    port: int
    method: str
    calling: str
    timeout: float

    @classmethod
    def of(cls, node: RemoteNode, app=None) -> "Address":
        """The address of a stored node, with this site's calling AE title and timeout."""
        app = app or current_app
        return cls(node.name, node.ae_title.strip(), node.host, int(node.port),
                   node.retrieve_method, calling_ae_title(app),
                   float(app.config.get("QR_TIMEOUT", 30)))


def _ae(address: Address, contexts, get_storage=False) -> AE:
    ae = AE(ae_title=address.calling)
    ae.acse_timeout = ae.dimse_timeout = ae.network_timeout = address.timeout
    ae.connection_timeout = address.timeout
    for context in contexts:
        ae.add_requested_context(context)
    if get_storage:
        # C-GET: the node sends on this association, one presentation context per class.
        # Uncompressed syntaxes only: a node converts what it holds compressed.
        for sop_class in STORAGE_CLASSES:
            ae.add_requested_context(sop_class, NATIVE_TRANSFER_SYNTAXES)
    return ae


@contextmanager
def association(address: Address, contexts, handlers=None, get_storage=False):
    """An established association with the node, released afterwards; NodeError if none."""
    ae = _ae(address, contexts, get_storage)
    ext_neg = []
    if get_storage:
        ext_neg = [build_role(sop_class, scp_role=True) for sop_class in STORAGE_CLASSES]
    answers = []
    opened = []

    def on_acse(event):
        answers.append(event.primitive)

    def on_open(event):
        opened.append(True)
        quick_exchanges(event)

    started = time.monotonic()
    try:
        assoc = ae.associate(address.host, address.port, ae_title=address.ae_title,
                             ext_neg=ext_neg,
                             evt_handlers=[(evt.EVT_CONN_OPEN, on_open),
                                           (evt.EVT_ACSE_RECV, on_acse), *(handlers or [])])
    except OSError as exc:  # a host name that does not resolve
        raise NodeError(f"cannot reach {address.host} port {address.port}: {exc}") from exc
    if not assoc.is_established:
        ae.shutdown()
        raise NodeError(_why_not_established(assoc, address, answers, bool(opened),
                                             time.monotonic() - started))
    try:
        yield assoc
    finally:
        if assoc.is_established:
            assoc.release()
        ae.shutdown()


def _why_not_established(assoc, address: Address, answers, opened: bool,
                         elapsed: float) -> str:
    where = f"{address.ae_title} at {address.host} port {address.port}"
    if assoc.is_rejected:
        answer = next((a for a in reversed(answers) if getattr(a, "result", None) in (1, 2)),
                      None)
        why = answer.reason_str if answer is not None else "no reason given"
        why = why[:1].lower() + why[1:]
        return f"{where} rejected the association ({why}; calling AE title {address.calling})"
    if elapsed >= address.timeout * 0.9:
        return f"{where} did not answer within {address.timeout:g} s"
    if answers:
        return f"{where} aborted the association"
    if opened:
        return (f"{where} closed the connection without answering (does it know the calling "
                f"AE title {address.calling}, and is {address.ae_title} its own?)")
    return f"{where} refused the connection (nothing listens on that port?)"


def echo(node: RemoteNode) -> EchoResult:
    """Send a C-ECHO to ``node``, store the outcome on it (uncommitted) and return it."""
    address = Address.of(node)
    try:
        with association(address, [Verification]) as assoc:
            status = assoc.send_c_echo()
            if status is None:
                raise NodeError(f"{address.ae_title} gave no answer to the echo within "
                                f"{address.timeout:g} s")
            code = int(status.Status)
            result = (EchoResult(True, f"{address.ae_title} answered the echo")
                      if code == SUCCESS else
                      EchoResult(False, f"{address.ae_title} answered with status 0x{code:04X}"))
    except NodeError as exc:
        result = EchoResult(False, str(exc))
    node.echo_ok, node.echo_message, node.echo_at = result.ok, result.message, utcnow()
    log.info("echo %s: %s", node.name, result.message)
    return result


def c_find(assoc, level: str, keys: dict, address: Address) -> list[Dataset]:
    """The matches of one C-FIND at ``level`` ("STUDY", "SERIES", "IMAGE")."""
    query = Dataset()
    query.QueryRetrieveLevel = level
    for keyword, value in keys.items():
        setattr(query, keyword, value)
    found = []
    for status, identifier in assoc.send_c_find(query, FIND):
        if not status:
            raise NoAnswer(f"{address.ae_title} stopped answering a {level.lower()} query "
                            f"(no response within {address.timeout:g} s or the association "
                            "ended)")
        code = int(status.Status)
        if code in PENDING:
            if identifier is not None:
                found.append(identifier)
        elif code != SUCCESS:
            raise NodeError(f"{address.ae_title} answered a {level.lower()} query with "
                            f"status 0x{code:04X}")
    return found


@dataclass
class RetrieveResult:
    """How one C-MOVE or C-GET ended: sub-operations and the SOP Instance UIDs that failed."""

    completed: int = 0
    failed: int = 0
    warning: int = 0
    failed_uids: tuple = ()
    status: int = SUCCESS


def retrieve(assoc, method: str, level: str, keys: dict, address: Address,
             destination: str | None = None) -> RetrieveResult:
    """One C-MOVE (to ``destination``) or C-GET at ``level``; raises NodeError on failure."""
    identifier = Dataset()
    identifier.QueryRetrieveLevel = level
    for keyword, value in keys.items():
        setattr(identifier, keyword, value)
    if method == MOVE:
        responses = assoc.send_c_move(identifier, destination, MOVE_MODEL)
    elif method == GET:
        responses = assoc.send_c_get(identifier, GET_MODEL)
    else:
        raise ValueError(f"unknown retrieve method {method!r}")
    result = RetrieveResult()
    final = None
    for status, response in responses:
        if not status:
            raise NodeError(f"{address.ae_title} stopped answering a retrieve (no response "
                            f"within {address.timeout:g} s or the association ended)")
        final = status
        if int(status.Status) not in PENDING:
            if response is not None and "FailedSOPInstanceUIDList" in response:
                value = response.FailedSOPInstanceUIDList or ()
                result.failed_uids = (value,) if isinstance(value, str) else tuple(value)
    if final is None:
        raise NodeError(f"{address.ae_title} gave no answer to a retrieve")
    code = int(final.Status)
    result.status = code
    result.completed = int(final.get("NumberOfCompletedSuboperations", 0) or 0)
    result.failed = int(final.get("NumberOfFailedSuboperations", 0) or 0)
    result.warning = int(final.get("NumberOfWarningSuboperations", 0) or 0)
    if code == 0xA801:
        raise NodeError(f"{address.ae_title} does not know the move destination {destination}: "
                        f"add Kerma's listener ({destination}) to its nodes")
    if code not in (SUCCESS, WARNING) and not (result.completed or result.failed):
        raise NodeError(f"{address.ae_title} answered a retrieve with status 0x{code:04X}")
    return result


def store_handler(on_object):
    """An EVT_C_STORE handler for C-GET: ``on_object(data, sop_instance_uid, calling)``."""

    def handle(event):
        from pynetdicom.dsutils import encode_file_meta

        request = event.request
        if str(request.AffectedSOPClassUID or "") not in STORAGE_CLASSES:
            return 0x0122
        meta = event.file_meta
        meta.SourceApplicationEntityTitle = event.assoc.acceptor.ae_title.strip()
        data = b"".join((b"\x00" * 128, b"DICM", encode_file_meta(meta),
                         request.DataSet.getvalue()))
        try:
            on_object(data, str(request.AffectedSOPInstanceUID or ""))
        except OSError as exc:
            log.error("cannot spool an object received by C-GET: %s", exc)
            return 0xA700
        return SUCCESS

    return [(evt.EVT_C_STORE, handle)]
