"""A small streaming xlsx (SpreadsheetML) writer for large exports.

Rows may be written to any sheet at any time (in order within a sheet); each sheet's rows
are compressed in chunks by a thread as they come (``app.exports.package``) and ``close``
assembles the package. Memory holds at most a chunk per sheet.

Why not xlsxwriter: measured on the benchmark machine its per-cell ``write`` costs about 6 µs
(150,000 cells a second) and its packaging compresses at zlib level 6, so a 100,000-study CT
workbook (about 25 million cells) took several minutes; the export needs a tenth of that.
The package parts written here follow the layout xlsxwriter produces (which Excel opens
without complaint): inline strings, one style sheet, no shared-string table, so nothing grows
with the number of distinct values.

Cells are written with their references (``r="B7"``). A row can be assembled from fragments
made once and reused (``cells``), with ``ROW`` standing for the row number, so the study
columns of a study are formatted once however many event rows repeat them.
"""
import datetime
import re
from pathlib import Path
from typing import Sequence
from xml.sax.saxutils import quoteattr

from .columns import DATE, FORMULA_STARTS, NUMBER, TEXT, TIME
from .package import CompressedPart, Compressor, ZipWriter

MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
MAX_TEXT = 32_767
SHEET_NAME_LENGTH = 31
# Stands for the row number inside cell fragments; XML text can never contain it.
ROW = "\x00"
# Rows of a sheet handed to the compressor at a time (characters); at most this much waits
# per sheet, so many protocol sheets stay within a few tens of megabytes.
CHUNK = 64 * 1024

# Style indices in styles.xml.
BOLD, DATE_STYLE, TIME_STYLE, DATETIME_STYLE = 1, 2, 3, 4
_EXCEL_EPOCH = datetime.date(1899, 12, 30).toordinal()

# XML 1.0 forbids most control characters; Excel shows them written as _xHHHH_.
_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}
_ESCAPES.update({code: f"_x{code:04X}_" for code in range(32) if code not in (9, 10, 13)})
_ESCAPES.update({code: f"_x{code:04X}_" for code in (0xFFFE, 0xFFFF)})
_SURROGATES = re.compile("[\ud800-\udfff]")
_INVALID_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\]")


def column_letter(index: int) -> str:
    """The letters of a 0-based column index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


LETTERS = [column_letter(i) for i in range(MAX_COLUMNS)]
_REFERENCES = [letters + ROW for letters in LETTERS]


def excel_date(value: datetime.date) -> float | None:
    """Excel's serial number of a date (1900 date system), or None before 1900-01-01."""
    serial = value.toordinal() - _EXCEL_EPOCH
    if serial < 2:
        return None
    # Excel counts a 29 February 1900 that never was: dates before March 1900 are one less.
    return serial - 1 if serial < 61 else serial


def excel_time(value: datetime.time) -> float:
    """The fraction of a day of a time."""
    return (value.hour * 3600 + value.minute * 60 + value.second
            + value.microsecond / 1e6) / 86400


def escape(text: str) -> str:
    """Text safe inside an XML element, as Excel expects it."""
    text = text.translate(_ESCAPES)
    if _SURROGATES.search(text):
        text = _SURROGATES.sub("\ufffd", text)
    return text


def text_cell(reference: str, text: str, style: int = 0) -> str:
    """An inline-string cell; ``reference`` is the column letters followed by ``ROW``."""
    style_attr = f' s="{style}"' if style else ""
    return f'<c r="{reference}"{style_attr}{_inline(text)}'


def _inline(text: str) -> str:
    """The rest of an inline-string cell after its reference: type, text and end tag."""
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT]
    preserve = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f' t="inlineStr"><is><t{preserve}>{escape(text)}</t></is></c>'


# Texts repeat (manufacturers, protocols, event types): each is escaped once. The cache is
# emptied when it grows large, so unique values (accession numbers) cannot fill memory.
_TEXT_CACHE: dict[str, str] = {}
_TEXT_CACHE_SIZE = 50_000


def _text_rest(value) -> str:
    rest = _TEXT_CACHE.get(value)
    if rest is None:
        text = str(value)
        if text.startswith(FORMULA_STARTS):
            text = "'" + text
        rest = _inline(text)
        if len(_TEXT_CACHE) >= _TEXT_CACHE_SIZE:
            _TEXT_CACHE.clear()
        _TEXT_CACHE[value] = rest
    return rest


