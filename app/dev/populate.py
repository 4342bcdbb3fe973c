"""Synthetic studies for all five modalities, generated as plain rows ready for bulk insert.

Generation is pure: ``StudyGenerator.rows(first, stop, base_ids)`` returns, for studies
``first .. stop-1`` of a run, one list of tuples per table in the column order of
``COLUMNS``, with primary and foreign keys already assigned from ``base_ids`` (the next free
id of every table). Writing them is ``app.dev.bulk``'s business.

Every study draws from its own random generator seeded with (seed, study number), so a run is
the same whatever its batch size, and the same seed always gives the same data. Study dates
are stratified over the period in study order (study *i* of *n* falls near *i/n* of the way
through), so a populated database is in roughly chronological order, as imports make it.
Summary fields come from the same functions importing uses (``app.importing.summary``).
"""
import bisect
import datetime as dt
import math
import random
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ..importing.identity import DEFAULT_ID_PATTERNS, DEFAULT_NAME_PATTERNS, not_patient_indicator
from ..importing.summary import (
    SUMMARY_FIELDS,
    ct_summary,
    mammography_summary,
    nm_summary,
    projection_summary,
)
from . import catalogue as cat

MODALITIES = ("ct", "rf", "mg", "dx", "nm")
#: Share of studies per modality: a group doing ~75k CT, ~300k radiography, ~10k
#: fluoroscopy, ~35k mammography and ~6k NM studies a year.
DEFAULT_MIX = {"ct": 0.18, "dx": 0.70, "rf": 0.025, "mg": 0.08, "nm": 0.015}
YEARS = 10
#: Runs of at least this many studies refresh the planner's statistics (and vacuum) when done.
ANALYZE_AFTER = 10000
#: Share of studies that are test or QA objects (matched by the not-patient patterns).
TEST_SHARE = 0.002

STUDY_COLUMNS = (
    "id", "study_instance_uid", "study_date", "study_time", "study_id", "accession_number",
    "accession_hashed", "study_description", "performing_physician_name", "modality_type",
    "requested_procedure_code_meaning", "series_instance_uid", "series_time", "content_time",
    "unique_equipment_name_id", "not_patient",
) + SUMMARY_FIELDS

#: Columns written per table, parents before children (the insert order).
COLUMNS: dict[str, tuple[str, ...]] = {
    "general_study_module_attr": STUDY_COLUMNS,
    "patient_module_attr": (
        "id", "general_study_module_attr_id", "name_hashed", "id_hashed", "patient_sex",
        "not_patient_indicator"),
    "patient_study_module_attr": (
        "id", "general_study_module_attr_id", "patient_age", "patient_age_decimal",
        "patient_size", "patient_weight"),
    "general_equipment_module_attr": (
        "id", "general_study_module_attr_id", "manufacturer", "institution_name",
        "station_name", "institutional_department_name", "manufacturer_model_name",
        "device_serial_number", "software_versions", "unique_equipment_name_id"),
    "object_uids_processed": ("id", "general_study_module_attr_id", "sop_instance_uid"),
    "ct_radiation_dose": (
        "id", "general_study_module_attr_id", "procedure_reported_id", "has_intent_id",
        "start_of_xray_irradiation", "end_of_xray_irradiation", "scope_of_accumulation_id",
        "source_of_dose_information_id"),
    "ct_accumulated_dose_data": (
        "id", "ct_radiation_dose_id", "total_number_of_irradiation_events",
        "ct_dose_length_product_total"),
    "ct_irradiation_event_data": (
        "id", "ct_radiation_dose_id", "acquisition_protocol", "target_region_id",
        "ct_acquisition_type_id", "procedure_context_id", "irradiation_event_uid",
        "exposure_time", "nominal_single_collimation_width", "nominal_total_collimation_width",
        "pitch_factor", "number_of_xray_sources", "mean_ctdivol", "ctdiw_phantom_type_id", "dlp",
        "date_time_started"),
    "ct_xray_source_parameters": (
        "id", "ct_irradiation_event_data_id", "identification_of_the_xray_source", "kvp",
        "maximum_xray_tube_current", "xray_tube_current", "exposure_time_per_rotation"),
    "scanning_length": ("id", "ct_irradiation_event_data_id", "scanning_length"),
    "projection_xray_radiation_dose": (
        "id", "general_study_module_attr_id", "procedure_reported_id", "has_intent_id",
        "acquisition_device_type_cid_id", "scope_of_accumulation_id",
        "source_of_dose_information_id"),
    "accum_xray_dose": ("id", "projection_xray_radiation_dose_id", "acquisition_plane_id"),
    "accum_proj_xray_dose": (
        "id", "accum_xray_dose_id", "fluoro_dose_area_product_total", "fluoro_dose_rp_total",
        "total_fluoro_time", "acquisition_dose_area_product_total", "acquisition_dose_rp_total",
        "total_acquisition_time", "dose_area_product_total", "dose_rp_total",
        "total_number_of_radiographic_frames", "reference_point_definition_code_id"),
    "accum_integrated_proj_radiog_dose": (
        "id", "accum_xray_dose_id", "dose_area_product_total",
        "total_number_of_radiographic_frames"),
    "accum_mammography_xray_dose": (
        "id", "accum_xray_dose_id", "accumulated_average_glandular_dose", "laterality_id"),
    "irrad_event_xray_data": (
        "id", "projection_xray_radiation_dose_id", "acquisition_plane_id",
        "irradiation_event_uid", "date_time_started", "irradiation_event_type_id",
        "acquisition_protocol", "anatomical_structure_id", "laterality_id", "image_view_id",
        "target_region_id", "dose_area_product", "entrance_exposure_at_rp"),
    "irrad_event_xray_source_data": (
        "id", "irrad_event_xray_data_id", "dose_rp", "average_glandular_dose", "fluoro_mode_id",
        "pulse_rate", "number_of_pulses", "irradiation_duration", "average_xray_tube_current",
        "exposure_time", "anode_target_material_id", "collimated_field_area",
        "exposure_control_mode"),
    "kvp": ("id", "irrad_event_xray_source_data_id", "kvp"),
    "xray_tube_current": ("id", "irrad_event_xray_source_data_id", "xray_tube_current"),
    "exposure": ("id", "irrad_event_xray_source_data_id", "exposure"),
    "pulse_width": ("id", "irrad_event_xray_source_data_id", "pulse_width"),
    "xray_filters": (
        "id", "irrad_event_xray_source_data_id", "xray_filter_type_id", "xray_filter_material_id",
        "xray_filter_thickness_minimum", "xray_filter_thickness_maximum"),
    "irrad_event_xray_detector_data": (
        "id", "irrad_event_xray_data_id", "exposure_index", "target_exposure_index",
        "deviation_index"),
    "irrad_event_xray_mechanical_data": (
        "id", "irrad_event_xray_data_id", "positioner_primary_angle",
        "positioner_secondary_angle", "compression_thickness", "compression_force"),
    "radiopharmaceutical_radiation_dose": (
        "id", "general_study_module_attr_id", "has_intent_id"),
    "radiopharmaceutical_administration_event_data": (
        "id", "radiopharmaceutical_radiation_dose_id", "radiopharmaceutical_agent_id",
        "radionuclide_id", "radionuclide_half_life",
        "radiopharmaceutical_administration_event_uid", "radiopharmaceutical_start_datetime",
        "administered_activity", "route_of_administration_id"),
    "radiopharmaceutical_administration_patient_characteristics": (
        "id", "radiopharmaceutical_radiation_dose_id", "subject_age", "subject_sex_id",
        "patient_height", "patient_weight"),
}
TABLES = tuple(COLUMNS)

