"""The Charts view of each modality list: the same filters, the chosen charts, their tables."""
import csv
import io
import json

from flask import Response, abort, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import select

from ..audit import EXPORT, record_access
from ..auth.roles import role_required
from ..exports.columns import neutralise
from ..extensions import db
from ..modalities import MODALITIES
from ..modalities.filtering import apply_filters, visible_filters
from ..models.drl import DrlSet
from . import bp
from .data import STATISTICS, charts_data, sort_rows
from .definitions import CHARTS
from .overlay import drl_levels

STATISTIC_CHOICES = {"median": "Median", "mean": "Mean", "boxplot": "Box plot"}
ORDERS = {"name": "Name", "value": "Value, highest first", "count": "Number of values"}
#: The chart options a query string carries (everything else is a filter).
OPTIONS = ("chart", "statistic", "split", "order", "drl")


def _config(modality):
    config = next((c for c in MODALITIES if c.key == modality), None)
    if config is None or modality not in CHARTS:
        abort(404)
    return config


def _choices(modality, args):
    """The chart options from the URL; without any, the ones this user chose last."""
    saved = _saved_options()
    if not any(name in args for name in OPTIONS):
        args = saved.get(modality) or {}
    known = {chart.key for chart in CHARTS[modality]}
    charts = [key for key in (args.getlist("chart") if hasattr(args, "getlist")
                              else args.get("chart", [])) if key in known]
    choices = {
        "chart": charts or [chart.key for chart in CHARTS[modality]],
        "statistic": args.get("statistic") if args.get("statistic") in STATISTIC_CHOICES
        else "median",
        "split": args.get("split") in ("1", "on", True),
        "order": args.get("order") if args.get("order") in ORDERS else "name",
        "drl": _set_id(args.get("drl")),
    }
    remembered = {**choices, "split": "1" if choices["split"] else ""}
    if saved.get(modality) != remembered:
        current_user.chart_options = json.dumps({**saved, modality: remembered})
        db.session.commit()
    return choices


def _set_id(value):
    try:
        wanted = int(value)
    except (TypeError, ValueError):
        return None
    return wanted if db.session.get(DrlSet, wanted) is not None else None


def _saved_options() -> dict:
    """The user's last chart choices per modality (nothing, if unreadable)."""
    try:
        saved = json.loads(current_user.chart_options or "{}")
    except ValueError:
        return {}
    return saved if isinstance(saved, dict) else {}


def _studies(config):
    result = apply_filters(config, request.args, pid=current_user.has_role("pid"))
    return result, result.unordered.whereclause


@bp.get("/<modality>/")
@role_required()
def charts(modality):
    config = _config(modality)
    choices = _choices(modality, request.args)
    result, studies = _studies(config)
    chosen = [chart for chart in CHARTS[modality] if chart.key in choices["chart"]]
    shown = charts_data(chosen, studies,
                        split=choices["split"],
                        workers=current_app.config["CHART_QUERY_WORKERS"],
                        work_mem=current_app.config["CHART_WORK_MEM"])
    for item in shown:
        chart, rows = item["chart"], item["rows"]
        if choices["drl"]:
            levels = drl_levels(db.session, chart, modality, choices["drl"],
                                {row["category"] for row in rows})
            for row in rows:
                row["drl"] = levels.get(row["category"])
        if chart.kind in ("category", "frequency"):  # months and bands keep their order
            item["rows"] = sort_rows(rows, choices["order"], choices["statistic"])
    filters = {key: value for key, value in request.args.items(multi=True)
               if key not in OPTIONS}
    template = "charts/_charts.html" if request.headers.get("HX-Request") else "charts/page.html"
    return render_template(template, config=config, charts=CHARTS[modality], shown=shown,
                           choices=choices, result=result, args=request.args,
                           filters=visible_filters(config, current_user.has_role("pid")),
                           filter_args=filters, statistic_choices=STATISTIC_CHOICES,
                           orders=ORDERS, drl_sets=db.session.scalars(
                               select(DrlSet).order_by(DrlSet.name)).all())


@bp.get("/<modality>/<chart_key>.csv")
@role_required()
def chart_csv(modality, chart_key):
    config = _config(modality)
    chart = next((c for c in CHARTS[modality] if c.key == chart_key), None) or abort(404)
    _, studies = _studies(config)
    split = request.args.get("split") in ("1", "on")
    rows = charts_data([chart], studies, split=split,
                       work_mem=current_app.config["CHART_WORK_MEM"])[0]["rows"]
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    system = ["System"] if split else []
    if chart.kind == "workload":
        writer.writerow(["Weekday", "Hour", "Studies"])
        for row in rows:
            writer.writerow([row["category"], row["hour"], row["n"]])
    elif chart.kind == "frequency":
        writer.writerow(["Category", *system, chart.counted])
        for row in rows:
            writer.writerow([_text(row["category"]), *([_text(row["system"])] if split else []),
                             row["n"]])
    else:
        unit = f" ({chart.unit})"
        band = ([f"{chart.x_quantity} from ({chart.x_unit})", f"to ({chart.x_unit})"]
                if chart.kind == "scatter" else [])
        writer.writerow(["Category", *system, *band, "Count",
                         *(f"{name.capitalize()}{unit}" for name in STATISTICS[1:])])
        for row in rows:
            edges = ([_number(row["band"]), _number(row["band"] + chart.band)]
                     if chart.kind == "scatter" else [])
            writer.writerow([_text(row["category"]), *([_text(row["system"])] if split else []),
                             *edges, row["n"], *(_number(row[name]) for name in STATISTICS[1:])])
    filters = "; ".join(f"{key}={value}" for key, value in request.args.items(multi=True)
                        if value != "")
    record_access(EXPORT, f"{modality} chart {chart_key} csv",
                  f"filters: {filters or 'none'}; rows: {len(rows)}")
    return Response(buffer.getvalue().encode("utf-8"), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="{modality}-{chart.key}.csv"'})


def _text(value):
    return neutralise(str(value)) if value is not None else ""


def _number(value):
    return "" if value is None else f"{value:.6g}"
