"""Nuclear medicine: radiopharmaceutical dose reports (TID 10021) and NM/PET image headers."""
from sqlalchemy import or_

from ..models.codes import ContextID
from ..models.nm import RadiopharmaceuticalAdministrationEventData as Administration
from . import columns as col
from . import filtering as f
from .base import Column, ModalityConfig
from .loading import NM_DETAIL, NM_LIST


def administrations(study):
    """Every radiopharmaceutical administration of the study, in stored order."""
    return [event for dose in study.radiopharmaceuticalradiationdose_set
            for event in dose.radiopharmaceuticaladministrationeventdata_set]


def radiopharmaceutical(event) -> str | None:
    """The agent's name: its code meaning, or the text an image header carried."""
    if event.radiopharmaceutical_agent is not None:
        return event.radiopharmaceutical_agent.code_meaning or \
            event.radiopharmaceutical_agent.code_value
    return event.radiopharmaceutical_agent_string


def _agents(study):
    names = [radiopharmaceutical(event) for event in administrations(study)]
    return "; ".join(dict.fromkeys(name for name in names if name)) or None


def _activities(study):
    return [(None, event.administered_activity) for event in administrations(study)
            if event.administered_activity is not None]


class _AgentFilter(f.TextFilter):
    """The agent's code meaning or its text contains the search, ignoring case."""

    def condition(self, value):
        """An administration whose agent matches."""
        return f.on_nm_administration(or_(
            Administration.radiopharmaceutical_agent_string.icontains(value, autoescape=True),
            Administration.radiopharmaceutical_agent.has(
                ContextID.code_meaning.icontains(value, autoescape=True)),
        ))


NM = ModalityConfig(
    key="nm",
    title="Nuclear medicine",
    modality_types=("NM",),
    filters=(
        f.DATE, f.STUDY_DESCRIPTION, f.PROCEDURE, f.REQUESTED_PROCEDURE,
        _AgentFilter("radiopharmaceutical", "Radiopharmaceutical"),
        f.AGE, f.WEIGHT, f.INSTITUTION, f.MANUFACTURER, f.MODEL, f.STATION, f.ACCESSION,
        f.RangeFilter("activity", "Administered activity",
                      column=Administration.administered_activity,
                      where=f.on_nm_administration, unit="MBq"),
        f.DISPLAY_NAME, f.STANDARD_NAME, f.TEST_DATA, f.PATIENT_NAME, f.PATIENT_ID,
    ),
    columns=col.LEADING + (
        Column("Radiopharmaceutical", _agents),
        Column("Administered activity (MBq)", _activities, kind="parts", places=1),
    ),
    orderings=("date", "study_description", "institution", "manufacturer", "model",
               "display_name"),
    list_options=NM_LIST,
    detail_template="modality/nm_study.html",
    detail_options=NM_DETAIL,
)
