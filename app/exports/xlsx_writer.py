"""xlsx exports: a Summary sheet, "All data" (one study per row, its events to the right) and
one sheet per acquisition protocol (one row per event), written in one pass over the studies.

XlsxWriter writes the workbook in ``constant_memory`` mode (``spreadsheet.Workbook``): every
sheet streams to its own temporary file, so the sheets fill in parallel and memory stays
flat however many studies there are. Loader threads read the next batches from the database
while the rows of the current one are written (``loading.study_batches``).

A row, once written, cannot be revisited, so the "All data" header goes first: the number
of event blocks comes from an aggregate over the query before the first study is read
(``ModalityExport.block_counts``). The Summary sheet is the first sheet but is written last,
when its counts are known.
"""
import datetime
from collections import Counter
from pathlib import Path
from typing import Sequence

from ..extensions import db
from .columns import DATETIME, NUMBER, TEXT
from .common import NO_IDENTIFIERS, ModalityExport, PatientIdentifiers, exam_columns
from .loading import study_batches
from .rows import BlockPlan, RowPlan
from .spreadsheet import MAX_COLUMNS, Sheet, Workbook

SUMMARY, ALL_DATA = "Summary", "All data"
UNKNOWN_PROTOCOL = "Unknown protocol"


class SheetSeries:
    """A sheet that continues on a new sheet ("Name (2)"), headed the same, when it reaches
    Excel's row limit."""

    def __init__(self, workbook: Workbook, name: str, headers: Sequence[str]):
        self.workbook = workbook
        self.name = name
        self.headers = headers
        self.sheets: list[Sheet] = []
        self.current = self._start()

    def _start(self) -> Sheet:
        sheet = self.workbook.add_sheet(self.name)
        sheet.append_header(self.headers)
        self.sheets.append(sheet)
        return sheet

    def append(self, cells: list):
        """Add a row; a full sheet continues on the next."""
        if self.current.full:
            self.current = self._start()
        self.current.append(cells)


def write_xlsx(export: ModalityExport, query, path, identifiers: PatientIdentifiers = NO_IDENTIFIERS,
               session=None, description: str = "", max_rows: int | None = None) -> Path:
    """Write the xlsx export of ``query``'s studies to ``path``; ``description`` (the filters)
    goes to the Summary sheet. ``max_rows`` (the header included) defaults to Excel's."""
    session = session or db.session
    workbook = Workbook(path, max_rows=max_rows)
    try:
        _fill(workbook, export, query, identifiers, session, description)
        workbook.close()
    except BaseException:
        workbook.discard()
        raise
    return Path(path)


def _fill(workbook, export, query, identifiers, session, description):
    summary = workbook.add_sheet(SUMMARY, freeze_header=False)
    exam = RowPlan(exam_columns(export, identifiers), export.study_shape)
    event = RowPlan(export.event_columns, export.event_shape)
    blocks = [BlockPlan(block) for block in export.xlsx_blocks]
    counts = list(export.block_counts(session, query)) if blocks else []
    starts, limits = _block_layout(exam.width, blocks, counts)

    all_data = SheetSeries(workbook, ALL_DATA, exam.headers + _block_headers(blocks, limits))
    protocol_headers = exam.headers + event.headers
    protocol_sheets: dict[str | None, SheetSeries] = {}
    descriptions, requests, protocols = Counter(), Counter(), Counter()
    study_description = export.study_shape.position("study.study_description")
    requested = export.study_shape.position("study.requested_procedure_code_meaning")
    exam_kinds, event_kinds, exam_width = exam.kinds, event.kinds, exam.width
    cells = workbook.cells
    studies = 0
    clipped = False

    for batch in study_batches(session, query, export):
        for study in batch:
            studies += 1
            values = study.values
            descriptions[values[study_description]] += 1
            requests[values[requested]] += 1
            exam_cells = cells(exam.values(values), exam_kinds)
            row = exam_cells
            for k, plan in enumerate(blocks):
                items = plan.items(study)
                allowed = min(len(items), limits[k])
                clipped |= allowed < len(items)
                if allowed:
                    row = row + [cell for i in range(allowed) for cell in cells(
                        plan.values(items[i]), plan.kinds, starts[k] + i * plan.width)]
            all_data.append(row)
            for item in export.events(study):
                protocol = export.protocol(item)
                protocols[protocol] += 1
                sheet = protocol_sheets.get(protocol)
                if sheet is None:
                    sheet = protocol_sheets[protocol] = SheetSeries(
                        workbook, protocol or UNKNOWN_PROTOCOL, protocol_headers)
                sheet.append(exam_cells + cells(event.values(item), event_kinds, exam_width))

    _order_sheets(workbook, summary, all_data, protocol_sheets)
    _write_summary(summary, export, studies, description, identifiers, descriptions, requests,
                   protocols, protocol_sheets, clipped)


