"""Study-level summary fields, so lists, filters and exports need no joins (docs/data-model.md).

The definitions are pure functions over plain values (``ct_summary``, ``projection_summary``,
``mammography_summary``, ``nm_summary``), so code that writes rows without the ORM (the
synthetic data generator) fills the fields exactly as importing does; ``fill_summary`` feeds
them from a stored study's rows.
"""

SEQUENCED, SPIRAL, CONSTANT_ANGLE, STATIONARY = "113804", "116152004", "113805", "113806"
# Some devices send Stationary Acquisition as 113611.
STATIONARY_CODES = {STATIONARY, "113611"}
# Older reports code spiral acquisition in SNOMED RT.
SPIRAL_CODES = {SPIRAL, "P5-08001"}
PLANE_B = "113621"  # Plane B (CID 10003); Plane A 113620 and Single Plane 113622 count as A
LEFT_BREAST, RIGHT_BREAST, BOTH_BREASTS = "T-04030", "T-04020", "T-04080"
LEFT_BREAST_SCT, RIGHT_BREAST_SCT, BOTH_BREASTS_SCT = "80248007", "73056007", "63762007"
BREAST_SIDES = {
    LEFT_BREAST: "left", LEFT_BREAST_SCT: "left", RIGHT_BREAST: "right",
    RIGHT_BREAST_SCT: "right", BOTH_BREASTS: "both", BOTH_BREASTS_SCT: "both",
}

#: The summary columns of GeneralStudyModuleAttr that importing fills.
SUMMARY_FIELDS = (
    "number_of_events", "number_of_events_a", "number_of_events_b",
    "number_of_axial", "number_of_spiral", "number_of_stationary",
    "number_of_const_angle", "total_dlp", "total_dap_a", "total_dap_b",
    "total_dap", "total_rp_dose_a", "total_rp_dose_b", "total_agd_left",
    "total_agd_right", "total_agd_both", "number_of_planes",
)


def empty_summary() -> dict:
    """Every summary field set to None."""
    return dict.fromkeys(SUMMARY_FIELDS)


def ct_summary(acquisition_types, event_dlps, accumulated_dlps, projection_events=0) -> dict:
    """Summary of a CT study.

    ``acquisition_types`` holds each CT event's acquisition type code, ``event_dlps`` their
    DLPs, ``accumulated_dlps`` the DLP totals of the study's reports (the event sum stands in
    only when no report gives one); ``projection_events`` counts projection events stored in
    the same study.
    """
    summary = empty_summary()
    types = list(acquisition_types)
    summary["number_of_events"] = len(types) + projection_events
    summary["number_of_axial"] = types.count(SEQUENCED)
    summary["number_of_spiral"] = sum(1 for t in types if t in SPIRAL_CODES)
    summary["number_of_stationary"] = sum(1 for t in types if t in STATIONARY_CODES)
    summary["number_of_const_angle"] = types.count(CONSTANT_ANGLE)
    totals = [total for total in accumulated_dlps if total is not None]
    if totals:
        summary["total_dlp"] = sum(totals)
    else:
        dlps = [dlp for dlp in event_dlps if dlp is not None]
        summary["total_dlp"] = sum(dlps) if dlps else None
    return summary


def projection_summary(events, planes) -> dict:
    """Summary of a fluoroscopy or radiography study.

    ``events`` holds ``(plane code, DAP, dose at RP)`` per irradiation event (the dose at RP
    summed over the event's source rows, None when none has one); ``planes`` holds
    ``(plane code, reported DAP total, reported dose (RP) total)`` per accumulated plane, each
    total None when the plane reports none.
    """
    summary = empty_summary()
    events, planes = list(events), list(planes)
    in_a = [e for e in events if e[0] != PLANE_B]
    in_b = [e for e in events if e[0] == PLANE_B]
    planes_a = [p for p in planes if p[0] != PLANE_B]
    planes_b = [p for p in planes if p[0] == PLANE_B]
    has_b = bool(in_b or planes_b)
    summary["number_of_events"] = len(events)
    summary["number_of_events_a"] = len(in_a)
    summary["number_of_events_b"] = len(in_b) if has_b else None
    summary["total_dap_a"] = _plane_total([p[1] for p in planes_a], [e[1] for e in in_a])
    summary["total_rp_dose_a"] = _plane_total([p[2] for p in planes_a], [e[2] for e in in_a])
    if has_b:
        summary["total_dap_b"] = _plane_total([p[1] for p in planes_b], [e[1] for e in in_b])
        summary["total_rp_dose_b"] = _plane_total([p[2] for p in planes_b],
                                                  [e[2] for e in in_b])
    if summary["total_dap_a"] is not None or summary["total_dap_b"] is not None:
        summary["total_dap"] = (summary["total_dap_a"] or 0.0) + (summary["total_dap_b"] or 0.0)
    summary["number_of_planes"] = len(planes) or None
    return summary


