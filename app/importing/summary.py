"""Study-level summary fields, so lists, filters and exports need no joins (docs/data-model.md)."""

SEQUENCED, SPIRAL, CONSTANT_ANGLE, STATIONARY = "113804", "116152004", "113805", "113806"
# Older reports code spiral acquisition in SNOMED RT.
SPIRAL_CODES = {SPIRAL, "P5-08001"}
PLANE_B = "113621"  # Plane B (CID 10003); Plane A 113620 and Single Plane 113622 count as A
LEFT_BREAST, RIGHT_BREAST, BOTH_BREASTS = "T-04030", "T-04020", "T-04080"
LEFT_BREAST_SCT, RIGHT_BREAST_SCT, BOTH_BREASTS_SCT = "80248007", "73056007", "63762007"


def fill_summary(study):
    """Recompute every summary field of ``study`` from its rows."""
    for name in ("number_of_events", "number_of_events_a", "number_of_events_b",
                 "number_of_axial", "number_of_spiral", "number_of_stationary",
                 "number_of_const_angle", "total_dlp", "total_dap_a", "total_dap_b",
                 "total_dap", "total_rp_dose_a", "total_rp_dose_b", "total_agd_left",
                 "total_agd_right", "total_agd_both", "number_of_planes"):
        setattr(study, name, None)
    if study.ctradiationdose_set:
        _ct(study)
    elif study.projectionxrayradiationdose_set:
        _projection(study)
    elif any(event.radiopharmaceutical_administration_event_uid
             for dose in study.radiopharmaceuticalradiationdose_set
             for event in dose.radiopharmaceuticaladministrationeventdata_set):
        # A radiopharmaceutical dose report records no X-ray irradiation events; a study known
        # only from NM or PET images has no event count at all.
        study.number_of_events = 0


def _code(row, field):
    code = getattr(row, field)
    return code.code_value if code is not None else None


def _ct(study):
    events = [e for dose in study.ctradiationdose_set for e in dose.ctirradiationeventdata_set]
    types = [_code(e, "ct_acquisition_type") for e in events]
    study.number_of_events = len(events)
    study.number_of_axial = types.count(SEQUENCED)
    study.number_of_spiral = sum(1 for t in types if t in SPIRAL_CODES)
    study.number_of_stationary = types.count(STATIONARY)
    study.number_of_const_angle = types.count(CONSTANT_ANGLE)
    totals = [a.ct_dose_length_product_total for dose in study.ctradiationdose_set
              for a in dose.ctaccumulateddosedata_set
              if a.ct_dose_length_product_total is not None]
    if totals:
        study.total_dlp = sum(totals)
    else:
        dlps = [e.dlp for e in events if e.dlp is not None]
        study.total_dlp = sum(dlps) if dlps else None


def _projection(study):
    events = [e for dose in study.projectionxrayradiationdose_set
              for e in dose.irradeventxraydata_set]
    study.number_of_events = len(events)
    if study.modality_type == "MG":
        _mammography(study)
        return
    in_b = sum(1 for e in events if _code(e, "acquisition_plane") == PLANE_B)
    study.number_of_events_a = len(events) - in_b
    study.number_of_events_b = in_b or None
    planes = [a for dose in study.projectionxrayradiationdose_set for a in dose.accumxraydose_set]
    dap = {"a": [], "b": []}
    rp = {"a": [], "b": []}
    for plane in planes:
        side = "b" if _code(plane, "acquisition_plane") == PLANE_B else "a"
        totals = plane.accumintegratedprojradiogdose_set or plane.accumprojxraydose_set or \
            plane.accumcassettebsdprojradiogdose_set
        for total in totals[:1]:
            if getattr(total, "dose_area_product_total", None) is not None:
                dap[side].append(total.dose_area_product_total)
            if getattr(total, "dose_rp_total", None) is not None:
                rp[side].append(total.dose_rp_total)
    study.total_dap_a = sum(dap["a"]) if dap["a"] else None
    study.total_dap_b = sum(dap["b"]) if dap["b"] else None
    study.total_rp_dose_a = sum(rp["a"]) if rp["a"] else None
    study.total_rp_dose_b = sum(rp["b"]) if rp["b"] else None
    if study.total_dap_a is not None or study.total_dap_b is not None:
        study.total_dap = (study.total_dap_a or 0.0) + (study.total_dap_b or 0.0)
    study.number_of_planes = len(planes) or None


def _mammography(study):
    totals = {"left": None, "right": None, "both": None}
    for dose in study.projectionxrayradiationdose_set:
        for plane in dose.accumxraydose_set:
            for agd in plane.accummammographyxraydose_set:
                side = {LEFT_BREAST: "left", LEFT_BREAST_SCT: "left", RIGHT_BREAST: "right",
                        RIGHT_BREAST_SCT: "right", BOTH_BREASTS: "both",
                        BOTH_BREASTS_SCT: "both"}.get(_code(agd, "laterality"))
                if side and agd.accumulated_average_glandular_dose is not None:
                    totals[side] = (totals[side] or 0.0) + agd.accumulated_average_glandular_dose
    study.total_agd_left = totals["left"]
    study.total_agd_right = totals["right"]
    study.total_agd_both = totals["both"]