def _block_layout(exam_width, blocks, counts):
    """Each block's first column and how many of its items fit within Excel's column limit."""
    starts, limits = [], []
    column = exam_width
    for plan, count in zip(blocks, counts):
        starts.append(column)
        room = max((MAX_COLUMNS - column) // plan.width, 0)
        limits.append(min(count, room))
        column += limits[-1] * plan.width
    return starts, limits


def _block_headers(blocks, counts):
    headers = []
    for plan, count in zip(blocks, counts):
        headers += plan.headers_for(count)
    return headers[:MAX_COLUMNS]


def _order_sheets(workbook, summary, all_data, protocol_sheets):
    """Summary, All data, then the protocol sheets in alphabetical order."""
    protocol_order = sorted(protocol_sheets.values(), key=lambda series: series.sheets[0].name.lower())
    workbook.order([summary, *all_data.sheets,
                    *(sheet for series in protocol_order for sheet in series.sheets)])


def _write_summary(sheet, export, studies, description, identifiers, descriptions, requests,
                   protocols, protocol_sheets, clipped):
    created = datetime.datetime.now().replace(microsecond=0)
    sheet.append_values(["Kerma export", f"{export.title} studies"], [TEXT, TEXT])
    sheet.append_values(["Created", created], [TEXT, DATETIME])
    sheet.append_values(["Filters", description or "none"], [TEXT, TEXT])
    sheet.append_values(["Number of studies", studies], [TEXT, NUMBER])
    sheet.append_values(["Patient identifiers", "included" if identifiers else "not included"],
                        [TEXT, TEXT])
    if clipped:
        sheet.append_values(["Note", "Some studies have more events than fit in Excel's 16,384 "
                             "columns; the All data sheet shows the first ones, the protocol "
                             "sheets all of them."], [TEXT, TEXT])
    sheet.append_values([], [])
    headers = ["Study description", "Frequency", "", "Requested procedure", "Frequency", "",
               export.protocol_label, "Frequency", "", "Sheet", export.protocol_label]
    sheet.append_header(headers)
    sheet.set_width(0, 40)
    sheet.set_width(3, 40)
    sheet.set_width(6, 40)
    sheet.set_width(9, 32)
    sheet.set_width(10, 40)
    tables = [_by_frequency(descriptions), _by_frequency(requests), _by_frequency(protocols)]
    names = sorted(((series.sheets[0].name, protocol) for protocol, series in protocol_sheets.items()),
                   key=lambda pair: pair[0].lower())
    kinds = [TEXT, NUMBER, TEXT, TEXT, NUMBER, TEXT, TEXT, NUMBER, TEXT, TEXT, TEXT]
    for i in range(max([len(table) for table in tables] + [len(names)], default=0)):
        row = []
        for table in tables:
            row += list(table[i]) if i < len(table) else [None, None]
            row.append(None)
        row += list(names[i]) if i < len(names) else [None, None]
        sheet.append_values(row, kinds)


def _by_frequency(counter: Counter) -> list[tuple]:
    """(value, count) pairs, most frequent first, then alphabetically; None shows as blank."""
    return sorted(counter.items(), key=lambda pair: (-pair[1], str(pair[0] or "").lower()))
