"""The streaming xlsx writer: cell encoding, dates, sheet names, limits, and files that
openpyxl reads back as written."""
import datetime
import zipfile

import openpyxl
import pytest

from app.exports import package, spreadsheet, xlsx_writer
from app.exports.columns import DATE, DATETIME, NUMBER, TEXT, TIME
from app.exports.spreadsheet import Workbook, cells, column_letter, excel_date, sheet_name
from app.exports.query import export_query
from app.extensions import db
from export_records import ct_event, ct_record, store


def _book(tmp_path, fill):
    path = tmp_path / "t.xlsx"
    workbook = Workbook(path)
    fill(workbook)
    workbook.close()
    return openpyxl.load_workbook(path), path


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 701, 702, 16383)] == [
        "A", "Z", "AA", "ZZ", "AAA", "XFD"]


def test_excel_serial_dates_follow_the_1900_system():
    assert excel_date(datetime.date(1900, 1, 1)) == 1
    assert excel_date(datetime.date(1900, 2, 28)) == 59
    assert excel_date(datetime.date(1900, 3, 1)) == 61  # after Excel's 29 February 1900
    assert excel_date(datetime.date(2018, 1, 5)) == 43105
    assert excel_date(datetime.date(1899, 12, 31)) is None


def test_values_read_back_with_their_types(tmp_path):
    values = [12.34, -9.3, 7, "text", datetime.date(2018, 1, 5), datetime.time(17, 17, 12),
              datetime.datetime(2024, 3, 4, 10, 31, 5), datetime.date(1850, 1, 1), None, "",
              float("nan"), float("inf")]
    kinds = [NUMBER, NUMBER, NUMBER, TEXT, DATE, TIME, DATETIME, DATE, TEXT, TEXT, NUMBER, NUMBER]

    def fill(workbook):
        sheet = workbook.add_sheet("Data")
        sheet.append_header([f"H{i}" for i in range(len(values))])
        sheet.append_values(values, kinds)

    book, _ = _book(tmp_path, fill)
    row = list(book["Data"].iter_rows(min_row=2, values_only=True))[0]
    assert row[:4] == (12.34, -9.3, 7, "text")
    assert row[4] == datetime.datetime(2018, 1, 5)
    assert row[5] == datetime.time(17, 17, 12)
    assert row[6] == datetime.datetime(2024, 3, 4, 10, 31, 5)
    assert row[7] == "1850-01-01"  # before Excel's calendar: kept as text
    assert row[8:] == (None, None, None, None)
    cells_ = book["Data"][2]
    assert cells_[4].number_format == "yyyy-mm-dd"
    assert cells_[6].number_format == "yyyy-mm-dd hh:mm:ss"
    assert book["Data"]["A1"].font.b


def test_text_is_escaped_neutralised_and_limited(tmp_path):
    long = "x" * 40000
    texts = ["a & b < c > d", "tab\tin", " leading", "control\x01\x1f", "=1+1", "-minus",
             "@cmd", "Müller 山田", long]

    def fill(workbook):
        workbook.add_sheet("Text").append_values(texts, [TEXT] * len(texts))

    book, _ = _book(tmp_path, fill)
    row = list(book["Text"].iter_rows(values_only=True))[0]
    assert row[0] == "a & b < c > d"
    assert row[1] == "tab\tin"
    assert row[2] == " leading"
    assert row[3] == "control_x0001__x001F_"  # Excel's escape for characters XML forbids
    assert row[4:7] == ("'=1+1", "'-minus", "'@cmd")
    assert row[7] == "Müller 山田"
    assert len(row[8]) == 32767


def test_a_fragment_is_reused_with_its_row_number(tmp_path):
    fragment = cells(["same"], [TEXT])

    def fill(workbook):
        sheet = workbook.add_sheet("Rows")
        for n in range(3):
            sheet.append(fragment + cells([n], [NUMBER], 1), 2)

    book, _ = _book(tmp_path, fill)
    assert list(book["Rows"].iter_rows(values_only=True)) == [("same", 0), ("same", 1),
                                                              ("same", 2)]


def test_sheet_names():
    taken = set()
    for wanted, expected in [
        ("Abdomen/Pelvis [C+]", "Abdomen_Pelvis _C+_"),
        ("abdomen/pelvis [c+]", "abdomen_pelvis _c+_ (2)"),
        ("B" * 35, "B" * 31),
        ("B" * 36, "B" * 27 + " (2)"),
        ("'", "Unknown"),
        ("", "Unknown (2)"),
        ("history", "history_"),
        ("a:b*c?d", "a_b_c_d"),
    ]:
        name = sheet_name(wanted, taken)
        assert name == expected
        taken.add(name)


