"""What every modality export shares: the export description and the study (exam) columns.

A ``ModalityExport`` says how to load a modality's events and which columns to write; the
writers in ``csv_writer`` and ``xlsx_writer`` do the rest the same way for all five.
"""
from dataclasses import dataclass
from typing import Callable, Sequence

from sqlalchemy import Select, select

from ..models.study import GeneralStudyModuleAttr, PatientModuleAttr
from . import columns as c
from .columns import Block, Column
from .loading import Shape


@dataclass(frozen=True)
class ModalityExport:
    """One modality's export: loading, columns and sheet layout.

    ``load(session, ids, studies)`` fills each ``LoadedStudy``'s ``root``, ``more``, ``events``
    and ``extra`` for a batch; ``study_shape`` and ``event_shape`` name the tuples' values.
    The csv has one row per study with ``csv_blocks`` to the right, or, when
    ``csv_per_event``, one row per event (mammography). The xlsx "All data" sheet has one row
    per study with ``xlsx_blocks``; each protocol sheet one row per event of that protocol
    (``protocol(event)``) with ``event_columns``.
    """

    key: str
    title: str
    load: Callable
    study_shape: Shape
    event_shape: Shape
    study_columns: tuple[Column, ...]
    event_columns: tuple[Column, ...]
    # The events of a loaded study, and an event's acquisition protocol (its sheet).
    events: Callable[[object], Sequence]
    protocol: Callable[[tuple], str | None]
    csv_blocks: tuple[Block, ...] = ()
    xlsx_blocks: tuple[Block, ...] = ()
    csv_per_event: bool = False
    physician: bool = False
    event_count: bool = True
    # The label of the protocol frequencies in the Summary sheet.
    protocol_label: str = "Acquisition protocol"
    # How many blocks each csv block may need: ``block_counts(session, query) -> list[int]``.
    block_counts: Callable | None = None


@dataclass(frozen=True)
class PatientIdentifiers:
    """Which patient identifier columns an export holds (only for users with the pid role)."""

    name: bool = False
    patient_id: bool = False
    birth_date: bool = False

    def __bool__(self):
        return self.name or self.patient_id or self.birth_date


NO_IDENTIFIERS = PatientIdentifiers()


def stored_identifiers(session, query: Select) -> PatientIdentifiers:
    """The identifier columns worth writing: those stored for at least one study of ``query``."""
    ids = query.with_only_columns(GeneralStudyModuleAttr.id).order_by(None)
    patient = PatientModuleAttr

    def any_stored(column):
        return session.scalar(select(
            select(patient.id).where(patient.general_study_module_attr_id.in_(ids),
                                     column.is_not(None)).exists()))

    return PatientIdentifiers(
        name=any_stored(patient.patient_name),
        patient_id=any_stored(patient.patient_id),
        birth_date=any_stored(patient.patient_birth_date),
    )


def exam_columns(export: ModalityExport, identifiers: PatientIdentifiers = NO_IDENTIFIERS
                 ) -> list[Column]:
    """The study columns every export of ``export``'s modality starts with."""
    columns = []
    if identifiers.name:
        columns += [c.text("Patient name", "patient.patient_name"),
                    c.text("Patient name hashed", "patient.name_hashed", c.yes_no)]
    if identifiers.patient_id:
        columns += [c.text("Patient ID", "patient.patient_id"),
                    c.text("Patient ID hashed", "patient.id_hashed", c.yes_no)]
    if identifiers.birth_date:
        columns.append(c.date("Date of birth", "patient.patient_birth_date"))
    columns += [
        c.text("Institution", "equipment.institution_name"),
        c.text("Manufacturer", "equipment.manufacturer"),
        c.text("Model name", "equipment.manufacturer_model_name"),
        c.text("Station name", "equipment.station_name"),
        c.text("Display name", "equipment.display_name"),
        c.text("Accession number", "study.accession_number"),
        c.text("Operator", "study.operator_name"),
    ]
    if export.physician:
        columns.append(c.text("Physician", "study.performing_physician_name"))
    columns += [
        c.date("Study date", "study.study_date"),
        c.time("Study time", "study.study_time"),
        c.number("Age (years)", "patient_study.patient_age_decimal"),
        c.text("Sex", "patient.patient_sex"),
        c.number("Height (m)", "patient_study.patient_size"),
        c.number("Weight (kg)", "patient_study.patient_weight"),
        c.text("Test patient", "patient.not_patient_indicator"),
        c.text("Study description", "study.study_description"),
        c.text("Procedure", "study.procedure_code_meaning"),
        c.text("Requested procedure", "study.requested_procedure_code_meaning"),
        c.text("Standard name", "study.standard_name"),
        c.text("Study comments", "root.comment"),
    ]
    if export.event_count:
        columns.append(c.number("Number of events", "study.number_of_events"))
    return columns + list(export.study_columns)