def cells(values: Sequence, kinds: Sequence[str], first_column: int = 0) -> str:
    """The XML of cells for ``values`` of the given kinds, from ``first_column`` on.

    The fragment has ``ROW`` where the row number goes; ``Sheet.append`` fills it in. Empty
    values (None, "") leave the cell out; text is neutralised against formula injection.
    Kinds are the constants of ``app.exports.columns``, compared by identity.
    """
    out = []
    add = out.append
    references = _REFERENCES[first_column:first_column + len(values)]
    for reference, value, kind in zip(references, values, kinds):
        if value is None:
            continue
        if kind is NUMBER:
            # NaN and infinity are no numbers to Excel (x - x is NaN for both): leave them out.
            if value - value == 0:
                add(f'<c r="{reference}"><v>{value!r}</v></c>')
        elif kind is TEXT:
            if value != "":
                add(f'<c r="{reference}"{_text_rest(value)}')
        else:
            add(_date_cell(reference, value, kind))
    return "".join(out)


def _date_cell(reference, value, kind):
    if kind is DATE:
        serial, style = excel_date(value), DATE_STYLE
    elif kind is TIME:
        serial, style = excel_time(value), TIME_STYLE
    else:
        day = excel_date(value.date())
        serial = None if day is None else day + excel_time(value.time())
        style = DATETIME_STYLE
    if serial is None:
        return text_cell(reference, value.isoformat())
    return f'<c r="{reference}" s="{style}"><v>{serial!r}</v></c>'


def header_cells(headers: Sequence[str], first_column: int = 0) -> str:
    """Bold text cells for a header row."""
    return "".join(text_cell(LETTERS[first_column + i] + ROW, header, BOLD)
                   for i, header in enumerate(headers) if header)


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


class Sheet:
    """One worksheet; its rows, appended in order, go to the workbook's compressor in chunks."""

    def __init__(self, workbook: "Workbook", name: str, freeze_header: bool):
        self.workbook = workbook
        self.name = name
        self.freeze_header = freeze_header
        self.rows = 0
        self.columns = 0
        self.widths: dict[int, float] = {}
        self.header: str | None = None
        self.part = CompressedPart(workbook.tmpdir)
        self._buffer: list[str] = []
        self._buffered = 0

    @property
    def full(self) -> bool:
        """Whether the sheet has reached Excel's row limit."""
        return self.rows >= MAX_ROWS

    def append(self, fragment: str, columns: int) -> int:
        """Add a row made of a ``cells`` fragment spanning ``columns`` columns; its number."""
        self.rows += 1
        number = str(self.rows)
        row = f'<row r="{number}">{fragment.replace(ROW, number)}</row>'
        self._buffer.append(row)
        self._buffered += len(row)
        if self._buffered >= CHUNK:
            self.flush()
        if columns > self.columns:
            self.columns = columns
        return self.rows

    def flush(self):
        """Hand the buffered rows to the compressor."""
        if self._buffer:
            self.workbook.compressor.submit(self.part, "".join(self._buffer).encode("utf-8"))
            self._buffer = []
            self._buffered = 0

    def append_values(self, values: Sequence, kinds: Sequence[str]) -> int:
        """Add a row of values of the given kinds."""
        return self.append(cells(values, kinds), len(values))

    def append_header(self, headers: Sequence[str]) -> int:
        """Add a bold header row and size the columns to their headers."""
        self._size_columns(headers)
        return self.append(header_cells(headers), len(headers))

    def reserve_header(self):
        """Keep row 1 for a header given later by ``set_header`` (when the columns are known
        only after the rows are written)."""
        if self.rows:
            raise ValueError("the header row must be the first row")
        self.rows = 1

    def set_header(self, headers: Sequence[str]):
        """The header of a sheet whose row 1 was reserved."""
        self._size_columns(headers)
        self.header = header_cells(headers).replace(ROW, "1")
        self.columns = max(self.columns, len(headers))

    def _size_columns(self, headers):
        for i, header in enumerate(headers):
            self.widths[i] = min(max(len(header) + 2, 10), 50)

    def set_width(self, column: int, width: float):
        """Set a column's width (in characters)."""
        self.widths[column] = width

    def head(self, selected: bool) -> bytes:
        """The worksheet part before the rows written so far (with a reserved header row)."""
        last = LETTERS[max(self.columns, 1) - 1] + str(max(self.rows, 1))
        view = ' tabSelected="1"' if selected else ""
        pane = ('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                '<selection pane="bottomLeft"/>') if self.freeze_header and self.rows > 1 else ""
        cols = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>'
                       for i, w in sorted(self.widths.items()) if i < MAX_COLUMNS)
        head = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<dimension ref="A1:{last}"/>'
            f'<sheetViews><sheetView{view} workbookViewId="0">{pane}</sheetView></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>'
            + (f"<cols>{cols}</cols>" if cols else "")
            + "<sheetData>"
            + (f'<row r="1">{self.header}</row>' if self.header is not None else "")
        )
        return head.encode("utf-8")


