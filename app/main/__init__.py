"""Home page."""
from flask import Blueprint

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    """Placeholder until the home page lands."""
    return "Kerma"
