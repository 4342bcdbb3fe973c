"""The modality pages: CT, fluoroscopy, mammography, radiography and nuclear medicine.

Each modality is a ``ModalityConfig`` (``ct.py`` ... ``nm.py``); ``base.make_blueprint``
turns each into its blueprint. ``MODALITIES`` is also the order of the home page.
"""
import math

from jinja2 import Undefined

from . import details
from .base import ModalityConfig, make_blueprint
from .ct import CT
from .dx import DX
from .mg import MG
from .nm import NM
from .rf import RF

#: Every modality, in the order OpenREM's home page shows them.
MODALITIES: tuple[ModalityConfig, ...] = (CT, RF, MG, DX, NM)


def config_for_modality_type(modality_type: str | None) -> ModalityConfig | None:
    """The modality page that shows studies of this ``modality_type`` (CR goes to DX)."""
    for config in MODALITIES:
        if modality_type in config.modality_types:
            return config
    return None


def format_number(value, places=None, scale=1.0) -> str:
    """A number for a table cell: ``places`` decimals, else four significant digits.

    Missing values give ""; text (a value already formatted with its note) passes through.
    """
    if value is None or isinstance(value, Undefined):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    number = float(value) * scale
    if places is None:
        return significant(number)
    return f"{number:.{places}f}"


def significant(number: float, digits: int = 4) -> str:
    """``number`` to ``digits`` significant digits, never in exponent notation.

    Small doses keep their precision (0.0001234 Gy, not 0.0001) and large ones lose none of
    their integer digits (46881, not 4.688e+04).
    """
    if number == 0 or number != number or number in (float("inf"), float("-inf")):
        return f"{number:g}"
    magnitude = math.floor(math.log10(abs(number)))
    places = max(0, digits - 1 - magnitude)
    text = f"{number:.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def register(app):
    """Register the five modality blueprints and the helpers their templates use."""
    for config in MODALITIES:
        app.register_blueprint(make_blueprint(config))
    app.add_template_filter(format_number, "num")
    from .cells import row_cells  # it formats with format_number, defined above
    app.add_template_global(row_cells, "row_cells")
    app.add_template_global(details, "details")
    app.add_template_global(MODALITIES, "modalities")
