"""Which studies, series and objects of a PACS a query retrieves: pure decisions, no network.

A query finds studies, then their series, then the instances of the series worth having. Only
objects Kerma imports are retrieved:

- dose reports: series of modality SR whose instances are X-Ray Radiation Dose SR, Enhanced
  SR or Radiopharmaceutical Radiation Dose SR (an SR series whose SOP class the node does not
  say is kept: Kerma's import tells a dose report from a radiology report);
- for studies without a dose report, image headers: every image of MG, DX, CR and PX series
  (each image is one exposure), the first image of each NM and PT series (the series header
  carries the administration), and in CT studies the Philips dose screen (a secondary
  capture: a series of modality SC, of SOP class Secondary Capture, or, when the node says
  neither, a series of at most ``SMALL_CT_SERIES`` instances).

A study with a dose report series gets no projection or CT image series: the report already
holds those exposures and Kerma would count them twice. NM and PT headers are kept beside a
CT report (a PET/CT's CT dose report says nothing of the radiopharmaceutical), but not beside
a Radiopharmaceutical Radiation Dose SR.

The records here are plain dictionaries built from C-FIND responses by ``queries.py``; a key
whose value the node did not return holds None.
"""
import fnmatch
from dataclasses import dataclass, field

from ..extractors import sop

DOSE_REPORTS = {sop.XRAY_RADIATION_DOSE_SR, sop.ENHANCED_SR,
                sop.RADIOPHARMACEUTICAL_RADIATION_DOSE_SR}
PROJECTION = {"MG", "DX", "CR", "PX"}
NUCLEAR = {"NM", "PT"}
#: A CT series of at most this many instances may be a dose screen when the node does not
#: say its SOP class; retrieving a CT image instead costs little, as Kerma refuses it.
SMALL_CT_SERIES = 2
#: Modalities that never decide whether a study is of a modality asked for.
NOT_ACQUISITIONS = {"SR", "SC", "OT", "KO", "PR", "DOC"}


def split_patterns(text: str | None) -> list[str]:
    """The patterns of a comma (or line) separated list, blanks dropped, lower-cased."""
    if not text:
        return []
    return [part.strip().lower() for line in text.splitlines() for part in line.split(",")
            if part.strip()]


def matches(value: str | None, patterns: list[str]) -> bool:
    """Whether ``value`` matches one of ``patterns``, ignoring case.

    A pattern with ``*`` or ``?`` must match the whole value (``CT*`` matches "CT Head");
    a pattern without them matches anywhere in it ("head" matches "CT Head").
    """
    if value is None:
        return False
    text = value.strip().lower()
    for pattern in patterns:
        if "*" in pattern or "?" in pattern:
            if fnmatch.fnmatchcase(text, pattern):
                return True
        elif pattern in text:
            return True
    return False


@dataclass(frozen=True)
class Filters:
    """What a query keeps: modalities (empty: any) and include/exclude patterns."""

    modalities: frozenset = frozenset()
    description_include: tuple = ()
    description_exclude: tuple = ()
    station_include: tuple = ()
    station_exclude: tuple = ()

    @classmethod
    def from_query(cls, query) -> "Filters":
        """The filters of a stored query (or schedule)."""
        return cls(
            modalities=frozenset(m.upper() for m in split_patterns(query.modalities)),
            description_include=tuple(split_patterns(query.description_include)),
            description_exclude=tuple(split_patterns(query.description_exclude)),
            station_include=tuple(split_patterns(query.station_include)),
            station_exclude=tuple(split_patterns(query.station_exclude)))


def study_dropped_by_description(study: dict, filters: Filters) -> str | None:
    """Why the study's description puts it out of the query, or None."""
    description = study.get("description")
    if filters.description_include and not matches(description, filters.description_include):
        return "study description not included"
    if filters.description_exclude and matches(description, filters.description_exclude):
        return "study description excluded"
    return None


def study_modalities(study: dict, series: list[dict]) -> set[str]:
    """The modalities of a study: Modalities in Study when given, and its series'."""
    found = {m.upper() for m in (study.get("modalities") or ()) if m}
    found |= {s["modality"].upper() for s in series if s.get("modality")}
    return found


