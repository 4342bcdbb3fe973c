"""The cells of a list page's rows, written in Python.

A page of 25 studies has about 300 cells; a Jinja macro call for each cost about a millisecond
of every list page. ``row_cells`` writes the same markup with the same escaping: every value
read from a study goes through ``markupsafe.escape``.
"""
from flask import url_for
from markupsafe import Markup, escape


def row_cells(config, study) -> Markup:
    """The ``<td>`` cells of ``study``'s row, one per column of ``config``."""
    from . import format_number  # the ``num`` filter, defined beside the blueprints

    cells = []
    for column in config.columns:
        value = column.value(study)
        if column.kind == "datetime":
            day, time = value
            text = escape(day.isoformat()) if day else "no date"
            if time:
                text += " " + escape(time.strftime("%H:%M"))
            url = escape(url_for(f"{config.key}.study", study_id=study.id))
            cells.append(f'<td class="text-nowrap"><a href="{url}">{text}</a></td>')
        elif column.kind == "number":
            cells.append(f'<td class="number">{escape(format_number(value, column.places))}</td>')
        elif column.kind == "parts":
            lines = []
            for label, number in value:
                shown = (f'<span class="text-body-secondary small">{escape(label)}</span> '
                         if label else "")
                lines.append(f"<div>{shown}{escape(format_number(number, column.places))}</div>")
            cells.append(f'<td class="number">{"".join(lines)}</td>')
        else:
            cells.append(f"<td>{escape(value) if value is not None else ''}</td>")
    return Markup("".join(cells))
