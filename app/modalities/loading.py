"""Loader options: what a list page or a detail page fetches, in a fixed number of queries.

A page of 400 studies, or a fluoroscopy study of 500 events, costs the same few queries as
a page of 10: each collection is fetched for all its owners at once (``selectinload``) and
one-to-one details ride along (``joinedload``). Coded values (``ContextID``) load lazily,
once each: the session keeps every code it has seen.
"""
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload, with_expression

from ..models.ct import CtDoseCheckDetails, CtIrradiationEventData, CtRadiationDose
from ..models.nm import (RadiopharmaceuticalAdministrationEventData,
                         RadiopharmaceuticalAdministrationPatientCharacteristics,
                         RadiopharmaceuticalRadiationDose, PETSeries)
from ..models.projection import (AccumXRayDose, IrradEventXRayData,
                                 IrradEventXRayMechanicalData, IrradEventXRaySourceData,
                                 ProjectionXRayRadiationDose)
from ..models.skindose import SkinDoseMap
from ..models.study import GeneralEquipmentModuleAttr, GeneralStudyModuleAttr as Study

#: The device and its display name: every list and detail page shows them.
EQUIPMENT = selectinload(Study.generalequipmentmoduleattr_set).joinedload(
    GeneralEquipmentModuleAttr.unique_equipment_name)

#: The radiopharmaceutical and activity columns of the NM list.
NM_LIST = (
    selectinload(Study.radiopharmaceuticalradiationdose_set)
    .selectinload(RadiopharmaceuticalRadiationDose.radiopharmaceuticaladministrationeventdata_set)
    .options(joinedload(RadiopharmaceuticalAdministrationEventData.radiopharmaceutical_agent),
             joinedload(RadiopharmaceuticalAdministrationEventData.radionuclide)),
)

#: The highest SSDE of each study's CT events, for the CT list's column: one aggregate per
#: study of the page in its own query, not every dose report and event as objects.
SSDE_VALUES = with_expression(Study.highest_ssde, (
    select(func.max(CtIrradiationEventData.ssde))
    .join(CtRadiationDose, CtRadiationDose.id == CtIrradiationEventData.ct_radiation_dose_id)
    .where(CtRadiationDose.general_study_module_attr_id == Study.id)
    .scalar_subquery()))

#: The peak skin dose of each RF study's skin dose map (app/skindose), for the list's column.
SKIN_DOSE = with_expression(Study.peak_skin_dose, (
    select(SkinDoseMap.peak_skin_dose)
    .where(SkinDoseMap.general_study_module_attr_id == Study.id)
    .scalar_subquery()))

#: The header of every detail page: patient, patient-study and equipment rows.
STUDY_HEADER = (
    EQUIPMENT,
    selectinload(Study.patientmoduleattr_set),
    selectinload(Study.patientstudymoduleattr_set),
)

CT_DETAIL = STUDY_HEADER + (
    selectinload(Study.ctradiationdose_set).options(
        selectinload(CtRadiationDose.ctaccumulateddosedata_set),
        selectinload(CtRadiationDose.personparticipant_set),
        selectinload(CtRadiationDose.ctirradiationeventdata_set).options(
            selectinload(CtIrradiationEventData.ctxraysourceparameters_set),
            selectinload(CtIrradiationEventData.scanninglength_set),
            selectinload(CtIrradiationEventData.sizespecificdoseestimation_set),
            selectinload(CtIrradiationEventData.ctreconstructionalgorithm_set),
            selectinload(CtIrradiationEventData.personparticipant_set),
            selectinload(CtIrradiationEventData.ctdosecheckdetails_set).options(
                selectinload(CtDoseCheckDetails.tid1020_alert),
                selectinload(CtDoseCheckDetails.tid1020_notification),
            ),
        ),
    ),
)

PROJECTION_DETAIL = STUDY_HEADER + (
    selectinload(Study.projectionxrayradiationdose_set).options(
        selectinload(ProjectionXRayRadiationDose.personparticipant_set),
        selectinload(ProjectionXRayRadiationDose.accumxraydose_set).options(
            selectinload(AccumXRayDose.accumprojxraydose_set),
            selectinload(AccumXRayDose.accummammographyxraydose_set),
            selectinload(AccumXRayDose.accumintegratedprojradiogdose_set),
            selectinload(AccumXRayDose.accumcassettebsdprojradiogdose_set),
        ),
        selectinload(ProjectionXRayRadiationDose.irradeventxraydata_set).options(
            selectinload(IrradEventXRayData.imageviewmodifier_set),
            selectinload(IrradEventXRayData.irradeventxraydetectordata_set),
            selectinload(IrradEventXRayData.personparticipant_set),
            selectinload(IrradEventXRayData.irradeventxraysourcedata_set).options(
                selectinload(IrradEventXRaySourceData.kvp_set),
                selectinload(IrradEventXRaySourceData.xraytubecurrent_set),
                selectinload(IrradEventXRaySourceData.exposure_set),
                selectinload(IrradEventXRaySourceData.pulsewidth_set),
                selectinload(IrradEventXRaySourceData.xrayfilters_set),
                selectinload(IrradEventXRaySourceData.xraygrid_set),
            ),
            selectinload(IrradEventXRayData.irradeventxraymechanicaldata_set).selectinload(
                IrradEventXRayMechanicalData.doserelateddistancemeasurements_set),
        ),
    ),
)

NM_DETAIL = STUDY_HEADER + (
    selectinload(Study.radiopharmaceuticalradiationdose_set).options(
        selectinload(RadiopharmaceuticalRadiationDose.radiopharmaceuticaladministrationeventdata_set)
        .options(
            selectinload(RadiopharmaceuticalAdministrationEventData.organdose_set),
            selectinload(RadiopharmaceuticalAdministrationEventData.personparticipant_set),
        ),
        selectinload(RadiopharmaceuticalRadiationDose
                     .radiopharmaceuticaladministrationpatientcharacteristics_set).options(
            selectinload(RadiopharmaceuticalAdministrationPatientCharacteristics
                         .glomerularfiltrationrate_set),
            selectinload(RadiopharmaceuticalAdministrationPatientCharacteristics.patientstate_set),
        ),
        selectinload(RadiopharmaceuticalRadiationDose.petseries_set).options(
            selectinload(PETSeries.petseriescorrection_set),
            selectinload(PETSeries.petseriestype_set),
        ),
    ),
)
