"""Loading studies for export in batches: one server-side cursor over the study ids, and for
each batch of ids one query per child table (the ``selectinload`` pattern, by hand).

Exports read plain result rows, not ORM objects, and flatten each study and each event into
one tuple whose layout a ``Shape`` names ("study.study_date", "s1.kvp"): a 100,000-study CT
export reads about two million rows, and building ORM objects or reading row attributes by
name would cost more than writing the file. Coded fields are joined to their meanings in SQL,
so an event's ``ct_acquisition_type`` is "Spiral Acquisition" and ``ct_acquisition_type_code``
its code value.
"""
import gc
import threading
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from queue import Empty, Full, Queue
from threading import Event, Lock, Thread
from typing import Iterator, Sequence

from sqlalchemy import ARRAY, Integer, Select, any_, bindparam, cast, func, select
from sqlalchemy.orm import Session, aliased

from ..models.codes import ContextID
from ..models.study import (
    GeneralEquipmentModuleAttr,
    GeneralStudyModuleAttr,
    PatientModuleAttr,
    PatientStudyModuleAttr,
    UniqueEquipmentNames,
)
from ..models.tree import coded_fields

BATCH_SIZE = 1000
#: Threads loading batches at once, each on its own database connection.
LOADERS = 2


class Shape:
    """Names the values of a flat tuple made of named parts: ``"part.field" -> position``."""

    def __init__(self, **parts: Sequence[str]):
        self.parts = {name: tuple(fields) for name, fields in parts.items()}
        self.positions = {}
        for part, fields in self.parts.items():
            for field in fields:
                name = f"{part}.{field}"
                if name in self.positions:
                    raise ValueError(f"{name} appears twice in the shape")
                self.positions[name] = len(self.positions)
        self.width = len(self.positions)

    def position(self, name: str) -> int:
        """Where ``name`` ("part.field") sits in the tuple."""
        try:
            return self.positions[name]
        except KeyError:
            raise KeyError(f"{name!r} is not one of {sorted(self.positions)}") from None

    def empty(self, part: str) -> tuple:
        """A part with every value None, for a row that is absent."""
        return (None,) * len(self.parts[part])


def labels(stmt: Select) -> tuple[str, ...]:
    """The names of a select's result columns, in order."""
    return tuple(stmt.selected_columns.keys())


def select_fields(model, names: Sequence[str], *extra, path: Sequence = (), keys=()) -> Select:
    """Select ``keys``, then ``names`` of ``model``, then ``extra`` columns; a coded field
    gives its meaning under its own name and its code value under ``<name>_code``.

    With ``path`` (child collections from a dose report root down to ``model``) the select
    starts at the root and joins down, so the caller can filter on the root's study.
    """
    coded = coded_fields(model)
    columns, joins = [], []
    for name in names:
        if name in coded:
            code = aliased(ContextID)
            columns += [code.code_meaning.label(name), code.code_value.label(f"{name}_code")]
            joins.append((code, code.id == getattr(model, f"{name}_id")))
        else:
            columns.append(getattr(model, name))
    stmt = select(*keys, *columns, *extra)
    if path:
        stmt = stmt.select_from(path[0].class_)
        for relationship in path:
            stmt = stmt.join(relationship)
    else:
        stmt = stmt.select_from(model)
    for code, on in joins:
        stmt = stmt.outerjoin(code, on)
    return stmt


class BatchQuery:
    """A select run once per batch of studies, filtered on ``key``, a study id column.

    Rows come back as plain tuples. On PostgreSQL the statement is compiled once and run on
    the driver's cursor with the ids as one array parameter: for a thousand ids that saves
    rendering a thousand parameters per query and building a result-row object per row,
    which together cost more than the database's own work.
    """

    def __init__(self, stmt: Select, key):
        self.fields = labels(stmt)
        self._generic = stmt.where(key.in_(bindparam("batch_ids", expanding=True)))
        self._postgresql = stmt.where(key == any_(cast(bindparam("batch_ids"), ARRAY(Integer))))
        self._compiled = None

    def rows(self, session, ids: Sequence[int]) -> list[tuple]:
        """The rows for the studies ``ids``."""
        connection = session.connection()
        if connection.dialect.name != "postgresql":
            return [tuple(row) for row in connection.execute(self._generic, {"batch_ids": ids})]
        if self._compiled is None:
            compiled = self._postgresql.compile(dialect=connection.dialect)
            self._compiled = (str(compiled), dict(compiled.params))
        sql, params = self._compiled
        params = {**params, "batch_ids": "{" + ",".join(map(str, ids)) + "}"}
        with connection.connection.driver_connection.cursor() as cursor:
            cursor.execute(sql, params, binary=True)
            return cursor.fetchall()


