"""Error pages in the site layout, or a small fragment when htmx made the request."""
from flask import render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db
from .htmx import is_htmx_request

# Said instead of werkzeug's generic descriptions, which speak of "the server".
MESSAGES = {
    400: "The request could not be understood.",
    403: "You do not have access to this page.",
    404: "There is nothing at this address.",
    405: "This address does not take that kind of request.",
    413: "The upload is larger than this site accepts.",
    500: "Something went wrong on our side. The error has been logged.",
}
TITLES = {400: "Bad request", 403: "No access", 404: "Not found", 405: "Not allowed",
          413: "Upload too large", 500: "Server error"}


def register(app):
    """Render 400, 403, 404, 405, 413 and 500 errors (and CSRF failures) as Kerma pages."""
    for code in (400, 403, 404, 405, 413):
        app.register_error_handler(code, render_error)
    app.register_error_handler(CSRFError, render_csrf_error)
    app.register_error_handler(500, render_server_error)


def render_error(error: HTTPException):
    """An HTTP error as a page, or as a fragment for htmx; the view's description wins."""
    message = error.description
    if message == type(error).description:
        message = MESSAGES.get(error.code, message)
    response = _render(error.code, message)
    if getattr(error, "valid_methods", None):
        response[2]["Allow"] = ", ".join(error.valid_methods)
    return response


def render_csrf_error(error: CSRFError):
    """A form without a valid CSRF token: most often a page left open too long."""
    return _render(400, "The form was not sent from this site, or it has expired. "
                        "Reload the page and try again.")


def render_server_error(error: InternalServerError):
    """An unexpected exception: undo the half-done transaction before rendering."""
    db.session.rollback()
    return _render(500, MESSAGES[500])


def _render(code, message):
    if request.path.startswith("/api/"):
        # Programs reading the JSON API get their errors as JSON too.
        return {"status": code, "error": message}, code, {}
    title = TITLES.get(code, "Error")
    template = "_partials/error.html" if is_htmx_request() else "errors/error.html"
    body = render_template(template, code=code, title=title, message=message)
    return body, code, {"Vary": "HX-Request"}
