"""Workbooks written through XlsxWriter: cell types, dates, neutralised text, sheet names,
the row limit, temporary files, and files that openpyxl reads back as written."""
import datetime
import re
import zipfile

import openpyxl
import pytest

from app.exports import spreadsheet, xlsx_writer
from app.exports.columns import DATE, DATETIME, NUMBER, TEXT, TIME
from app.exports.query import export_query
from app.exports.spreadsheet import Workbook, sheet_name
from app.extensions import db
from export_records import ct_event, ct_record, rf_event, rf_record, store


def _book(tmp_path, fill):
    path = tmp_path / "t.xlsx"
    workbook = Workbook(path)
    fill(workbook)
    workbook.close()
    return openpyxl.load_workbook(path), path


def _sheet_xml(path, index=1):
    with zipfile.ZipFile(path) as archive:
        return archive.read(f"xl/worksheets/sheet{index}.xml").decode("utf-8")


def test_excel_serial_dates_follow_the_1900_system(tmp_path):
    days = [datetime.date(1900, 1, 1), datetime.date(1900, 2, 28), datetime.date(1900, 3, 1),
            datetime.date(2018, 1, 5), datetime.date(1899, 12, 31)]

    def fill(workbook):
        workbook.add_sheet("Dates").append_values(days, [DATE] * len(days))

    book, path = _book(tmp_path, fill)
    serials = re.findall(r"<v>([^<]*)</v>", _sheet_xml(path))
    # 61 for 1 March 1900: after the 29 February 1900 Excel counts and that never was.
    assert serials == ["1", "59", "61", "43105"]
    assert list(book["Dates"].iter_rows(values_only=True))[0][4] == "1899-12-31"


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
             "@cmd", "Müller 山田", long, "+44 20", "=HYPERLINK(\"http://x\")", "12.5",
             "http://example.com", "<r><t>x</t></r>", "lone \ud800 surrogate"]

    def fill(workbook):
        workbook.add_sheet("Text").append_values(texts, [TEXT] * len(texts))

    book, path = _book(tmp_path, fill)
    row = list(book["Text"].iter_rows(values_only=True))[0]
    assert row[0] == "a & b < c > d"
    assert row[1] == "tab\tin"
    assert row[2] == " leading"
    assert row[3] == "control_x0001__x001F_"  # Excel's escape for characters XML forbids
    assert row[4:7] == ("'=1+1", "'-minus", "'@cmd")
    assert row[7] == "Müller 山田"
    assert len(row[8]) == 32767
    assert row[9:13] == ("'+44 20", "'=HYPERLINK(\"http://x\")", "12.5", "http://example.com")
    # Text that looks like rich-text XML stays text.
    assert row[13] == "'<r><t>x</t></r>"
    assert row[14] == "lone \ufffd surrogate"
    xml = _sheet_xml(path)
    assert "<f>" not in xml and "<hyperlinks>" not in xml


def test_a_row_of_cells_is_reused(tmp_path):
    def fill(workbook):
        same = workbook.cells(["same"], [TEXT])
        sheet = workbook.add_sheet("Rows")
        for n in range(3):
            sheet.append(same + workbook.cells([n], [NUMBER], 1))

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


def test_sheets_fill_in_parallel_and_keep_their_order(tmp_path):
    def fill(workbook):
        sheets = [workbook.add_sheet(f"S{i}") for i in range(5)]
        for row in range(3):
            for i, sheet in enumerate(sheets):
                sheet.append_values([i, row], [NUMBER, NUMBER])
        workbook.order(sheets[::-1])

    book, path = _book(tmp_path, fill)
    assert book.sheetnames == ["S4", "S3", "S2", "S1", "S0"]
    for i in range(5):
        assert list(book[f"S{i}"].iter_rows(values_only=True)) == [(i, 0), (i, 1), (i, 2)]
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None  # every part's CRC-32 is right
        assert 'tabSelected="1"' in archive.read("xl/worksheets/sheet1.xml").decode()