class ChildQuery(BatchQuery):
    """The rows of a child table for a batch of owner ids (``relationship`` is the owner's
    collection, e.g. ``CtIrradiationEventData.ctxraysourceparameters_set``).

    Each row starts with ``parent_id``, then the values of ``names``; ``fields`` names them
    all. Filtering on the owners' ids found by the previous query reads one index, where a
    filter on the study would join every table in between.
    """

    def __init__(self, relationship, names: Sequence[str]):
        model = relationship.property.mapper.class_
        parent_key = next(iter(relationship.property.remote_side))
        stmt = select_fields(model, names, keys=(parent_key.label("parent_id"),)).order_by(model.id)
        super().__init__(stmt, parent_key)

    def by_parent(self, session, parent_ids) -> dict[int, list[tuple]]:
        """The rows grouped by their owner's id."""
        groups = defaultdict(list)
        if parent_ids:
            for row in self.rows(session, parent_ids):
                groups[row[0]].append(row)
        return groups


class StudyChildQuery(BatchQuery):
    """The rows of one table under a dose report root, for a batch of studies.

    ``path`` is the chain of child collections from the root (a model with
    ``general_study_module_attr_id``) down to the table, e.g.
    ``(CtRadiationDose.ctirradiationeventdata_set, CtIrradiationEventData.scanninglength_set)``.
    Each row starts with ``parent_id`` (its owner's id) and ``study_id``, then the values
    of ``names``; ``fields`` names them all, for a ``Shape``. The keys stay in the row: cutting
    them off would copy every row.
    """

    def __init__(self, path: Sequence, names: Sequence[str]):
        root = path[0].class_
        model = path[-1].property.mapper.class_
        parent_key = next(iter(path[-1].property.remote_side))
        stmt = select_fields(
            model, names, path=path, keys=(
                parent_key.label("parent_id"), root.general_study_module_attr_id.label("study_id")),
        ).order_by(model.id)
        super().__init__(stmt, root.general_study_module_attr_id)

    def by_parent(self, session, ids) -> dict[int, list[tuple]]:
        """The rows grouped by their owner's id."""
        groups = defaultdict(list)
        for row in self.rows(session, ids):
            groups[row[0]].append(row)
        return groups

    def by_study(self, session, ids) -> dict[int, list[tuple]]:
        """The rows grouped by study id."""
        groups = defaultdict(list)
        for row in self.rows(session, ids):
            groups[row[1]].append(row)
        return groups


class RootQuery(BatchQuery):
    """The first dose report root of each study (``model`` is CtRadiationDose and the like):
    ``first(session, ids) -> {study id: tuple of fields}``."""

    def __init__(self, model, names: Sequence[str]):
        key = model.general_study_module_attr_id
        super().__init__(select_fields(model, names, keys=(key,)).order_by(model.id), key)
        self.fields = self.fields[1:]

    def first(self, session, ids) -> dict[int, tuple]:
        """Each study's first root row, without the key."""
        first = {}
        for row in self.rows(session, ids):
            first.setdefault(row[0], row[1:])
        return first


class LoadedStudy:
    """One study for export: ``values`` (the study-level tuple, see ``study_shape``), and the
    modality's ``events`` (tuples) and ``extra`` (anything its blocks need)."""

    __slots__ = ("id", "study", "patient", "patient_study", "equipment", "root", "more",
                 "events", "extra", "values")

    def __init__(self, study):
        self.id = study[0]
        self.study = study
        self.patient = self.patient_study = self.equipment = self.root = self.more = None
        self.events = []
        self.extra = None
        self.values = None


# The study-level fields exports use; the three module tables are read from their first row
# per study. Each query puts the study id first, and it is not part of the shape.
STUDY_FIELDS = (
    "id", "study_instance_uid", "study_date", "study_time", "accession_number",
    "accession_hashed", "study_description", "operator_name", "performing_physician_name",
    "modality_type", "procedure_code_meaning", "requested_procedure_code_meaning",
    "number_of_events", "number_of_events_a", "number_of_events_b", "number_of_axial",
    "number_of_spiral", "number_of_stationary", "number_of_const_angle", "total_dlp",
    "total_dap", "total_dap_a", "total_dap_b", "total_rp_dose_a", "total_rp_dose_b",
    "total_agd_left", "total_agd_right", "total_agd_both", "number_of_planes",
    "standard_name",
)
PATIENT_FIELDS = ("patient_name", "name_hashed", "patient_id", "id_hashed",
                  "patient_birth_date", "patient_sex", "not_patient_indicator")