# Relative workload by weekday (Monday first) and by hour of day, per modality: CT and
# radiography serve the emergency department around the clock, the rest keep office hours.
WEEKDAYS = {
    "ct": (1, 1, 1, 1, 0.95, 0.5, 0.45), "dx": (1, 1, 1, 1, 0.95, 0.35, 0.3),
    "rf": (1, 1, 1, 1, 0.9, 0.05, 0.03), "mg": (1, 1, 1, 1, 0.9, 0.03, 0.0),
    "nm": (1, 1, 1, 1, 0.85, 0.0, 0.0),
}
HOURS = {
    "ct": [0.25] * 8 + [1.0] * 12 + [0.5] * 4,
    "dx": [0.1] * 8 + [1.0] * 10 + [0.35] * 5 + [0.15],
    "rf": [0.02] * 8 + [1.0] * 10 + [0.1] * 3 + [0.02] * 3,
    "mg": [0.0] * 8 + [1.0] * 9 + [0.3, 0.1] + [0.0] * 5,
    "nm": [0.0] * 8 + [1.0] * 9 + [0.0] * 7,
}
#: Yearly growth in workload.
GROWTH = 1.03

_DX_VIEWS = {"ap": cat.ANTERO_POSTERIOR, "pa": cat.POSTERO_ANTERIOR, "lat": cat.LATERAL}
_CT_KINDS = {"localiser": cat.CT_LOCALISER, "axial": cat.CT_AXIAL, "spiral": cat.CT_SPIRAL,
             "stationary": cat.CT_STATIONARY}


def catalogue_codes() -> list:
    """Every code the generator writes, for creating the ContextID rows up front."""
    found = [value for value in vars(cat).values() if isinstance(value, cat.Code)]
    found += list(cat.REGION.values())
    for protocol in cat.NM_PROTOCOLS:
        found += [protocol.agent, protocol.nuclide]
    for combos in cat.MG_TARGET_FILTERS.values():
        for target, filter_, _ in combos:
            found += [target, filter_]
    return list(dict.fromkeys((c.code_value, c.code_meaning, c.coding_scheme_designator)
                              for c in found))


def _cumulative(weights):
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return [value / total for value in out] if total else out


class _Chooser:
    """Weighted choice by a uniform number in [0, 1), with precomputed cumulative weights."""

    __slots__ = ("items", "cdf")

    def __init__(self, items, weights):
        self.items = list(items)
        self.cdf = _cumulative(weights)

    def pick(self, u):
        return self.items[min(bisect.bisect_right(self.cdf, u), len(self.items) - 1)]


