"""Kerma's DICOM Store SCP: accepts dose objects, spools them and queues their import.

Receiving never waits for importing: a C-STORE is answered as soon as the object is safely on
disk in the spool and its import task is queued. Only the SOP classes Kerma can import are
accepted; any other presentation context is rejected during association negotiation, and a
C-STORE of another SOP class on an accepted context gets status 0x0122 (SOP class not
supported). Associations from calling AE titles or hosts that are not allowed are rejected.
"""
import logging
import socket
import threading
import time
from dataclasses import dataclass, field

from pydicom import uid as uids
from pynetdicom import AE, evt
from pynetdicom.dsutils import encode_file_meta
from pynetdicom.sop_class import Verification

from ..extractors import sop
from ..spool import Spool
from .settings import HostFilter, ListenerSettings

log = logging.getLogger("kerma.dicom")

#: The SOP classes Kerma imports, with a name for the logs.
STORAGE_CLASSES = {
    sop.XRAY_RADIATION_DOSE_SR: "X-Ray Radiation Dose SR",
    sop.ENHANCED_SR: "Enhanced SR",
    sop.RADIOPHARMACEUTICAL_RADIATION_DOSE_SR: "Radiopharmaceutical Radiation Dose SR",
    sop.MG_IMAGE_FOR_PRESENTATION: "Digital Mammography X-Ray Image (presentation)",
    sop.MG_IMAGE_FOR_PROCESSING: "Digital Mammography X-Ray Image (processing)",
    sop.DX_IMAGE_FOR_PRESENTATION: "Digital X-Ray Image (presentation)",
    sop.DX_IMAGE_FOR_PROCESSING: "Digital X-Ray Image (processing)",
    sop.CR_IMAGE: "Computed Radiography Image",
    sop.SECONDARY_CAPTURE: "Secondary Capture Image",
    sop.NM_IMAGE: "Nuclear Medicine Image",
    sop.PET_IMAGE: "Positron Emission Tomography Image",
}
STRUCTURED_REPORTS = {sop.XRAY_RADIATION_DOSE_SR, sop.ENHANCED_SR,
                      sop.RADIOPHARMACEUTICAL_RADIATION_DOSE_SR}

#: Every object may come uncompressed or deflated.
NATIVE_TRANSFER_SYNTAXES = [
    uids.ExplicitVRLittleEndian,
    uids.ImplicitVRLittleEndian,
    uids.DeflatedExplicitVRLittleEndian,
    uids.ExplicitVRBigEndian,
]
#: Images may also come compressed; Kerma reads their headers only, so it never decodes them.
COMPRESSED_TRANSFER_SYNTAXES = [
    uids.JPEGBaseline8Bit,
    uids.JPEGExtended12Bit,
    uids.JPEGLossless,
    uids.JPEGLosslessSV1,
    uids.JPEGLSLossless,
    uids.JPEGLSNearLossless,
    uids.JPEG2000Lossless,
    uids.JPEG2000,
    uids.HTJ2KLossless,
    uids.HTJ2KLosslessRPCL,
    uids.HTJ2K,
    uids.RLELossless,
]

#: A C-STORE answered later than this (seconds) is logged with where the time went.
SLOW_STORE_SECONDS = 2.0

SUCCESS = 0x0000
SOP_CLASS_NOT_SUPPORTED = 0x0122
OUT_OF_RESOURCES = 0xA700
# A-ASSOCIATE-RJ: rejected permanent, by the service user; reason 1 "no reason given"
# (a host that is not allowed), 3 "calling AE title not recognised" or 7 "called AE title not
# recognised" (PS3.8 section 9.3.4).
REJECT_PERMANENT, SERVICE_USER = 0x01, 0x01
NO_REASON, CALLING_AE_NOT_RECOGNISED, CALLED_AE_NOT_RECOGNISED = 0x01, 0x03, 0x07


@dataclass
class Counters:
    """What the listener has done since it started, for the heartbeat and the admin page."""

    associations: int = 0
    rejected_associations: int = 0
    stored: int = 0
    refused: int = 0
    errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, name: str):
        """Count one more of ``name``."""
        with self.lock:
            setattr(self, name, getattr(self, name) + 1)

    def as_dict(self) -> dict:
        """The counts, for JSON."""
        return {name: getattr(self, name) for name in
                ("associations", "rejected_associations", "stored", "refused", "errors")}