PATIENT_STUDY_FIELDS = ("patient_age_decimal", "patient_size", "patient_weight")
EQUIPMENT_FIELDS = ("institution_name", "manufacturer", "manufacturer_model_name",
                    "station_name", "device_serial_number", "display_name")


def _module_query(model, names, *joins):
    key = model.general_study_module_attr_id
    stmt = select(key, *(getattr(model, name) for name in names)).select_from(model)
    for target, on in joins:
        stmt = stmt.outerjoin(target, on)
    return BatchQuery(stmt.order_by(model.id), key)


def _study_column(name):
    # The standard name is the mapping's, read at export time (app/drl/naming.py).
    if name == "standard_name":
        from ..drl.naming import study_standard_name
        return study_standard_name().label("standard_name")
    return getattr(GeneralStudyModuleAttr, name)


_STUDIES = BatchQuery(
    select(*(_study_column(name) for name in STUDY_FIELDS)),
    GeneralStudyModuleAttr.id)
_PATIENTS = _module_query(PatientModuleAttr, PATIENT_FIELDS)
_PATIENT_STUDIES = _module_query(PatientStudyModuleAttr, PATIENT_STUDY_FIELDS)
_EQUIPMENT = BatchQuery(
    select(GeneralEquipmentModuleAttr.general_study_module_attr_id,
           *(getattr(GeneralEquipmentModuleAttr, name) for name in EQUIPMENT_FIELDS[:-1]),
           UniqueEquipmentNames.display_name)
    .outerjoin(UniqueEquipmentNames,
               UniqueEquipmentNames.id == GeneralEquipmentModuleAttr.unique_equipment_name_id)
    .order_by(GeneralEquipmentModuleAttr.id),
    GeneralEquipmentModuleAttr.general_study_module_attr_id)


def study_shape(root_fields: Sequence[str], more_fields: Sequence[str] = ()) -> Shape:
    """The layout of a study's ``values``: the study, its first patient, patient-study and
    equipment rows, its first dose report root (``root_fields``) and the modality's
    study-level ``more_fields``."""
    return Shape(study=STUDY_FIELDS, patient=PATIENT_FIELDS, patient_study=PATIENT_STUDY_FIELDS,
                 equipment=EQUIPMENT_FIELDS, root=root_fields, more=more_fields)


def study_batches(session, query: Select, export, batch_size: int | None = None
                  ) -> Iterator[list[LoadedStudy]]:
    """Loaded studies of ``query`` in batches, in the query's order.

    A worker thread loads the next batch on its own connection while the caller writes the
    current one, so the database's time overlaps the writing instead of adding to it; the
    study ids stream from a server-side cursor (on PostgreSQL), so memory holds a few
    batches whatever the number of studies.
    """
    with fewer_collections():
        prefetch = _Prefetch(session.get_bind(), query, export, batch_size or BATCH_SIZE)
        try:
            yield from prefetch
        finally:
            prefetch.close()


_GC_LOCK = Lock()
_gc_users = 0
_gc_thresholds = None
# An export makes millions of short-lived tuples; at Python's default threshold (700
# allocations) the cyclic collector ran often enough to take a third of the loading time.
EXPORT_GC_THRESHOLD = 50_000


@contextmanager
def fewer_collections():
    """Run the cyclic garbage collector less often while exports run (process-wide; the
    previous thresholds come back when the last export ends)."""
    global _gc_users, _gc_thresholds
    with _GC_LOCK:
        if _gc_users == 0:
            _gc_thresholds = gc.get_threshold()
            gc.set_threshold(max(EXPORT_GC_THRESHOLD, _gc_thresholds[0]), *_gc_thresholds[1:])
        _gc_users += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _gc_users -= 1
            if _gc_users == 0:
                gc.set_threshold(*_gc_thresholds)


_DONE = object()