def test_temporary_files_go(tmp_path):
    workbook = Workbook(tmp_path / "book.xlsx", tmpdir=tmp_path)
    workbook.add_sheet("S").append_values([1], [NUMBER])
    assert [p for p in tmp_path.glob("kerma-xlsx-*/*")]
    workbook.close()
    assert not list(tmp_path.glob("kerma-xlsx-*"))
    failing = Workbook(tmp_path / "never.xlsx", tmpdir=tmp_path)
    failing.add_sheet("S").append_values([1], [NUMBER])
    failing.discard()
    assert not list(tmp_path.glob("kerma-xlsx-*"))
    assert not (tmp_path / "never.xlsx").exists()


def test_a_failing_export_leaves_no_files(app, tmp_path, monkeypatch):
    with app.app_context():
        store(ct_record([ct_event("Head", 1.0, 10.0)]))
        monkeypatch.setattr(spreadsheet.tempfile, "tempdir", str(tmp_path))

        def broken(*args):
            raise RuntimeError("database gone")

        monkeypatch.setattr(xlsx_writer, "_write_summary", broken)
        with pytest.raises(RuntimeError):
            xlsx_writer.write_xlsx(xlsx_writer_export(), export_query("ct", {}),
                                   tmp_path / "ct.xlsx")
        db.session.remove()
    assert list(tmp_path.iterdir()) == []


def test_the_row_limit_is_excels():
    assert spreadsheet.MAX_ROWS == 1_048_576  # 1,048,575 rows under the header


def test_a_full_sheet_continues_on_the_next(app, tmp_path):
    with app.app_context():
        for n in range(5):
            store(ct_record([ct_event("Head", float(n), 10.0)],
                            date=datetime.date(2024, 1, n + 1)))
        path = tmp_path / "ct.xlsx"
        # Header and two rows a sheet.
        xlsx_writer.write_xlsx(xlsx_writer_export(), export_query("ct", {}), path, max_rows=3)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Summary", "All data", "All data (2)", "All data (3)", "Head",
                               "Head (2)", "Head (3)"]
    for name in ("Head", "Head (2)", "All data (2)"):
        sheet = book[name]
        assert sheet["A1"].value == "Institution"
        assert sheet.max_row == 3
    assert [cell.value for cell in book["All data (3)"][1]] == [
        cell.value for cell in book["All data"][1]]
    ctdi = [row["CTDIvol (mGy)"] for name in ("Head", "Head (2)", "Head (3)")
            for row in _rows(book[name])]
    assert sorted(ctdi) == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_the_all_data_header_counts_the_groups_of_every_study_first(app, tmp_path):
    with app.app_context():
        # Two groups (the second exposure is 30° away), then one study with three.
        store(rf_record([rf_event("Cardiac", 2e-5, 0.001),
                         rf_event("Cardiac", 3e-5, 0.002, angles=(30.0, 0.0))], {}))
        store(rf_record([rf_event("Cardiac", 2e-5, 0.001),
                         rf_event("Cardiac", 3e-5, 0.002, angles=(30.0, 0.0)),
                         rf_event("Cardiac", 4e-5, 0.003, angles=(60.0, 0.0))], {},
                        date=datetime.date(2024, 3, 5)))
        from app.exports import EXPORTS

        assert EXPORTS["rf"].block_counts(db.session, export_query("rf", {})) == [3]
        path = tmp_path / "rf.xlsx"
        xlsx_writer.write_xlsx(EXPORTS["rf"], export_query("rf", {}), path)
        db.session.remove()
    sheet = openpyxl.load_workbook(path)["All data"]
    header = [cell.value for cell in sheet[1]]
    assert header[0] == "Institution"
    assert "G3 Type" in header and not [h for h in header if h and h.startswith("G4")]
    groups = sorted(sum(1 for g in (1, 2, 3) if row[f"G{g} Number of exposures"])
                    for row in _rows(sheet))
    assert groups == [2, 3]


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
