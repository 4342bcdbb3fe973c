"""Study-level summary fields, so lists, filters and exports need no joins (docs/data-model.md).

The rules are pure functions over plain values (``ct_summary``, ``projection_summary``,
``mammography_summary``, ``nm_summary``), so code that writes rows without the ORM (the
synthetic data generator) fills the fields exactly as importing does; ``fill_summary`` feeds
them from a stored study's rows.
"""

SEQUENCED, SPIRAL, CONSTANT_ANGLE, STATIONARY = "113804", "116152004", "113805", "113806"
# Older reports code spiral acquisition in SNOMED RT.
SPIRAL_CODES = {SPIRAL, "P5-08001"}
PLANE_B = "113621"  # Plane B (CID 10003); Plane A 113620 and Single Plane 113622 count as A
LEFT_BREAST, RIGHT_BREAST, BOTH_BREASTS = "T-04030", "T-04020", "T-04080"
LEFT_BREAST_SCT, RIGHT_BREAST_SCT, BOTH_BREASTS_SCT = "80248007", "73056007", "63762007"
BREAST_SIDES = {
    LEFT_BREAST: "left", LEFT_BREAST_SCT: "left", RIGHT_BREAST: "right",
    RIGHT_BREAST_SCT: "right", BOTH_BREASTS: "both", BOTH_BREASTS_SCT: "both",
}

#: The summary columns of GeneralStudyModuleAttr that importing fills, in declaration order.
SUMMARY_FIELDS = (
    "number_of_events", "number_of_events_a", "number_of_events_b",
    "number_of_axial", "number_of_spiral", "number_of_stationary",
    "number_of_const_angle", "total_dlp", "total_dap_a", "total_dap_b",
    "total_dap", "total_rp_dose_a", "total_rp_dose_b", "total_agd_left",
    "total_agd_right", "total_agd_both", "number_of_planes",
)


def empty_summary() -> dict:
    """Every summary field set to None (a study with no dose data)."""
    return dict.fromkeys(SUMMARY_FIELDS)


def ct_summary(acquisition_types, event_dlps, accumulated_dlps) -> dict:
    """Summary of a CT study from its events' acquisition type codes and DLPs and its totals.

    ``accumulated_dlps`` are the CT Dose Length Product Totals of the study's reports; the sum
    of the event DLPs stands in only when no report gives a total.
    """
    summary = empty_summary()
    types = list(acquisition_types)
    summary["number_of_events"] = len(types)
    summary["number_of_axial"] = types.count(SEQUENCED)
    summary["number_of_spiral"] = sum(1 for t in types if t in SPIRAL_CODES)
    summary["number_of_stationary"] = types.count(STATIONARY)
    summary["number_of_const_angle"] = types.count(CONSTANT_ANGLE)
    totals = [total for total in accumulated_dlps if total is not None]
    if totals:
        summary["total_dlp"] = sum(totals)
    else:
        dlps = [dlp for dlp in event_dlps if dlp is not None]
        summary["total_dlp"] = sum(dlps) if dlps else None
    return summary


def projection_summary(event_planes, plane_totals) -> dict:
    """Summary of a fluoroscopy or radiography study.

    ``event_planes`` holds each event's acquisition plane code; ``plane_totals`` one
    ``(plane code, DAP total, dose at RP total)`` per accumulated plane, from its first
    accumulated-dose row.
    """
    summary = empty_summary()
    planes = list(event_planes)
    in_b = sum(1 for plane in planes if plane == PLANE_B)
    summary["number_of_events"] = len(planes)
    summary["number_of_events_a"] = len(planes) - in_b
    summary["number_of_events_b"] = in_b or None
    dap = {"a": [], "b": []}
    rp = {"a": [], "b": []}
    count = 0
    for plane, dose_area_product, dose_rp in plane_totals:
        count += 1
        side = "b" if plane == PLANE_B else "a"
        if dose_area_product is not None:
            dap[side].append(dose_area_product)
        if dose_rp is not None:
            rp[side].append(dose_rp)
    summary["total_dap_a"] = sum(dap["a"]) if dap["a"] else None
    summary["total_dap_b"] = sum(dap["b"]) if dap["b"] else None
    summary["total_rp_dose_a"] = sum(rp["a"]) if rp["a"] else None
    summary["total_rp_dose_b"] = sum(rp["b"]) if rp["b"] else None
    if summary["total_dap_a"] is not None or summary["total_dap_b"] is not None:
        summary["total_dap"] = (summary["total_dap_a"] or 0.0) + (summary["total_dap_b"] or 0.0)
    summary["number_of_planes"] = count or None
    return summary


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


def nm_summary() -> dict:
    """Summary of a nuclear medicine study: no X-ray events."""
    summary = empty_summary()
    summary["number_of_events"] = 0
    return summary


def fill_summary(study):
    """Recompute every summary field of ``study`` from its rows."""
    if study.ctradiationdose_set:
        summary = _ct(study)
    elif study.projectionxrayradiationdose_set:
        summary = _projection(study)
    elif study.radiopharmaceuticalradiationdose_set:
        summary = nm_summary()
    else:
        summary = empty_summary()
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
    )


def _projection(study):
    events = [e for dose in study.projectionxrayradiationdose_set
              for e in dose.irradeventxraydata_set]
    planes = [a for dose in study.projectionxrayradiationdose_set for a in dose.accumxraydose_set]
    if study.modality_type == "MG":
        return mammography_summary(len(events), [
            (_code(agd, "laterality"), agd.accumulated_average_glandular_dose)
            for plane in planes for agd in plane.accummammographyxraydose_set
        ])
    totals = []
    for plane in planes:
        rows = plane.accumintegratedprojradiogdose_set or plane.accumprojxraydose_set or \
            plane.accumcassettebsdprojradiogdose_set
        first = rows[0] if rows else None
        totals.append((_code(plane, "acquisition_plane"),
                       getattr(first, "dose_area_product_total", None),
                       getattr(first, "dose_rp_total", None)))
    return projection_summary([_code(e, "acquisition_plane") for e in events], totals)