class StudyGenerator:
    """Rows of synthetic studies for one populate run.

    ``count`` studies over the ten years up to ``until``; ``unit_ids`` maps each
    ``catalogue.Unit.key`` to its UniqueEquipmentNames id, ``code_ids`` each
    ``(code_value, code_meaning)`` to its ContextID id.
    """

    def __init__(self, seed: int, count: int, until: dt.date, unit_ids: dict, code_ids: dict,
                 modalities=MODALITIES, mix=None):
        self.seed = seed
        self.count = max(count, 1)
        self.until = until
        self.unit_ids = unit_ids
        self.code_ids = code_ids
        mix = mix or DEFAULT_MIX
        chosen = [m for m in MODALITIES if m in set(modalities)]
        if not chosen:
            raise ValueError("no modality to populate")
        self.modality = _Chooser(chosen, [mix[m] for m in chosen])
        self.days = YEARS * 365 + YEARS // 4
        self.first_day = until - dt.timedelta(days=self.days - 1)
        self.day_of = {m: self._day_chooser(m) for m in chosen}
        self.hour_of = {m: _Chooser(range(24), HOURS[m]) for m in chosen}
        self.units = {m: self._unit_choosers(m.upper()) for m in chosen}
        self.tests = [not_patient_indicator(pid, name, DEFAULT_ID_PATTERNS, DEFAULT_NAME_PATTERNS)
                      for pid, name in cat.TEST_PATIENTS]
        self._protocols = {}

    # -- lookups --------------------------------------------------------------------------

    def cid(self, code) -> int:
        """The ContextID id of a catalogue code."""
        return self.code_ids[(code.code_value, code.code_meaning)]

    def _day_chooser(self, modality):
        weekdays = WEEKDAYS[modality]
        weights = []
        for offset in range(self.days):
            day = self.first_day + dt.timedelta(days=offset)
            weight = weekdays[day.weekday()] * GROWTH ** (offset / 365.25)
            if (day.month, day.day) in ((12, 25), (12, 26), (1, 1)):
                weight *= 0.3
            weights.append(weight)
        return _Chooser(range(self.days), weights)

    def _unit_choosers(self, modality, buckets=40):
        units = [u for u in cat.UNITS if u.modality == modality]
        choosers = []
        for bucket in range(buckets):
            at = (bucket + 0.5) / buckets
            active = [u for u in units if u.active[0] <= at < u.active[1]]
            choosers.append(_Chooser(active, [u.share for u in active]))
        return choosers

    def _protocol_chooser(self, modality, role):
        key = (modality, role)
        if key not in self._protocols:
            protocols = {"ct": cat.CT_PROTOCOLS, "dx": cat.DX_PROTOCOLS, "rf": cat.RF_PROTOCOLS,
                         "nm": cat.NM_PROTOCOLS}[modality]
            mine = [p for p in protocols if role in p.roles]
            self._protocols[key] = _Chooser(mine, [p.weight for p in mine])
        return self._protocols[key]

    # -- generation -------------------------------------------------------------------------

    def rows(self, first: int, stop: int, base_ids: dict) -> dict[str, list[tuple]]:
        """Rows of studies ``first .. stop-1``; ids continue from ``base_ids[table]``."""
        out = {table: [] for table in TABLES}
        ids = _Ids(out, base_ids)
        rng = random.Random()
        for number in range(first, stop):
            rng.seed(self.seed * 1_000_000_007 + number)
            self._study(rng, number, out, ids)
        return out

    def _study(self, rng, number, out, ids):
        rand = rng.random
        modality = self.modality.pick(rand())
        u = (number + rand()) / self.count
        offset = self.day_of[modality].pick(u)
        day = self.first_day + dt.timedelta(days=offset)
        hour = self.hour_of[modality].pick(rand())
        start = dt.datetime(day.year, day.month, day.day, hour, int(rand() * 60), int(rand() * 60))
        buckets = self.units[modality]
        unit = buckets[min(int(offset / self.days * len(buckets)), len(buckets) - 1)].pick(rand())
        uid = f"2.25.{rng.getrandbits(128)}"
        study_id = ids.next("general_study_module_attr")

        patient = _patient(rng, modality, unit)
        indicator = None
        if rand() < TEST_SHARE:
            indicator = self.tests[int(rand() * len(self.tests))]
            patient = (None, None, None, None, None)
        sex, age, age_string, weight, height = patient

        maker = {"ct": self._ct, "rf": self._rf, "mg": self._mg, "dx": self._dx,
                 "nm": self._nm}[modality]
        description, physician, summary, objects = maker(
            rng, out, ids, study_id, unit, start, uid, sex, age, weight, height)

        out["patient_module_attr"].append(
            (ids.next("patient_module_attr"), study_id, False, False, sex, indicator))
        out["patient_study_module_attr"].append(
            (ids.next("patient_study_module_attr"), study_id, age_string, age, height, weight))
        out["general_equipment_module_attr"].append((
            ids.next("general_equipment_module_attr"), study_id, unit.manufacturer,
            unit.institution, unit.station, unit.department, unit.model, unit.serial,
            unit.software, self.unit_ids[unit.key]))
        objects_table = out["object_uids_processed"]
        for k in range(objects):
            objects_table.append((ids.next("object_uids_processed"), study_id, f"{uid}.3.{k + 1}"))
        requested = description if rand() < 0.6 else None
        end = (start + dt.timedelta(minutes=5 + int(rand() * 25))).time()
        out["general_study_module_attr"].append((
            study_id, uid, day, start.time(), str(1 + int(rand() * 9)),
            f"{unit.station[:3]}{rng.getrandbits(36):011d}", False, description, physician,
            modality.upper(), requested, f"{uid}.2", end, end, self.unit_ids[unit.key],
            indicator is not None, *[summary[name] for name in SUMMARY_FIELDS]))

    # CT ------------------------------------------------------------------------------------

    def _ct(self, rng, out, ids, study_id, unit, start, uid, sex, age, weight, height):
        rand, gauss = rng.random, rng.gauss
        protocol = self._protocol_chooser("ct", unit.role).pick(rand())
        child = age is not None and age < 16
        size = (weight or 75.0) / 75.0
        region = self.cid(cat.REGION[protocol.region])
        phantom = self.cid(cat.HEAD_PHANTOM if protocol.head else cat.BODY_PHANTOM)
        context = self.cid(cat.CT_WITHOUT_CONTRAST)
        single, total = unit.collimation
        dose_id = ids.next("ct_radiation_dose")
        events = out["ct_irradiation_event_data"]
        sources = out["ct_xray_source_parameters"]
        lengths = out["scanning_length"]
        types, dlps = [], []
        clock = 60.0
        for scan in protocol.scans:
            if scan.chance < 1.0 and rand() >= scan.chance:
                continue
            low, high = scan.repeat
            for _ in range(low + int(rand() * (high - low + 1))):
                if len(types) == 10:
                    break
                kind = scan.kind
                factor = math.exp(scan.spread * gauss())
                if not protocol.head and kind != "localiser":
                    factor *= min(max(size, 0.5), 2.2) ** 0.9
                if child:
                    factor *= 0.45
                ctdi = min(round(scan.ctdi * factor, 2), 199.0) or 0.01
                length = scan.length * math.exp(0.12 * gauss())
                kvp = scan.kvp if not child else 80.0 if scan.kvp <= 100 else 100.0
                rotation = 1.0 if protocol.head else 0.5
                pitch = None
                if kind == "spiral":
                    pitch = (0.55 if protocol.head else 0.8, 0.984, 1.2, 1.5)[int(rand() * 3.2)]
                    covered = length + 30.0
                    seconds = covered / (pitch * total) * rotation
                elif kind == "axial":
                    rotations = max(1, math.ceil(length / total))
                    covered = rotations * total
                    seconds = rotations * rotation
                elif kind == "stationary":
                    covered = total
                    seconds = (40.0 if ctdi > 50 else 1.0 + int(rand() * 8)) * rotation
                else:  # localiser: the tube stays put while the table moves
                    covered = length
                    seconds = length / 100.0
                    rotation = None
                dlp = round(ctdi * covered / 10.0, 2)
                mas = ctdi / ((0.16 if protocol.head else 0.07) * (kvp / 120.0) ** 2.5)
                current = min(max(mas * (pitch or 1.0) / (rotation or 1.0), 10.0), 900.0)
                event_id = ids.next("ct_irradiation_event_data")
                ct_type = cat.CT_SPIRAL_LEGACY if kind == "spiral" and unit.legacy_codes \
                    else _CT_KINDS[kind]
                types.append(ct_type.code_value)
                dlps.append(dlp)
                events.append((
                    event_id, dose_id, scan.name, region, self.cid(ct_type), context,
                    f"{uid}.1.{len(types)}", round(seconds, 2), single, total, pitch, 1, ctdi,
                    phantom, dlp, start + dt.timedelta(seconds=clock)))
                sources.append((
                    ids.next("ct_xray_source_parameters"), event_id, "A", kvp,
                    round(current * (1.1 + 0.5 * rand())), round(current), rotation))
                lengths.append((ids.next("scanning_length"), event_id, round(covered, 1)))
                clock += seconds + 20.0 + 90.0 * rand()
        total_dlp = round(sum(dlps), 2)
        out["ct_radiation_dose"].append((
            dose_id, study_id, self.cid(cat.CT_PROCEDURE), self.cid(cat.DIAGNOSTIC_INTENT),
            start + dt.timedelta(seconds=60), start + dt.timedelta(seconds=clock),
            self.cid(cat.STUDY_SCOPE), self.cid(cat.AUTOMATED_COLLECTION)))
        out["ct_accumulated_dose_data"].append(
            (ids.next("ct_accumulated_dose_data"), dose_id, len(types), total_dlp))
        return protocol.description, None, ct_summary(types, dlps, [total_dlp]), 1

    # Projection studies share their root rows -----------------------------------------------

    def _projection_root(self, out, ids, study_id, procedure, device, source):
        dose_id = ids.next("projection_xray_radiation_dose")
        out["projection_xray_radiation_dose"].append((
            dose_id, study_id, self.cid(procedure), self.cid(cat.DIAGNOSTIC_INTENT),
            self.cid(device) if device else None, self.cid(cat.STUDY_SCOPE), self.cid(source)))
        return dose_id

    def _plane(self, out, ids, dose_id, plane):
        plane_id = ids.next("accum_xray_dose")
        out["accum_xray_dose"].append((plane_id, dose_id, self.cid(plane)))
        return plane_id

    # RF ------------------------------------------------------------------------------------

    def _rf(self, rng, out, ids, study_id, unit, start, uid, sex, age, weight, height):
        rand, gauss, exp = rng.random, rng.gauss, math.exp
        protocol = self._protocol_chooser("rf", unit.role).pick(rand())
        dose_id = self._projection_root(out, ids, study_id, cat.PROJECTION_PROCEDURE,
                                        cat.FLUORO_DEVICE, cat.AUTOMATED_COLLECTION)
        runs = max(1, round(protocol.fluoro_runs * exp(0.6 * gauss())))
        acquisitions = max(0, round(protocol.acquisitions * exp(0.6 * gauss()) - 0.3))
        count = min(runs + acquisitions, 600)
        share_acquisition = acquisitions / (runs + acquisitions)
        if unit.biplane:
            planes = (cat.PLANE_A, cat.PLANE_B) if rand() < 0.75 else (cat.PLANE_A,)
        else:
            planes = (cat.PLANE_SINGLE,)
        plane_ids = [self.cid(p) for p in planes]
        patient_factor = min(max((weight or 75.0) / 75.0, 0.4), 2.5) ** 1.5 * exp(0.35 * gauss())
        region = self.cid(cat.REGION[protocol.region])
        fluoro, acquisition = self.cid(cat.FLUOROSCOPY), self.cid(cat.STATIONARY_ACQUISITION)
        rotational = self.cid(cat.ROTATIONAL_ACQUISITION)
        pulsed, continuous = self.cid(cat.PULSED), self.cid(cat.CONTINUOUS)
        copper, flat = self.cid(cat.COPPER), self.cid(cat.FLAT_FILTER)
        events, sources = out["irrad_event_xray_data"], out["irrad_event_xray_source_data"]
        kvps, currents = out["kvp"], out["xray_tube_current"]
        widths, filters = out["pulse_width"], out["xray_filters"]
        mechanics = out["irrad_event_xray_mechanical_data"]
        # Per plane: fluoro DAP, RP dose, time; acquisition DAP, RP dose, time; frames.
        totals = [[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0] for _ in planes]
        event_values = []
        clock = 120.0
        primary, secondary = gauss() * 20.0, gauss() * 10.0
        for k in range(count):
            side = 1 if len(planes) == 2 and rand() < 0.45 else 0
            is_acquisition = rand() < share_acquisition
            area = 0.008 + 0.017 * rand()  # field area at the reference point, m²
            if is_acquisition:
                frame_rate = protocol.pulse_rate if protocol.frames > 5 else 1.0
                frames = max(1, round(protocol.frames * exp(0.5 * gauss())))
                seconds = frames / frame_rate
                dap = protocol.acquisition_dap * patient_factor * exp(0.5 * gauss()) * 1e-6
                event_type = rotational if protocol.frames > 20 and rand() < 0.03 else acquisition
                mode, rate, current, width = pulsed, frame_rate, 200.0 + 500.0 * rand(), 6.0
                kvp = 70.0 + round(15.0 * rand() + 5.0 * patient_factor)
                copper_mm = 0.1
            else:
                seconds = min(max(protocol.run_seconds * exp(0.9 * gauss()), 0.1), 600.0)
                frames = 0
                dap = protocol.fluoro_rate * seconds * patient_factor * exp(0.3 * gauss()) * 1e-6
                event_type = fluoro
                if rand() < 0.92:
                    mode, rate, width = pulsed, protocol.pulse_rate, 4.0 + 4.0 * rand()
                else:
                    mode, rate, width = continuous, None, None
                current = 5.0 + 20.0 * rand()
                kvp = 65.0 + round(15.0 * rand() + 8.0 * patient_factor)
                copper_mm = (0.9, 0.6, 0.3)[int(rand() * 3)]
            dap = round(dap, 9)
            dose_rp = round(dap / area, 7)
            tally = totals[side]
            if is_acquisition:
                tally[3] += dap
                tally[4] += dose_rp
                tally[5] += seconds
                tally[6] += frames
            else:
                tally[0] += dap
                tally[1] += dose_rp
                tally[2] += seconds
            event_values.append((planes[side].code_value, dap, dose_rp))
            event_id = ids.next("irrad_event_xray_data")
            source_id = ids.next("irrad_event_xray_source_data")
            events.append((
                event_id, dose_id, plane_ids[side], f"{uid}.1.{k + 1}",
                start + dt.timedelta(seconds=clock), event_type, protocol.description if
                is_acquisition else "Fluoroscopy", None, None, None, region, dap, None))
            sources.append((
                source_id, event_id, dose_rp, None, mode, rate,
                round(seconds * rate) if rate else None, round(seconds, 1), round(current, 1),
                round(width * seconds * rate, 1) if rate else round(seconds * 1000.0),
                None, round(area, 5), None))
            kvps.append((ids.next("kvp"), source_id, kvp))
            currents.append((ids.next("xray_tube_current"), source_id, round(current, 1)))
            if width is not None:
                widths.append((ids.next("pulse_width"), source_id, round(width, 1)))
            filters.append(
                (ids.next("xray_filters"), source_id, flat, copper, copper_mm, copper_mm))
            primary = min(max(primary + gauss() * 8.0, -120.0), 120.0)
            secondary = min(max(secondary + gauss() * 5.0, -45.0), 45.0)
            mechanics.append((ids.next("irrad_event_xray_mechanical_data"), event_id,
                              round(primary, 1), round(secondary, 1), None, None))
            clock += seconds + 10.0 + 60.0 * rand()
        reference = self.cid(cat.RP_ISOCENTER if unit.role in ("cardiac", "neuro",
                                                                "interventional")
                             else cat.RP_IMAGE_INPUT)
        plane_totals = []
        for plane, tally in zip(planes, totals):
            accum_id = self._plane(out, ids, dose_id, plane)
            dap_total, rp_total = tally[0] + tally[3], tally[1] + tally[4]
            out["accum_proj_xray_dose"].append((
                ids.next("accum_proj_xray_dose"), accum_id, tally[0], tally[1],
                round(tally[2], 1), tally[3], tally[4], round(tally[5], 1), dap_total, rp_total,
                tally[6], reference))
            plane_totals.append((plane.code_value, dap_total, rp_total))
        physician = cat.PHYSICIANS[int(rand() * len(cat.PHYSICIANS))]
        return (protocol.description, physician,
                projection_summary(event_values, plane_totals), 1)

    # DX ------------------------------------------------------------------------------------

    def _dx(self, rng, out, ids, study_id, unit, start, uid, sex, age, weight, height):
        rand, gauss, exp = rng.random, rng.gauss, math.exp
        protocol = self._protocol_chooser("dx", unit.role).pick(rand())
        dose_id = self._projection_root(out, ids, study_id, cat.PROJECTION_PROCEDURE,
                                        cat.RADIOGRAPHY_DEVICE, cat.COPIED_FROM_IMAGES)
        views = [v for v in protocol.views if v.chance >= 1.0 or rand() < v.chance]
        if rand() < 0.04:  # a repeated exposure
            views.append(views[0])
        views = views[:6]
        body = protocol.region in ("chest", "abdomen", "pelvis", "hip", "lumbar_spine",
                                   "thoracic_spine")
        size = min(max((weight or 75.0) / 75.0, 0.3), 2.5) if body else 1.0
        if age is not None and age < 12:
            size *= 0.4
        laterality = None
        if protocol.sided:
            laterality = self.cid(cat.LEFT if rand() < 0.5 else cat.RIGHT)
        single = self.cid(cat.PLANE_SINGLE)
        acquisition = self.cid(cat.STATIONARY_ACQUISITION)
        region = self.cid(cat.REGION[protocol.region])
        target = cat.EI_TARGETS.get(unit.manufacturer, 300.0)
        control = "AUTOMATIC" if body else "MANUAL"
        events, sources = out["irrad_event_xray_data"], out["irrad_event_xray_source_data"]
        kvps, exposures = out["kvp"], out["exposure"]
        detectors = out["irrad_event_xray_detector_data"]
        total, clock, event_values = 0.0, 30.0, []
        for k, view in enumerate(views):
            mas = round(view.mas * size ** 1.2 * exp(0.25 * gauss()), 2)
            dap = round(view.dap_cgycm2 * size ** 1.3 * exp(0.35 * gauss()) * 1e-6, 9)
            current = 200.0 + 100.0 * int(rand() * 4)
            index = round(target * exp(0.3 * gauss()), 1)
            total += dap
            event_values.append((cat.PLANE_SINGLE.code_value, dap, None))
            event_id = ids.next("irrad_event_xray_data")
            source_id = ids.next("irrad_event_xray_source_data")
            events.append((
                event_id, dose_id, single, f"{uid}.3.{k + 1}", start + dt.timedelta(seconds=clock),
                acquisition, f"{protocol.description[3:]} {view.view.upper()}", None, laterality,
                self.cid(_DX_VIEWS[view.view]), region, dap, None))
            sources.append((
                source_id, event_id, None, None, None, None, None, None, current,
                round(mas / current * 1000.0, 1), None, None, control))
            kvp = view.kvp + (-5.0, 0.0, 0.0, 5.0)[int(rand() * 4)]
            kvps.append((ids.next("kvp"), source_id, kvp))
            exposures.append((ids.next("exposure"), source_id, round(mas * 1000.0)))
            detectors.append((ids.next("irrad_event_xray_detector_data"), event_id, index, target,
                              round(10.0 * math.log10(index / target), 2)))
            clock += 40.0 + 120.0 * rand()
        accum_id = self._plane(out, ids, dose_id, cat.PLANE_SINGLE)
        out["accum_integrated_proj_radiog_dose"].append(
            (ids.next("accum_integrated_proj_radiog_dose"), accum_id, total, len(views)))
        summary = projection_summary(event_values, [(cat.PLANE_SINGLE.code_value, total, None)])
        return protocol.description, None, summary, len(views)

    # MG ------------------------------------------------------------------------------------

    def _mg(self, rng, out, ids, study_id, unit, start, uid, sex, age, weight, height):
        rand, gauss, exp = rng.random, rng.gauss, math.exp
        descriptions = cat.MG_DESCRIPTIONS[unit.role]
        u, description = rand(), descriptions[-1][0]
        for name, share in descriptions:
            if u < share:
                description = name
                break
            u -= share
        if description == "Unilateral Mammogram":
            sides = ("R",) if rand() < 0.5 else ("L",)
            views = [(s, v) for s in sides for v in ("CC", "MLO")]
        elif description == "Mammogram Additional Views":
            side = "R" if rand() < 0.5 else "L"
            views = [(side, ("CC", "MLO")[int(rand() * 2)]) for _ in range(1 + int(rand() * 3))]
        else:
            views = [("R", "CC"), ("L", "CC"), ("R", "MLO"), ("L", "MLO")]
            if rand() < 0.08:
                views.append((("R", "L")[int(rand() * 2)], "CC"))
        legacy = unit.legacy_codes
        sides = {"R": (self.cid(cat.RIGHT_LEGACY if legacy else cat.RIGHT),
                       cat.RIGHT_BREAST_LEGACY if legacy else cat.RIGHT_BREAST),
                 "L": (self.cid(cat.LEFT_LEGACY if legacy else cat.LEFT),
                       cat.LEFT_BREAST_LEGACY if legacy else cat.LEFT_BREAST)}
        thickness = {s: min(max(55.0 * exp(0.25 * gauss()), 15.0), 110.0) for s in "RL"}
        view_codes = {"CC": self.cid(cat.CRANIO_CAUDAL), "MLO": self.cid(cat.MEDIO_LATERAL_OBLIQUE)}
        combos = cat.MG_TARGET_FILTERS[unit.manufacturer]
        breast, single = self.cid(cat.BREAST), self.cid(cat.PLANE_SINGLE)
        acquisition, flat = self.cid(cat.STATIONARY_ACQUISITION), self.cid(cat.FLAT_FILTER)
        dose_id = self._projection_root(out, ids, study_id, cat.MAMMOGRAPHY_PROCEDURE, None,
                                        cat.AUTOMATED_COLLECTION)
        events, sources = out["irrad_event_xray_data"], out["irrad_event_xray_source_data"]
        agd_by_side = {}
        clock = 60.0
        for k, (side, view) in enumerate(views):
            t = thickness[side] + (6.0 if view == "MLO" else 0.0) + gauss() * 2.0
            target, filter_, base_kv = combos[0] if t < 60 or len(combos) == 1 else combos[1]
            kvp = float(round(base_kv + (t - 50.0) * 0.1))
            agd = round((0.5 + 0.022 * t) * exp(0.12 * gauss()), 3)
            entrance = round(agd * (2.5 + 0.04 * t), 2)
            mas = round((40.0 + 2.5 * t) * exp(0.1 * gauss()), 1)
            current = 150.0 + 10.0 * int(rand() * 5)
            agd_by_side[side] = agd_by_side.get(side, 0.0) + agd
            event_id = ids.next("irrad_event_xray_data")
            source_id = ids.next("irrad_event_xray_source_data")
            events.append((
                event_id, dose_id, single, f"{uid}.1.{k + 1}", start + dt.timedelta(seconds=clock),
                acquisition, f"{side} {view}", breast, sides[side][0], view_codes[view], breast,
                None, entrance))
            sources.append((
                source_id, event_id, None, agd, None, None, None, None, current,
                round(mas / current * 1000.0, 1), self.cid(target), None, "AUTO_FILTER"))
            out["kvp"].append((ids.next("kvp"), source_id, kvp))
            out["exposure"].append((ids.next("exposure"), source_id, round(mas * 1000.0)))
            thickness_mm = 0.7 if filter_ is cat.ALUMINUM else 0.05
            out["xray_filters"].append((ids.next("xray_filters"), source_id, flat,
                                        self.cid(filter_), thickness_mm, thickness_mm))
            out["irrad_event_xray_mechanical_data"].append((
                ids.next("irrad_event_xray_mechanical_data"), event_id, None, None, round(t, 1),
                round(60.0 + 90.0 * rand(), 1)))
            clock += 30.0 + 60.0 * rand()
        accum_id = self._plane(out, ids, dose_id, cat.PLANE_SINGLE)
        agds = []
        for side in ("R", "L"):
            if side in agd_by_side:
                laterality = sides[side][1]
                out["accum_mammography_xray_dose"].append((
                    ids.next("accum_mammography_xray_dose"), accum_id, agd_by_side[side],
                    self.cid(laterality)))
                agds.append((laterality.code_value, agd_by_side[side]))
        return description, None, mammography_summary(len(views), agds), 1

    # NM ------------------------------------------------------------------------------------

    def _nm(self, rng, out, ids, study_id, unit, start, uid, sex, age, weight, height):
        rand, gauss = rng.random, rng.gauss
        protocol = self._protocol_chooser("nm", unit.role).pick(rand())
        dose_id = ids.next("radiopharmaceutical_radiation_dose")
        out["radiopharmaceutical_radiation_dose"].append(
            (dose_id, study_id, self.cid(cat.DIAGNOSTIC_INTENT)))
        administered = start - dt.timedelta(minutes=60 + int(rand() * 60))
        for k in range(protocol.administrations):
            if protocol.per_kg:
                activity = min(protocol.activity * (weight or 75.0), 400.0)
                activity *= math.exp(0.04 * gauss())
            else:
                activity = protocol.activity * (3.0 if k else 1.0) * math.exp(0.08 * gauss())
            out["radiopharmaceutical_administration_event_data"].append((
                ids.next("radiopharmaceutical_administration_event_data"), dose_id,
                self.cid(protocol.agent), self.cid(protocol.nuclide), protocol.half_life,
                f"{uid}.4.{k + 1}", administered + dt.timedelta(hours=3 * k),
                round(activity, 1), self.cid(cat.INTRAVENOUS)))
        sex_code = {"M": cat.MALE, "F": cat.FEMALE}.get(sex)
        out["radiopharmaceutical_administration_patient_characteristics"].append((
            ids.next("radiopharmaceutical_administration_patient_characteristics"), dose_id, age,
            self.cid(sex_code) if sex_code else None, height, weight))
        # Administrations from a dose report carry their UIDs: no X-ray events, not unknown.
        return protocol.description, None, nm_summary(from_report=True), 1


