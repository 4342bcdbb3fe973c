"""Site settings of the DICOM listener and of what happens to received files after import."""
from datetime import datetime

from sqlalchemy import Boolean, DateTime, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

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
