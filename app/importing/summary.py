"""Study-level summary fields, so lists, filters and exports need no joins (docs/data-model.md)."""

SEQUENCED, SPIRAL, CONSTANT_ANGLE, STATIONARY = "113804", "116152004", "113805", "113806"
# Some devices send Stationary Acquisition as 113611.
STATIONARY_CODES = {STATIONARY, "113611"}
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
        study.number_of_events += sum(len(d.irradeventxraydata_set)
                                      for d in study.projectionxrayradiationdose_set)
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
    study.number_of_stationary = sum(1 for t in types if t in STATIONARY_CODES)
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
    doses = study.projectionxrayradiationdose_set
    events = [e for dose in doses for e in dose.irradeventxraydata_set]
    study.number_of_events = len(events)
    if study.modality_type == "MG":
        _mammography(study)
        return
    in_b = [e for e in events if _code(e, "acquisition_plane") == PLANE_B]
    in_a = [e for e in events if _code(e, "acquisition_plane") != PLANE_B]
    planes = [plane for dose in doses for plane in dose.accumxraydose_set]
    planes_b = [p for p in planes if _code(p, "acquisition_plane") == PLANE_B]
    planes_a = [p for p in planes if _code(p, "acquisition_plane") != PLANE_B]
    study.number_of_events_a = len(in_a)
    study.number_of_events_b = len(in_b) if (in_b or planes_b) else None
    study.total_dap_a = _plane_total(planes_a, in_a, "dose_area_product_total",
                                     lambda e: e.dose_area_product)
    study.total_rp_dose_a = _plane_total(planes_a, in_a, "dose_rp_total", _event_rp_dose)
    if in_b or planes_b:
        study.total_dap_b = _plane_total(planes_b, in_b, "dose_area_product_total",
                                         lambda e: e.dose_area_product)
        study.total_rp_dose_b = _plane_total(planes_b, in_b, "dose_rp_total", _event_rp_dose)
    if study.total_dap_a is not None or study.total_dap_b is not None:
        study.total_dap = (study.total_dap_a or 0.0) + (study.total_dap_b or 0.0)
    study.number_of_planes = len(planes) or None


def _plane_total(planes, events, field, event_value):
    """A plane's reported total (TID 10004, else TID 10007), else the sum over its events."""
    reported = []
    for plane in planes:
        for rows in (plane.accumprojxraydose_set, plane.accumintegratedprojradiogdose_set):
            values = [getattr(row, field) for row in rows if getattr(row, field) is not None]
            if values:
                reported.append(values[0])
                break
    if reported:
        return sum(reported)
    values = [v for v in (event_value(e) for e in events) if v is not None]
    return sum(values) if values else None


def _event_rp_dose(event):
    values = [s.dose_rp for s in event.irradeventxraysourcedata_set if s.dose_rp is not None]
    return sum(values) if values else None


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
