"""The audit log: who deleted, changed, viewed or exported what, and who acknowledged alerts.

Changes are recorded in the transaction that makes them. Views and exports are recorded by
``record_access``, which commits at once: a page or file that reached the user is recorded
even if nothing else is written.
"""
from flask import has_request_context
from flask_login import current_user

from .extensions import db
from .models.auth import AuditLog

# Actions taken through ``flask`` commands have no logged-in user.
COMMAND_LINE = "(command line)"


def record_audit(action: str, target: str, details: str | None = None,
                 username: str | None = None) -> AuditLog:
    """Add an audit entry to the session; it is written by the caller's commit, with the change."""
    if username is None:
        username = _acting_username()
    entry = AuditLog(action=action, target=target, details=details, username=username)
    db.session.add(entry)
    return entry


def _acting_username() -> str | None:
    if not has_request_context():
        return COMMAND_LINE
    if current_user.is_authenticated:
        return current_user.username
    return None


#: Actions that record reading rather than changing (docs/audit.md).
VIEW_STUDY, VIEW_PATIENT, EXPORT = "view_study", "view_patient", "export"


def record_access(action: str, target: str, details: str | None = None) -> None:
    """Record that the current user saw or exported something, and commit."""
    record_audit(action, target[:255], details)
    db.session.commit()