def test_many_sheets_with_few_open_files(tmp_path, monkeypatch):
    monkeypatch.setattr(package, "OPEN_PARTS", 2)
    monkeypatch.setattr(spreadsheet, "CHUNK", 10)  # every row is a chunk

    def fill(workbook):
        sheets = [workbook.add_sheet(f"S{i}") for i in range(5)]
        for row in range(3):
            for i, sheet in enumerate(sheets):
                sheet.append_values([i, row], [NUMBER, NUMBER])

    book, path = _book(tmp_path, fill)
    for i in range(5):
        assert list(book[f"S{i}"].iter_rows(values_only=True)) == [(i, 0), (i, 1), (i, 2)]
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert "xl/worksheets/sheet5.xml" in names and "xl/styles.xml" in names
        assert archive.testzip() is None
        assert archive.testzip() is None  # every part's CRC-32 is right


def test_temporary_files_go(tmp_path):
    workbook = Workbook(tmp_path / "book.xlsx", tmpdir=tmp_path)
    workbook.add_sheet("S").append_values([1], [NUMBER])
    assert list(tmp_path.glob("kerma-part-*"))
    workbook.close()
    assert not list(tmp_path.glob("kerma-part-*"))
    failing = Workbook(tmp_path / "never.xlsx", tmpdir=tmp_path)
    failing.add_sheet("S").append_values([1], [NUMBER])
    failing.discard()
    assert not list(tmp_path.glob("kerma-part-*"))
    assert not (tmp_path / "never.xlsx").exists()


def test_a_full_sheet_continues_on_the_next(app, tmp_path, monkeypatch):
    monkeypatch.setattr(spreadsheet, "MAX_ROWS", 3)  # header and two rows
    with app.app_context():
        for n in range(5):
            store(ct_record([ct_event("Head", float(n), 10.0)],
                            date=datetime.date(2024, 1, n + 1)))
        path = tmp_path / "ct.xlsx"
        xlsx_writer.write_xlsx(xlsx_writer_export(), export_query("ct", {}), path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Summary", "All data", "All data (2)", "All data (3)", "Head",
                               "Head (2)", "Head (3)"]
    for name in ("Head", "Head (2)"):
        sheet = book[name]
        assert sheet["A1"].value == "Institution"
        assert sheet.max_row == 3
    ctdi = [row["CTDIvol (mGy)"] for name in ("Head", "Head (2)", "Head (3)")
            for row in _rows(book[name])]
    assert sorted(ctdi) == [0.0, 1.0, 2.0, 3.0, 4.0]


def xlsx_writer_export():
    from app.exports import EXPORTS

    return EXPORTS["ct"]


def _rows(sheet):
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


@pytest.mark.parametrize("modality", ["ct", "rf", "mg", "dx", "nm"])
def test_empty_exports_are_valid_files(app, tmp_path, modality):
    from app.exports import EXPORTS, csv_chunks

    with app.app_context():
        path = tmp_path / f"{modality}.xlsx"
        xlsx_writer.write_xlsx(EXPORTS[modality], export_query(modality, {}), path)
        data = b"".join(csv_chunks(EXPORTS[modality], export_query(modality, {})))
        db.session.remove()
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Summary", "All data"]
    assert book["All data"]["A1"].value == "Institution"
    assert data.startswith(b"\xef\xbb\xbfInstitution,")
    assert data.count(b"\r\n") == 1


def test_crc32_combine_matches_zlib():
    import zlib

    first, second = b"kerma " * 1000, bytes(range(256)) * 37
    combined = package.crc32_combine(zlib.crc32(first), zlib.crc32(second), len(second))
    assert combined == zlib.crc32(first + second)
    assert package.crc32_combine(zlib.crc32(first), zlib.crc32(b""), 0) == zlib.crc32(first)


def test_chunks_compressed_apart_read_as_one_part(tmp_path, monkeypatch):
    monkeypatch.setattr(spreadsheet, "CHUNK", 100)

    def fill(workbook):
        sheet = workbook.add_sheet("Chunks")
        sheet.reserve_header()
        for n in range(500):
            sheet.append_values([n, f"row {n}"], [NUMBER, TEXT])
        sheet.set_header(["Number", "Text"])

    book, path = _book(tmp_path, fill)
    rows = list(book["Chunks"].iter_rows(values_only=True))
    assert rows[0] == ("Number", "Text")
    assert rows[1:] == [(n, f"row {n}") for n in range(500)]
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None


def test_zip64_records_read_back(tmp_path):
    path = tmp_path / "z.zip"
    writer = package.ZipWriter(path, force_zip64=True)
    writer.add("a.txt", b"hello")
    part = package.CompressedPart(tmp_path)
    compressor = package.Compressor()
    compressor.submit(part, b"middle " * 100)
    compressor.finish()
    writer.add_part("b.txt", b"head ", part, b" tail")
    writer.close()
    part.remove()
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        assert archive.read("a.txt") == b"hello"
        assert archive.read("b.txt") == b"head " + b"middle " * 100 + b" tail"