SHEET_TAIL = (b'</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
              b'header="0.3" footer="0.3"/></worksheet>')


class Workbook:
    """An xlsx file built sheet by sheet; ``close()`` writes it to ``path``.

    The rows are compressed by a thread while they are written (``app.exports.package``).
    """

    def __init__(self, path, tmpdir=None):
        self.path = Path(path)
        self.tmpdir = tmpdir
        self.sheets: list[Sheet] = []
        self.compressor = Compressor()
        self._finished = False

    def add_sheet(self, wanted_name: str | None, freeze_header: bool = True) -> Sheet:
        """A new sheet named as close to ``wanted_name`` as Excel allows, unique in the book."""
        name = sheet_name(wanted_name, {sheet.name for sheet in self.sheets})
        sheet = Sheet(self, name, freeze_header)
        self.sheets.append(sheet)
        return sheet

    def close(self):
        """Write the package and remove the temporary files."""
        try:
            for sheet in self.sheets:
                sheet.flush()
            self._finish_compressor()
            writer = ZipWriter(self.path)
            try:
                for name, content in self._static_parts():
                    writer.add(name, content.encode("utf-8"))
                for index, sheet in enumerate(self.sheets, start=1):
                    writer.add_part(f"xl/worksheets/sheet{index}.xml", sheet.head(index == 1),
                                    sheet.part, SHEET_TAIL)
                writer.close()
            except BaseException:
                writer.abandon()
                self.path.unlink(missing_ok=True)
                raise
        finally:
            self.discard()

    def discard(self):
        """Remove the temporary files (and stop the compressor) without writing the package."""
        try:
            self._finish_compressor()
        except Exception:  # already failing: the temporary files go regardless
            pass
        for sheet in self.sheets:
            sheet.part.remove()

    def _finish_compressor(self):
        if not self._finished:
            self._finished = True
            self.compressor.finish()

    def _static_parts(self):
        count = len(self.sheets)
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, count + 1))
        yield "[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.extended-properties+xml"/><Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
            f'main+xml"/>{overrides}</Types>')
        yield "_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" '
            'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-'
            'properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="http://'
            'schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" '
            'Target="docProps/app.xml"/></Relationships>')
        titles = "".join(f"<vt:lpstr>{escape(sheet.name)}</vt:lpstr>" for sheet in self.sheets)
        yield "docProps/app.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-'
            'properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
            'docPropsVTypes"><Application>Kerma</Application><DocSecurity>0</DocSecurity>'
            '<ScaleCrop>false</ScaleCrop><HeadingPairs><vt:vector size="2" baseType="variant">'
            '<vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant>'
            f'<vt:i4>{count}</vt:i4></vt:variant></vt:vector></HeadingPairs><TitlesOfParts>'
            f'<vt:vector size="{count}" baseType="lpstr">{titles}</vt:vector></TitlesOfParts>'
            '<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>'
            '<HyperlinksChanged>false</HyperlinksChanged><AppVersion>12.0000</AppVersion>'
            '</Properties>')
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        yield "docProps/core.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/'
            'dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            '<dc:creator>Kerma</dc:creator>'
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified>'
            '</cp:coreProperties>')
        sheets = "".join(f'<sheet name={quoteattr(sheet.name)} sheetId="{i}" r:id="rId{i}"/>'
                         for i, sheet in enumerate(self.sheets, start=1))
        yield "xl/workbook.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<fileVersion appName="xl" lastEdited="4" lowestEdited="4" rupBuild="4505"/>'
            '<workbookPr defaultThemeVersion="124226"/><bookViews><workbookView xWindow="240" '
            'yWindow="15" windowWidth="16095" windowHeight="9660"/></bookViews>'
            f'<sheets>{sheets}</sheets><calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>')
        relationships = "".join(
            f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/'
            f'2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, count + 1))
        yield "xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'{relationships}<Relationship Id="rId{count + 1}" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
            '</Relationships>')
        yield "xl/styles.xml", STYLES


# Fonts: regular and bold Calibri 11. Cell formats: 0 general, 1 bold, 2 date, 3 time,
# 4 date and time (numFmtId 164-166 are custom formats).
STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="hh:mm:ss"/>'
    '<numFmt numFmtId="166" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><color rgb="FF000000"/><name val="Calibri"/>'
    '<family val="2"/></font><font><b/><sz val="11"/><color rgb="FF000000"/>'
    '<name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs><cellXfs count="5">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    '</cellStyles><dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
    'defaultPivotStyle="PivotStyleLight16"/></styleSheet>'
)
