"""Kerma's rows on XlsxWriter worksheets: Excel's limits and sheet names, typed cells, and text
neutralised against formula injection.

XlsxWriter writes the workbook in ``constant_memory`` mode: each worksheet streams its rows
to its own temporary file as they come, so rows may go to any sheet at any time (in order
within a sheet) and memory stays flat however many rows there are. Strings are written as
inline strings, never read as formulas, URLs or numbers.

A row is a list of cells made once by ``Workbook.cells`` and written by ``Sheet.append``, so
the study columns of a study are converted once however many event rows repeat them.
"""
import datetime
import re
import shutil
import tempfile
from pathlib import Path
from typing import Sequence

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from .columns import DATE, DATETIME, FORMULA_STARTS, NUMBER, TEXT, TIME

#: Rows of an Excel worksheet, the header included.
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
MAX_TEXT = 32_767
SHEET_NAME_LENGTH = 31
#: Dates before this are outside Excel's 1900 date system; they are written as text.
FIRST_DATE = datetime.date(1900, 1, 1)

_SURROGATES = re.compile("[\ud800-\udfff]")
_INVALID_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\]")
# XlsxWriter writes a string that looks like "<r>...</r>" as rich-text XML without escaping
# it; such a text from a DICOM header would corrupt the file (or inject cells), so it gets
# the apostrophe formula-looking text gets.
_RICH_LOOKING = re.compile(r"\A<r>.*</r>\Z", re.DOTALL)

_write_number = Worksheet.write_number
_write_string = Worksheet.write_string
_write_datetime = Worksheet.write_datetime


def sheet_name(wanted: str | None, taken: set[str], fallback: str = "Unknown") -> str:
    """A valid sheet name close to ``wanted`` and not in ``taken`` (compared ignoring case).

    Excel allows 31 characters, none of ``[]:*?/\\``, no apostrophe at either end, and not
    "History"; a clash gets " (2)", " (3)"... within the 31 characters.
    """
    name = _INVALID_SHEET_CHARACTERS.sub("_", wanted or "")
    name = _SURROGATES.sub("_", name.translate({code: "_" for code in range(32)}))
    name = name.strip().strip("'").strip() or fallback
    if name.lower() == "history":
        name = f"{name}_"
    name = name[:SHEET_NAME_LENGTH].rstrip("'") or fallback
    lowered = {existing.lower() for existing in taken}
    candidate, number = name, 1
    while candidate.lower() in lowered:
        number += 1
        suffix = f" ({number})"
        candidate = name[:SHEET_NAME_LENGTH - len(suffix)].rstrip("'") + suffix
    return candidate


def cell_text(value) -> str:
    """The text a text cell holds: neutralised (a leading ``= + - @``, tab or line break gets
    an apostrophe, as the csv does, and so does text XlsxWriter would take for rich-text
    XML), at most Excel's 32,767 characters, and encodable."""
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT]
    if _SURROGATES.search(text):
        text = _SURROGATES.sub("\ufffd", text)
    if _RICH_LOOKING.match(text):
        text = "'" + text
    return text


# Texts repeat (manufacturers, protocols, event types): each is prepared once. The cache is
# emptied when it grows large, so unique values (accession numbers) cannot fill memory.
_TEXT_CACHE: dict = {}
_TEXT_CACHE_SIZE = 50_000


def _cached_text(value) -> str:
    text = _TEXT_CACHE.get(value)
    if text is None:
        text = cell_text(value)
        if len(_TEXT_CACHE) >= _TEXT_CACHE_SIZE:
            _TEXT_CACHE.clear()
        _TEXT_CACHE[value] = text
    return text


class Sheet:
    """One worksheet whose rows are appended in order."""

    __slots__ = ("workbook", "worksheet", "name", "rows", "columns")

    def __init__(self, workbook: "Workbook", worksheet: Worksheet):
        self.workbook = workbook
        self.worksheet = worksheet
        self.name = worksheet.name
        self.rows = 0
        self.columns = 0

    @property
    def full(self) -> bool:
        """Whether the sheet has reached the workbook's row limit."""
        return self.rows >= self.workbook.max_rows

    def append(self, cells: Sequence[tuple]) -> int:
        """Add a row of ``Workbook.cells``; its number (1-based)."""
        row = self.rows
        worksheet = self.worksheet
        for column, write, value, style in cells:
            write(worksheet, row, column, value, style)
        self.rows = row + 1
        return self.rows

    def append_values(self, values: Sequence, kinds: Sequence[str]) -> int:
        """Add a row of values of the given kinds."""
        self.columns = max(self.columns, len(values))
        return self.append(self.workbook.cells(values, kinds))

    def append_header(self, headers: Sequence[str]) -> int:
        """Add a bold header row and size the columns to their headers."""
        bold = self.workbook.bold
        for i, header in enumerate(headers):
            self.set_width(i, min(max(len(header) + 2, 10), 50))
        self.columns = max(self.columns, len(headers))
        return self.append([(i, _write_string, cell_text(header), bold)
                            for i, header in enumerate(headers) if header])

    def set_width(self, column: int, width: float):
        """Set a column's width (in characters)."""
        if column < MAX_COLUMNS:
            self.worksheet.set_column(column, column, width)