def _plane_total(reported, event_values):
    """The planes' reported totals summed, else the sum over their events, else None."""
    reported = [value for value in reported if value is not None]
    if reported:
        return sum(reported)
    values = [value for value in event_values if value is not None]
    return sum(values) if values else None


def mammography_summary(number_of_events, breast_agds) -> dict:
    """Summary of a mammography study: its event count and the AGD summed per breast.

    ``breast_agds`` holds ``(laterality code, accumulated AGD)`` per accumulated row.
    """
    summary = empty_summary()
    summary["number_of_events"] = number_of_events
    totals = {"left": None, "right": None, "both": None}
    for laterality, agd in breast_agds:
        side = BREAST_SIDES.get(laterality)
        if side and agd is not None:
            totals[side] = (totals[side] or 0.0) + agd
    summary["total_agd_left"] = totals["left"]
    summary["total_agd_right"] = totals["right"]
    summary["total_agd_both"] = totals["both"]
    return summary


def nm_summary(from_report: bool) -> dict:
    """Summary of a nuclear medicine study.

    A radiopharmaceutical dose report records no X-ray irradiation events (0); a study known
    only from NM or PET images has no event count at all (None).
    """
    summary = empty_summary()
    if from_report:
        summary["number_of_events"] = 0
    return summary


def fill_summary(study):
    """Recompute every summary field of ``study`` from its rows."""
    if study.ctradiationdose_set:
        summary = _ct(study)
    elif study.projectionxrayradiationdose_set:
        summary = _projection(study)
    else:
        summary = nm_summary(any(
            event.radiopharmaceutical_administration_event_uid
            for dose in study.radiopharmaceuticalradiationdose_set
            for event in dose.radiopharmaceuticaladministrationeventdata_set))
    for name, value in summary.items():
        setattr(study, name, value)


def _code(row, field):
    code = getattr(row, field)
    return code.code_value if code is not None else None


def _ct(study):
    events = [e for dose in study.ctradiationdose_set for e in dose.ctirradiationeventdata_set]
    return ct_summary(
        [_code(e, "ct_acquisition_type") for e in events],
        [e.dlp for e in events],
        [a.ct_dose_length_product_total for dose in study.ctradiationdose_set
         for a in dose.ctaccumulateddosedata_set],
        sum(len(d.irradeventxraydata_set) for d in study.projectionxrayradiationdose_set),
    )


def _projection(study):
    doses = study.projectionxrayradiationdose_set
    events = [e for dose in doses for e in dose.irradeventxraydata_set]
    planes = [plane for dose in doses for plane in dose.accumxraydose_set]
    if study.modality_type == "MG":
        return mammography_summary(len(events), [
            (_code(agd, "laterality"), agd.accumulated_average_glandular_dose)
            for plane in planes for agd in plane.accummammographyxraydose_set
        ])
    return projection_summary(
        [(_code(e, "acquisition_plane"), e.dose_area_product, _event_rp_dose(e))
         for e in events],
        [(_code(p, "acquisition_plane"), _reported(p, "dose_area_product_total"),
          _reported(p, "dose_rp_total")) for p in planes],
    )


def _reported(plane, field):
    """A plane's reported total: TID 10004 (AccumProjXRayDose), else TID 10007."""
    for rows in (plane.accumprojxraydose_set, plane.accumintegratedprojradiogdose_set):
        values = [getattr(row, field) for row in rows if getattr(row, field) is not None]
        if values:
            return values[0]
    return None


def _event_rp_dose(event):
    values = [s.dose_rp for s in event.irradeventxraysourcedata_set if s.dose_rp is not None]
    return sum(values) if values else None