def build_ae(settings: ListenerSettings, config) -> AE:
    """A pynetdicom AE offering Verification and storage of the classes Kerma imports."""
    ae = AE(ae_title=settings.ae_title)
    ae.add_supported_context(Verification)
    for sop_class in STORAGE_CLASSES:
        syntaxes = NATIVE_TRANSFER_SYNTAXES
        if sop_class not in STRUCTURED_REPORTS:
            syntaxes = NATIVE_TRANSFER_SYNTAXES + COMPRESSED_TRANSFER_SYNTAXES
        ae.add_supported_context(sop_class, syntaxes)
    ae.require_called_aet = bool(config.get("DICOM_REQUIRE_CALLED_AE", True))
    ae.maximum_associations = int(config.get("DICOM_MAX_ASSOCIATIONS", 10))
    ae.maximum_pdu_size = int(config.get("DICOM_MAX_PDU", 262144))
    # A peer that stops talking mid-association should not hold a slot for ever.
    ae.network_timeout = 120
    return ae


class StoreSCP:
    """The association server: access checks, C-ECHO and C-STORE into the spool.

    ``enqueue(path, source)`` is called for every stored file; it must be quick (it queues
    the import task). ``update_access`` changes the allowed peers of a running server.
    """

    def __init__(self, settings: ListenerSettings, spool: Spool, enqueue, config=None):
        self.settings = settings
        self.spool = spool
        self.enqueue = enqueue
        self.config = config or {}
        self.counters = Counters()
        self._allowed_aets = frozenset(settings.allowed_ae_titles)
        self._hosts = HostFilter(settings.allowed_hosts)
        self._server = None

    # Lifecycle ---------------------------------------------------------------------------
    def start(self):
        """Listen on the configured address in background threads."""
        self.spool.create()
        ae = build_ae(self.settings, self.config)
        handlers = [
            (evt.EVT_CONN_OPEN, self._on_connection),
            (evt.EVT_REQUESTED, self._on_requested),
            (evt.EVT_ACCEPTED, self._on_accepted),
            (evt.EVT_C_ECHO, self._on_echo),
            (evt.EVT_C_STORE, self._on_store),
        ]
        self._server = ae.start_server((self.settings.bind, self.settings.port), block=False,
                                       evt_handlers=handlers)
        log.info("listening as %s on %s port %d", self.settings.ae_title, self.settings.bind,
                 self.port)

    def stop(self):
        """Stop listening; associations in progress are ended."""
        if self._server is not None:
            self._server.shutdown()
            self._server = None
            log.info("stopped listening on %s port %d", self.settings.bind, self.settings.port)

    @property
    def port(self) -> int:
        """The port actually listened on (the configured one, or the one chosen for port 0)."""
        if self._server is not None:
            return self._server.server_address[1]
        return self.settings.port

    def update_access(self, settings: ListenerSettings):
        """Apply new allowed AE titles and hosts to associations from now on."""
        if (settings.allowed_ae_titles, settings.allowed_hosts) != (
                self.settings.allowed_ae_titles, self.settings.allowed_hosts):
            self._hosts = HostFilter(settings.allowed_hosts)
            self._allowed_aets = frozenset(settings.allowed_ae_titles)
            log.info("allowed AE titles now %s, allowed hosts %s",
                     ", ".join(settings.allowed_ae_titles) or "any",
                     ", ".join(settings.allowed_hosts) or "any")
        self.settings = settings

    # Event handlers ----------------------------------------------------------------------
    def _on_connection(self, event):
        """Tune the connection for many small exchanges (``quick_exchanges``)."""
        quick_exchanges(event)

    def _on_requested(self, event):
        """Reject, before negotiation, an association from a peer that is not allowed."""
        assoc = event.assoc
        calling = (assoc.requestor.primitive.calling_ae_title or "").strip()
        called = (assoc.requestor.primitive.called_ae_title or "").strip()
        address = assoc.requestor.address
        if not self._hosts.allows(address):
            reason, diagnostic = "its host is not allowed", NO_REASON
        elif self._allowed_aets and calling not in self._allowed_aets:
            reason, diagnostic = "its calling AE title is not allowed", CALLING_AE_NOT_RECOGNISED
        elif assoc.ae.require_called_aet and called != self.settings.ae_title.strip():
            reason = f"its called AE title is {called or '(empty)'}, not {self.settings.ae_title}"
            diagnostic = CALLED_AE_NOT_RECOGNISED
        else:
            return
        self.counters.add("rejected_associations")
        log.warning("rejected an association from %s at %s: %s", calling, address, reason)
        assoc.acse.send_reject(REJECT_PERMANENT, SERVICE_USER, diagnostic)
        # Stopping the association waits until the rejection has been sent.
        assoc.kill()

    def _on_accepted(self, event):
        """Count the association and log the presentation contexts it could not have."""
        assoc = event.assoc
        self.counters.add("associations")
        calling = assoc.requestor.ae_title.strip()
        log.info("association from %s at %s", calling, assoc.requestor.address)
        refused = {}
        for context in assoc.rejected_contexts:
            refused.setdefault(str(context.abstract_syntax), _context_result(context.result))
        if refused:
            # Senders such as storescu propose every storage class they know: one line each
            # association, not one per context.
            log.info("refused %d presentation context(s) from %s: %s", len(refused), calling,
                     "; ".join(f"{_name(uid)} ({uid}): {why}" for uid, why in refused.items()))

    def _on_echo(self, event):
        """Answer a C-ECHO (verification)."""
        return SUCCESS

    def _on_store(self, event):
        """Spool the object as received (file meta + dataset, undecoded) and queue its import."""
        request = event.request
        sop_class = str(request.AffectedSOPClassUID or "")
        calling = event.assoc.requestor.ae_title.strip()
        address = event.assoc.requestor.address
        if sop_class not in STORAGE_CLASSES:
            self.counters.add("refused")
            log.warning("refused a C-STORE of %s (%s) from %s at %s: not a class Kerma imports",
                        sop_class, _name(sop_class), calling, address)
            return SOP_CLASS_NOT_SUPPORTED
        meta = event.file_meta
        # As dcmtk's storescp does: the file says which AE sent it.
        meta.SourceApplicationEntityTitle = calling
        data = b"".join((b"\x00" * 128, b"DICM", encode_file_meta(meta),
                         request.DataSet.getvalue()))
        started = time.monotonic()
        try:
            path = self.spool.add(data, str(request.AffectedSOPInstanceUID or ""))
        except OSError as exc:
            self.counters.add("errors")
            log.error("cannot spool a C-STORE from %s: %s", calling, exc)
            return OUT_OF_RESOURCES
        written = time.monotonic()
        self.counters.add("stored")
        try:
            self.enqueue(path, f"{calling} at {address}")
        except Exception:
            # The file is safe in the spool; the worker's sweep queues it within minutes.
            log.exception("stored %s but could not queue its import", path.name)
        finished = time.monotonic()
        if finished - started > SLOW_STORE_SECONDS:
            # Senders give up after their DIMSE timeout (often 30 s): say where time went.
            log.warning("storing %s took %.1f s (%.1f s writing to the spool, %.1f s queueing)",
                        path.name, finished - started, written - started, finished - written)
        return SUCCESS


