"""Home page."""
from flask import Blueprint, render_template

from ..auth.roles import role_required

bp = Blueprint("main", __name__)


@bp.get("/")
@role_required("view")
def home():
    """The page a user lands on after logging in."""
    return render_template("main/home.html")
