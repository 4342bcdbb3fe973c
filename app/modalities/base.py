"""One machinery for the five modality pages: a configuration object and a blueprint maker.

A modality differs from the others in data, not in control flow: which ``modality_type``
values it shows, which filters and list columns it offers, how its detail page draws the
events. ``ModalityConfig`` says that; ``make_blueprint`` turns it into the endpoints
``<key>.studies``, ``<key>.study``, ``<key>.delete_study`` and ``<key>.bulk_delete``.
"""
from dataclasses import dataclass, field
from typing import Any, Callable

from flask import Blueprint

from ..auth.roles import role_required
from . import views


@dataclass(frozen=True)
class Column:
    """A column of a list page.

    ``label`` carries the unit, e.g. "Total DLP (mGy·cm)"; ``value`` takes a study (its
    equipment loaded) and returns what the cell shows; ``sort`` names an ordering key of
    ``filtering.ORDERINGS`` when the header sorts the list. ``kind`` is ``text``, ``number``
    (shown with ``places`` decimals), ``datetime`` (the link to the study) or ``parts``
    (a list of ``(label, number)`` pairs such as one per plane, one line each).
    """

    label: str
    value: Callable[[Any], Any]
    sort: str | None = None
    kind: str = "text"
    # Decimals shown; None shows four significant digits (for small doses).
    places: int | None = 0


@dataclass(frozen=True)
class ModalityConfig:
    """Everything that makes one modality page what it is.

    - ``key``: blueprint name and URL prefix (``ct`` gives ``/ct/`` and ``ct.studies``);
    - ``title``: what people call it ("Fluoroscopy"), ``short_title`` for the tab;
    - ``modality_types``: the ``GeneralStudyModuleAttr.modality_type`` values shown;
    - ``filters``: ``filtering.Filter`` objects, in the order the form shows them;
    - ``columns``: ``Column`` objects of the list;
    - ``orderings``: keys of ``filtering.ORDERINGS`` offered on this page;
    - ``list_options``: loader options that fetch what the columns read for a whole page
      at once (the equipment is always loaded);
    - ``detail_template`` and ``detail_options``: the study page and the loader options
      that fetch its whole tree in a fixed number of queries;
    - ``detail_context``: a function of the study returning extra template values;
    - ``highlight``: a function of (study, app config) telling whether a row is at or
      above an alert level, and ``highlight_note`` a function of the app config saying
      what the highlighting means;
    """

    key: str
    title: str
    modality_types: tuple[str, ...]
    filters: tuple = ()
    columns: tuple[Column, ...] = ()
    orderings: tuple[str, ...] = ("date",)
    list_options: tuple = ()
    detail_template: str = "modality/study.html"
    detail_options: tuple = ()
    detail_context: Callable[[Any], dict] | None = None
    highlight: Callable[[Any, Any], bool] | None = None
    highlight_note: Callable[[Any], str] | None = None
    export_formats: tuple[str, ...] = ("csv", "xlsx")
    short_title: str | None = field(default=None)

    @property
    def tab_title(self) -> str:
        """The short name for page titles and buttons."""
        return self.short_title or self.title


def make_blueprint(config: ModalityConfig) -> Blueprint:
    """The blueprint of one modality: list, detail, delete and bulk delete."""
    bp = Blueprint(config.key, __name__, url_prefix=f"/{config.key}")

    @bp.get("/")
    @role_required()
    def studies():
        """The filtered, paginated list; a fragment for htmx, else the whole page."""
        return views.study_list(config)

    @bp.get("/<int:study_id>")
    @role_required()
    def study(study_id):
        """Everything stored about one study."""
        return views.study_detail(config, study_id)

    @bp.route("/<int:study_id>/delete", methods=["GET", "POST"])
    @role_required("admin")
    def delete_study(study_id):
        """Ask before deleting one study (GET), then delete it (POST)."""
        return views.delete_study(config, study_id)

    @bp.route("/delete", methods=["GET", "POST"])
    @role_required("admin")
    def bulk_delete():
        """Ask before deleting every study of the current filter (GET), then do it (POST)."""
        return views.bulk_delete(config)

    return bp