def quick_exchanges(event):
    """Tune an association's connection for many small exchanges (an EVT_CONN_OPEN handler).

    A sender with Nagle's algorithm on holds each data PDU until the command PDU before
    it is acknowledged, and Linux delays acknowledgements by up to 40 ms: that caps a
    sender at a couple of dozen objects a second. Acknowledging at once after every read
    (TCP_QUICKACK, which the kernel switches off again by itself) and sending our own
    PDUs at once (TCP_NODELAY) removes both waits.
    """
    wrapper = getattr(event.assoc.dul, "socket", None)
    sock = getattr(wrapper, "socket", None)
    if sock is None:
        return
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError:
        return
    if not hasattr(socket, "TCP_QUICKACK"):
        return
    receive = wrapper.recv

    def receive_and_acknowledge(nr_bytes):
        data = receive(nr_bytes)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        except OSError:
            pass
        return data

    wrapper.recv = receive_and_acknowledge


def _name(uid: str) -> str:
    if uid in STORAGE_CLASSES:
        return STORAGE_CLASSES[uid]
    name = uids.UID(uid).name
    return name if name != uid else "unknown SOP class"


def _context_result(result) -> str:
    return {0x01: "rejected by the user", 0x02: "no reason given",
            0x03: "abstract syntax (SOP class) not supported",
            0x04: "transfer syntaxes not supported"}.get(result, f"result {result}")
