"""Streamed csv exports: UTF-8 with a byte-order mark (so Excel reads accents and kanji),
one study per row with its events to the right (mammography: one row per exposure).

The generator yields the byte-order mark before it runs any query, then the header, then one
chunk per batch of studies, so the first bytes leave at once and memory holds one batch.
"""
import csv
import io
from typing import Iterator, Sequence

from ..extensions import db
from .columns import FORMULA_STARTS, TEXT
from .common import NO_IDENTIFIERS, ModalityExport, PatientIdentifiers, exam_columns
from .loading import study_batches
from .rows import BlockPlan, RowPlan

BOM = "\ufeff".encode("utf-8")


class CsvFormat:
    """Neutralises the text values of a row against formula injection.

    Dates, times and numbers need nothing: ``csv.writer`` writes them with ``str()``, which
    gives ISO dates (2017-11-15), times (07:51:27, or 10:06:47.812000 with fractions),
    date-times (2017-11-15 07:51:27) and the shortest exact form of a number.
    """

    def __init__(self, kinds: Sequence[str]):
        self.text = [i for i, kind in enumerate(kinds) if kind == TEXT]

    def __call__(self, values: list) -> list:
        """``values`` ready for ``csv.writer`` (changed in place and returned)."""
        for i in self.text:
            value = values[i]
            if value and value.startswith(FORMULA_STARTS):
                values[i] = "'" + value
        return values


def csv_chunks(export: ModalityExport, query, identifiers: PatientIdentifiers = NO_IDENTIFIERS,
               session=None) -> Iterator[bytes]:
    """The csv export of ``query``'s studies, as chunks of UTF-8 bytes."""
    yield BOM
    session = session or db.session
    exam = RowPlan(exam_columns(export, identifiers), export.study_shape)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if export.csv_per_event:
        event = RowPlan(export.event_columns, export.event_shape)
        fmt = CsvFormat(exam.kinds + event.kinds)
        writer.writerow(exam.headers + event.headers)
        for batch in study_batches(session, query, export):
            for study in batch:
                values = exam.values(study.values)
                for item in export.events(study):
                    writer.writerow(fmt(values + event.values(item)))
            yield _drain(buffer)
    else:
        blocks = [BlockPlan(block) for block in export.csv_blocks]
        counts = export.block_counts(session, query) if blocks else []
        kinds = exam.kinds + tuple(k for plan, n in zip(blocks, counts) for k in plan.kinds_for(n))
        fmt = CsvFormat(kinds)
        writer.writerow(exam.headers + [h for plan, n in zip(blocks, counts)
                                        for h in plan.headers_for(n)])
        yield _drain(buffer)
        for batch in study_batches(session, query, export):
            for study in batch:
                values = exam.values(study.values)
                for plan, count in zip(blocks, counts):
                    values += plan.repeated(plan.items(study), count)
                writer.writerow(fmt(values))
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data
