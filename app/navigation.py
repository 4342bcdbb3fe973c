"""The navigation bar: which links exist, and which the current user sees.

Links name endpoints; a link whose endpoint is not registered (its part of the application
is not installed) is left out, so the bar never points at a missing page.
"""
from dataclasses import dataclass, field

from flask import current_app, request, url_for
from flask_login import current_user


@dataclass(frozen=True)
class NavLink:
    label: str
    endpoint: str
    # Shown to users holding any one of these roles (the views check the roles themselves).
    roles: tuple[str, ...] = ("view",)
    children: tuple["NavLink", ...] = field(default=())


NAV_LINKS = (
    NavLink("Home", "main.home"),
    NavLink("CT", "ct.studies"),
    NavLink("Fluoroscopy", "rf.studies"),
    NavLink("Mammography", "mg.studies"),
    NavLink("Radiography", "dx.studies"),
    NavLink("Nuclear medicine", "nm.studies"),
    NavLink("DRLs", "drl.comparison"),
    NavLink("Alerts", "alerts.index"),
    NavLink("Import", "imports.index", roles=("admin", "importsize", "importqr")),
    NavLink("Query-retrieve", "network.queries_page", roles=("importqr",)),
    NavLink("Exports", "exports.index", roles=("export",)),
    NavLink("Admin", "auth.user_list", roles=("admin",), children=(
        NavLink("Users", "auth.user_list", roles=("admin",)),
        NavLink("Equipment", "equipment.index", roles=("admin",)),
        NavLink("Patient identifiers", "patients.identifiers", roles=("admin",)),
        NavLink("Test patients", "patients.indicators", roles=("admin",)),
        NavLink("Standard names", "drl.names", roles=("admin",)),
        NavLink("DICOM network", "network.settings", roles=("admin",)),
        NavLink("Quarantine", "network.quarantine", roles=("admin",)),
        NavLink("Query-retrieve", "network.queries_page", roles=("admin",)),
        NavLink("Tasks", "tasks.index", roles=("admin",)),
        NavLink("Alert rules", "alerts.rules", roles=("admin",)),
        NavLink("Audit log", "admin.audit_log", roles=("admin",)),
    )),
)


def endpoint_url(endpoint: str, **values) -> str | None:
    """The URL of an endpoint, or None when no view is registered under that name."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


def visible_links(links=NAV_LINKS) -> list[dict]:
    """The links the current user may follow, with their URLs and whether they are current."""
    shown = []
    for link in links:
        if not current_user.has_any_role(*link.roles):
            continue
        url = endpoint_url(link.endpoint)
        if url is None:
            continue
        children = visible_links(link.children) if link.children else []
        shown.append({"label": link.label, "url": url, "children": children,
                      "active": _is_current(url)})
    return shown


def _is_current(url):
    # Each section lives under its own URL prefix (/ct/, /admin/users), home is "/" alone.
    if url == "/":
        return request.path == "/"
    return request.path == url or request.path.startswith(url.rstrip("/") + "/")


def register(app):
    """Make the navigation helpers available in every template."""
    app.jinja_env.globals.update(nav_links=visible_links, endpoint_url=endpoint_url)