class _Prefetch:
    """Loads batches ahead of the consumer: one thread reads the study ids from the cursor and
    hands each batch to ``LOADERS`` loader threads, each with its own connection; the consumer
    takes the batches in order.

    Two loaders keep the database busy on one batch while the other's rows are turned into
    tuples: a single loader left the database idle during its own Python work and the
    Python side idle while it waited, which together cost a third of the export's time.
    """

    def __init__(self, engine, query, export, batch_size, loaders=None):
        self.loaders = loaders or LOADERS
        self.queue = Queue(maxsize=self.loaders + 1)
        self.stopping = Event()
        self.thread = Thread(target=self._run, args=(engine, query, export, batch_size),
                             name="export-ids", daemon=True)
        self.thread.start()

    def __iter__(self):
        while True:
            item = self.queue.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item.result()

    def close(self):
        """Stop the loaders (the consumer may stop early: a client that disconnects)."""
        self.stopping.set()
        while self.thread.is_alive():
            try:
                item = self.queue.get(timeout=0.1)
            except Empty:
                continue
            if isinstance(item, Future):
                item.cancel()
        self.thread.join()

    def _run(self, engine, query, export, batch_size):
        local = threading.local()
        sessions = []

        def load(ids):
            session = getattr(local, "session", None)
            if session is None:
                session = local.session = Session(engine)
                sessions.append(session)
            return load_batch(session, ids, export)

        try:
            with ThreadPoolExecutor(self.loaders, thread_name_prefix="export-loader") as pool:
                try:
                    with Session(engine) as session:
                        for ids in _id_batches(session, query, batch_size):
                            if not self._put(pool.submit(load, ids)):
                                return
                finally:
                    if self.stopping.is_set():
                        pool.shutdown(wait=True, cancel_futures=True)
        except BaseException as exc:  # handed to the consumer, which raises it
            self._put(exc)
        else:
            self._put(_DONE)
        finally:
            for session in sessions:
                session.close()

    def _put(self, item) -> bool:
        while not self.stopping.is_set():
            try:
                self.queue.put(item, timeout=0.1)
                return True
            except Full:
                continue
        return False


def _id_batches(session, query, batch_size):
    """The ids of ``query``'s studies in its order, ``batch_size`` at a time, streamed from a
    server-side cursor."""
    ids_query = query.with_only_columns(GeneralStudyModuleAttr.id)
    result = session.execute(ids_query.execution_options(yield_per=batch_size))
    try:
        for partition in result.partitions(batch_size):
            yield list(dict.fromkeys(row[0] for row in partition))
    finally:
        result.close()


def load_batch(session, ids: list[int], export) -> list[LoadedStudy]:
    """The studies ``ids`` with their common rows and their modality's rows, in that order."""
    studies = {row[0]: LoadedStudy(row) for row in _STUDIES.rows(session, ids)}
    for query, attribute in ((_PATIENTS, "patient"), (_PATIENT_STUDIES, "patient_study"),
                             (_EQUIPMENT, "equipment")):
        for row in query.rows(session, ids):
            study = studies[row[0]]
            if getattr(study, attribute) is None:
                setattr(study, attribute, row[1:])
    export.load(session, ids, studies)
    shape = export.study_shape
    empty_patient, empty_patient_study = shape.empty("patient"), shape.empty("patient_study")
    empty_equipment, empty_root = shape.empty("equipment"), shape.empty("root")
    empty_more = shape.empty("more")
    for study in studies.values():
        study.values = (study.study + (study.patient or empty_patient)
                        + (study.patient_study or empty_patient_study)
                        + (study.equipment or empty_equipment) + (study.root or empty_root)
                        + (study.more or empty_more))
    return [studies[i] for i in ids if i in studies]


def max_children(session, query: Select, path: Sequence) -> int:
    """The most rows any study of ``query`` has at the end of ``path`` (0 when none)."""
    root = path[0].class_
    ids = query.with_only_columns(GeneralStudyModuleAttr.id).order_by(None)
    counts = select(func.count().label("n")).select_from(root)
    for relationship in path:
        counts = counts.join(relationship)
    counts = (counts.where(root.general_study_module_attr_id.in_(ids))
              .group_by(root.general_study_module_attr_id).subquery())
    return session.scalar(select(func.coalesce(func.max(counts.c.n), 0)))


def max_events(session, query: Select) -> int:
    """The most irradiation events any study of ``query`` has, from the study-level summary
    field ``number_of_events`` (filled at import): one pass over the studies instead of a
    count over every event row, so the csv header leaves at once."""
    most = query.with_only_columns(
        func.max(GeneralStudyModuleAttr.number_of_events)).order_by(None)
    return session.scalar(most) or 0


def ids_of(query: Select) -> Select:
    """The ids of ``query``'s studies, unordered, for use in a subquery."""
    return query.with_only_columns(GeneralStudyModuleAttr.id).order_by(None)