class Workbook:
    """An xlsx file written by XlsxWriter in ``constant_memory`` mode; ``close()`` writes it
    to ``path``, ``discard()`` gives up and leaves nothing behind.

    The worksheets' temporary files go to a directory of the workbook's own, removed with
    it, so an export that fails or is abandoned leaves no files however far it got.
    """

    def __init__(self, path, tmpdir=None, max_rows: int | None = None):
        self.path = Path(path)
        self.max_rows = max_rows or MAX_ROWS
        self.tmpdir = tempfile.mkdtemp(prefix="kerma-xlsx-", dir=tmpdir)
        self.book = xlsxwriter.Workbook(str(self.path), {
            "constant_memory": True,
            "tmpdir": self.tmpdir,
            # Cells are typed by their column, never guessed from the text.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            # Zip64 records only where a part passes 4 GiB: a very large export still opens.
            "use_zip64": True,
        })
        self.bold = self.book.add_format({"bold": True})
        self.formats = {DATE: self.book.add_format({"num_format": "yyyy-mm-dd"}),
                        TIME: self.book.add_format({"num_format": "hh:mm:ss"}),
                        DATETIME: self.book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})}
        self.sheets: list[Sheet] = []
        self._closed = False

    def add_sheet(self, wanted_name: str | None, freeze_header: bool = True) -> Sheet:
        """A new sheet named as close to ``wanted_name`` as Excel allows, unique in the book."""
        name = sheet_name(wanted_name, {sheet.name for sheet in self.sheets})
        worksheet = self.book.add_worksheet(name)
        if freeze_header:
            worksheet.freeze_panes(1, 0)
        sheet = Sheet(self, worksheet)
        self.sheets.append(sheet)
        return sheet

    def cells(self, values: Sequence, kinds: Sequence[str], first_column: int = 0) -> list:
        """The cells of ``values`` of the given kinds, from ``first_column`` on.

        Empty values (None, "") and numbers Excel cannot hold (NaN, infinities) leave the
        cell out; text is neutralised; a date before 1900 is written as text. Kinds are the
        constants of ``app.exports.columns``, compared by identity.
        """
        out = []
        add = out.append
        formats = self.formats
        column = first_column - 1
        for value, kind in zip(values, kinds):
            column += 1
            if value is None:
                continue
            if kind is NUMBER:
                if value.__class__ is bool:
                    value = int(value)
                elif value - value != 0:  # NaN or an infinity
                    continue
                add((column, _write_number, value, None))
            elif kind is TEXT:
                if value == "":
                    continue
                add((column, _write_string, _cached_text(value), None))
            elif kind is DATE or kind is DATETIME:
                day = value.date() if isinstance(value, datetime.datetime) else value
                if day < FIRST_DATE:
                    add((column, _write_string, value.isoformat(), None))
                else:
                    add((column, _write_datetime, value, formats[kind]))
            elif kind is TIME:
                add((column, _write_datetime, value, formats[TIME]))
            else:
                raise ValueError(f"unknown column kind {kind!r}")
        return out

    def order(self, sheets: Sequence[Sheet]):
        """Put the sheets in this order (the first is the one shown on opening).

        XlsxWriter keeps its sheets in the order they were added and has no call to move
        one; the export knows its protocol sheets only as it meets them, so the list it
        writes the workbook from is reordered here, its sheet indices with it.
        """
        if sorted(map(id, sheets)) != sorted(map(id, self.sheets)):
            raise ValueError("the order must name every sheet once")
        self.sheets = list(sheets)
        worksheets = [sheet.worksheet for sheet in sheets]
        for index, worksheet in enumerate(worksheets):
            worksheet.index = index
        self.book.worksheets_objs[:] = worksheets

    def close(self):
        """Write the package and remove the temporary files."""
        try:
            if not self._closed:
                self._closed = True
                self.book.close()
        except BaseException:
            self.path.unlink(missing_ok=True)
            raise
        finally:
            self.discard()

    def discard(self):
        """Remove the temporary files without writing the package (after a failure)."""
        if not self._closed:
            self._closed = True
            # XlsxWriter has no call to abandon a workbook: the worksheets' open temporary
            # files are closed here so that their directory can go on any system.
            for sheet in self.sheets:
                handle = getattr(sheet.worksheet, "row_data_fh", None)
                if handle is not None and not handle.closed:
                    handle.close()
        shutil.rmtree(self.tmpdir, ignore_errors=True)