class _Ids:
    """Next primary key per table: the batch's base id plus the rows made so far."""

    __slots__ = ("out", "base")

    def __init__(self, out, base):
        self.out, self.base = out, base

    def next(self, table) -> int:
        return self.base[table] + len(self.out[table])


def _patient(rng, modality, unit):
    """(sex, decimal age, age string, weight kg, height m) for a patient of this modality."""
    rand, gauss = rng.random, rng.gauss
    if modality == "mg":
        sex = "F" if rand() < 0.997 else "M"
        years = 50.0 + 21.0 * rand() if unit.role == "screening" else rng.triangular(25, 90, 55)
    else:
        sex = "M" if rand() < (0.56 if unit.role == "cardiac" else 0.49) else "F"
        child_share = {"dx": 0.1, "ct": 0.03, "rf": 0.02, "nm": 0.02}[modality]
        if rand() < child_share:
            years = 16.0 * rand()
        elif unit.role == "cardiac":
            years = rng.triangular(35, 95, 68)
        else:
            years = rng.triangular(16, 100, 62)
    age = round(years, 1)
    age_string = f"{int(years):03d}Y" if years >= 2 else f"{int(years * 12):03d}M"
    weight = height = None
    if rand() < {"ct": 0.4, "dx": 0.2, "rf": 0.6, "mg": 0.05, "nm": 0.9}[modality]:
        if years < 16:
            weight = round(3.5 + years * 3.2 + gauss() * years * 0.5, 1)
        else:
            weight = (80.0 if sex == "M" else 70.0) + gauss() * 16.0
            weight = round(min(max(weight, 35.0), 200.0), 1)
        if rand() < 0.5:
            base = 0.5 + years * 0.07 if years < 16 else (1.76 if sex == "M" else 1.63)
            height = round(base + gauss() * 0.07, 2)
    return sex, age, age_string, weight, height


