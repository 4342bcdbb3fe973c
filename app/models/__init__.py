"""Kerma's tables. One module per DICOM template family; importing this package registers all.

auth: users, their roles and the audit log.
"""
from . import auth  # noqa: F401
