"""The listener's settings: configuration defaults, overridden by the row the admin page saves."""
import ipaddress
import logging
import socket
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models.network import DicomKeepSettings, DicomStoreSettings

log = logging.getLogger(__name__)

AE_TITLE_LENGTH = 16


@dataclass(frozen=True)
class ListenerSettings:
    """Where the listener listens and whom it lets in (empty allowed lists: anyone)."""

    ae_title: str
    port: int
    bind: str
    allowed_ae_titles: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = ()

    @property
    def address(self) -> tuple[str, int, str]:
        """What a change of needs a restart of the server: bind address, port, AE title."""
        return (self.bind, self.port, self.ae_title)


def listener_settings() -> ListenerSettings:
    """The settings in force: each saved column wins over the configuration."""
    config = current_app.config
    row = db.session.scalars(select(DicomStoreSettings)).first()

    def pick(column, key):
        value = getattr(row, column) if row is not None else None
        return config[key] if value is None else value

    allowed_aets = (split_lines(row.allowed_ae_titles)
                    if row is not None and row.allowed_ae_titles is not None
                    else tuple(config["DICOM_ALLOWED_AE_TITLES"] or ()))
    allowed_hosts = (split_lines(row.allowed_hosts)
                     if row is not None and row.allowed_hosts is not None
                     else tuple(config["DICOM_ALLOWED_HOSTS"] or ()))
    return ListenerSettings(
        ae_title=str(pick("ae_title", "DICOM_AE_TITLE")).strip(),
        port=int(pick("port", "DICOM_PORT")),
        bind=str(pick("bind_address", "DICOM_BIND")).strip(),
        allowed_ae_titles=tuple(a.strip() for a in allowed_aets if a.strip()),
        allowed_hosts=tuple(h.strip() for h in allowed_hosts if h.strip()),
    )


def stored_settings() -> DicomStoreSettings:
    """The saved settings row (a new, unsaved one when there is none)."""
    return db.session.scalars(select(DicomStoreSettings)).first() or DicomStoreSettings()


def keep_settings() -> DicomKeepSettings:
    """The saved keep-files row (a new one, keeping nothing, when there is none)."""
    row = db.session.scalars(select(DicomKeepSettings)).first()
    if row is None:
        row = DicomKeepSettings(**{column: False for column in DicomKeepSettings.KINDS.values()})
    return row


def split_lines(text: str | None) -> tuple[str, ...]:
    """Entries of a one-per-line (or comma separated) list, blanks dropped."""
    if not text:
        return ()
    return tuple(part.strip() for line in text.splitlines() for part in line.split(",")
                 if part.strip())


def check_ae_title(title: str) -> str | None:
    """Why ``title`` is not a valid AE title, or None: 1-16 printable ASCII, no backslash."""
    if not title or not title.strip():
        return "An AE title cannot be empty."
    if len(title) > AE_TITLE_LENGTH:
        return f"An AE title has at most {AE_TITLE_LENGTH} characters."
    if any(ord(char) < 32 or ord(char) > 126 or char == "\\" for char in title):
        return "An AE title holds printable ASCII characters only, and no backslash."
    return None


def check_host(entry: str) -> str | None:
    """Why ``entry`` is not an address, network or plausible host name, or None."""
    try:
        ipaddress.ip_network(entry, strict=False)
        return None
    except ValueError:
        pass
    labels = entry.rstrip(".").split(".")
    if all(label and len(label) <= 63 and label.replace("-", "").isalnum()
           and not label.startswith("-") for label in labels):
        return None
    return f"{entry!r} is neither an IP address, a network (10.1.0.0/16) nor a host name."


@dataclass
class HostFilter:
    """Which peer addresses may associate; host names are resolved when the filter is made."""

    entries: tuple[str, ...]
    networks: list = field(default_factory=list)

    def __post_init__(self):
        for entry in self.entries:
            try:
                self.networks.append(ipaddress.ip_network(entry, strict=False))
                continue
            except ValueError:
                pass
            try:
                infos = socket.getaddrinfo(entry, None, proto=socket.IPPROTO_TCP)
            except OSError as exc:
                log.warning("allowed host %s cannot be resolved (%s); it is ignored", entry, exc)
                continue
            for info in infos:
                self.networks.append(ipaddress.ip_network(info[4][0]))

    def allows(self, address: str) -> bool:
        """True when no hosts are listed, or ``address`` is in one of the listed ones."""
        if not self.entries:
            return True
        try:
            peer = ipaddress.ip_address(address)
        except ValueError:
            return False
        if isinstance(peer, ipaddress.IPv6Address) and peer.ipv4_mapped:
            peer = peer.ipv4_mapped
        return any(peer.version == net.version and peer in net for net in self.networks)
