"""Exports: csv and xlsx files of the studies a list page shows, and national survey formats.

``EXPORTS`` maps a modality key (ct, rf, mg, dx, nm) to its ``ModalityExport``;
``csv_chunks`` streams a csv, ``write_xlsx`` writes a workbook to a file.
"""
from .common import ModalityExport, PatientIdentifiers, stored_identifiers
from .csv_writer import csv_chunks
from .xlsx_writer import write_xlsx


def _exports():
    from . import ct, dx, mg, nm, rf

    return {export.key: export for export in (ct.EXPORT, rf.EXPORT, mg.EXPORT, dx.EXPORT, nm.EXPORT)}


EXPORTS: dict[str, ModalityExport] = _exports()

__all__ = ["EXPORTS", "ModalityExport", "PatientIdentifiers", "csv_chunks", "stored_identifiers",
           "write_xlsx"]