def study_dropped(study: dict, series: list[dict], filters: Filters) -> str | None:
    """Why a study (with its series) is out of the query, or None when it is in."""
    if filters.modalities:
        acquired = study_modalities(study, series) - NOT_ACQUISITIONS
        if not acquired & filters.modalities:
            if not acquired and "SR" in study_modalities(study, series):
                pass  # a study holding only a dose report: its report says the modality
            else:
                return "modality not asked for"
    stations = [s.get("station_name") for s in series if s.get("station_name")]
    if study.get("station_name"):
        stations.append(study["station_name"])
    if filters.station_include and not any(matches(s, filters.station_include)
                                           for s in stations):
        return ("station name not included" if stations
                else "the node gave no station name to include")
    if filters.station_exclude and any(matches(s, filters.station_exclude) for s in stations):
        return "station name excluded"
    return None


@dataclass
class Candidate:
    """A series worth looking into at image level, and what it is taken for."""

    series: dict
    kind: str  # "report", "projection", "nuclear", "ct-screen"
    instances: list = field(default_factory=list)


def candidate_series(series: list[dict], has_stored_report: bool = False) -> list[Candidate]:
    """The series of one study whose instances to look at, by what they may hold."""
    candidates = []
    for item in series:
        modality = (item.get("modality") or "").upper()
        if modality == "SR":
            candidates.append(Candidate(item, "report"))
        elif modality in PROJECTION:
            candidates.append(Candidate(item, "projection"))
        elif modality in NUCLEAR:
            candidates.append(Candidate(item, "nuclear"))
        elif modality == "SC" or (modality == "CT" and _may_be_dose_screen(item)):
            candidates.append(Candidate(item, "ct-screen"))
    if has_stored_report:
        # The stored report holds the exposures; only further reports (continued or
        # cumulative ones) can add to it.
        candidates = [c for c in candidates if c.kind in ("report", "nuclear")]
    return candidates


def _may_be_dose_screen(series: dict) -> bool:
    count = series.get("instances")
    description = (series.get("description") or "").lower()
    if "dose" in description:
        return True
    return count is None or count <= SMALL_CT_SERIES


@dataclass
class Choice:
    """An object to retrieve, and why."""

    series: dict
    instance: dict
    reason: str
    whole_series: bool


def choose_objects(candidates: list[Candidate]) -> list[Choice]:
    """The objects of one study to retrieve, from candidates whose instances are known."""
    reports = []
    for candidate in (c for c in candidates if c.kind == "report"):
        classes = {i.get("sop_class_uid") for i in candidate.instances}
        if classes <= {None} or classes & DOSE_REPORTS:
            reports.append(candidate)
    report_classes = {i.get("sop_class_uid") for c in reports for i in c.instances}
    radiopharmaceutical = sop.RADIOPHARMACEUTICAL_RADIATION_DOSE_SR in report_classes
    chosen = []
    for candidate in reports:
        instances = [i for i in candidate.instances
                     if i.get("sop_class_uid") in DOSE_REPORTS or i.get("sop_class_uid") is None]
        chosen += _choices(candidate, instances, "dose report")
    for candidate in candidates:
        if candidate.kind == "projection" and not reports:
            chosen += _choices(candidate, candidate.instances, "image header")
        elif candidate.kind == "nuclear" and not radiopharmaceutical and candidate.instances:
            first = min(candidate.instances, key=_instance_order)
            chosen += _choices(candidate, [first], "first image of the series")
        elif candidate.kind == "ct-screen" and not reports:
            instances = [i for i in candidate.instances
                         if i.get("sop_class_uid") in (sop.SECONDARY_CAPTURE, None)]
            if candidate.series.get("modality", "").upper() == "SC" or _small(candidate):
                chosen += _choices(candidate, instances, "CT dose screen")
    return chosen


def _small(candidate: Candidate) -> bool:
    classes = {i.get("sop_class_uid") for i in candidate.instances}
    if sop.SECONDARY_CAPTURE in classes:
        return True
    return classes <= {None} and 0 < len(candidate.instances) <= SMALL_CT_SERIES


def _choices(candidate, instances, reason) -> list[Choice]:
    whole = len(instances) == len(candidate.instances) and len(instances) > 1
    return [Choice(candidate.series, instance, reason, whole) for instance in instances]


def _instance_order(instance: dict):
    number = instance.get("number")
    return (number is None, number if number is not None else 0, instance.get("uid") or "")