# -- Running it -------------------------------------------------------------------------------


@dataclass
class PopulateResult:
    """What a populate run wrote and how long it took."""

    studies: int
    rows: int
    seconds: float
    by_modality: dict
    #: False when the database skipped its per-row foreign key checks (PostgreSQL superuser).
    checked: bool = True


def populate(studies: int, seed: int = 1, modalities=MODALITIES, batch: int = 5000,
             until: dt.date | None = None, progress=None) -> PopulateResult:
    """Add ``studies`` synthetic studies to the application's database.

    Needs an application context. ``until`` is the last study date (today when None);
    ``progress(done)`` is called after each batch. Generation of the next batch overlaps the
    database's work on the previous one.
    """
    from .. import tally
    from ..importing.chart_values import refresh as refresh_chart_values
    from ..extensions import db
    from . import bulk

    started = time.perf_counter()
    until = until or dt.date.today()
    code_ids = bulk.ensure_codes(db.session, catalogue_codes())
    unit_ids = bulk.ensure_units(db.session, cat.UNITS)
    with db.engine.connect() as connection:
        base = bulk.next_ids(connection, TABLES)
    db.session.remove()
    first_study_id = base["general_study_module_attr"]
    generator = StudyGenerator(seed, studies, until, unit_ids, code_ids, modalities)
    writer = bulk.BulkWriter(db.engine, COLUMNS)
    rows = 0
    by_modality = defaultdict(int)
    batch = max(1, batch)
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = None
            for first in range(0, studies, batch):
                made = generator.rows(first, min(first + batch, studies), base)
                for table, table_rows in made.items():
                    base[table] += len(table_rows)
                    rows += len(table_rows)
                modality_at = STUDY_COLUMNS.index("modality_type")
                for study in made["general_study_module_attr"]:
                    by_modality[study[modality_at]] += 1
                if pending is not None:
                    pending.result()
                    if progress:
                        progress(first)
                pending = pool.submit(writer.write, made)
            if pending is not None:
                pending.result()
                if progress:
                    progress(studies)
        writer.finish()
    finally:
        writer.close()
    # Statistics first: without them PostgreSQL plans the chart values' per-event subqueries
    # as scans of whole tables, once per event (hours at a million studies, not a minute).
    if studies >= ANALYZE_AFTER:
        writer.analyze()
    # The rows went in past the importer, so the home page's counts and the events' chart
    # values are made afresh.
    refresh_chart_values(db.session, first_study_id=first_study_id)
    tally.rebuild(db.session)
    db.session.commit()
    if studies >= ANALYZE_AFTER:
        writer.analyze()  # again: the refresh rewrote every event row
    return PopulateResult(studies, rows, time.perf_counter() - started, dict(by_modality),
                          writer.checked)
