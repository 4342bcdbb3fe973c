"""Small helpers for views that answer htmx requests with fragments."""
from flask import request


def is_htmx_request() -> bool:
    """True when htmx made the request and expects a fragment, not a whole page.

    Boosted links and forms (``hx-boost``) want whole pages, so they count as ordinary requests.
    """
    return (request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-Boosted") != "true")
