"""Loader options: what a list page or a detail page fetches, in a fixed number of queries.

A page of 400 studies, or a fluoroscopy study of 500 events, costs the same few queries as
a page of 10: each collection is fetched for all its owners at once (``selectinload``) and
one-to-one details ride along (``joinedload``). Coded values (``ContextID``) load lazily,
once each: the session keeps every code it has seen.
"""
from sqlalchemy.orm import joinedload, selectinload

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

#: The SSDE of each CT event, for the CT list's highest SSDE column.
SSDE_VALUES = selectinload(Study.ctradiationdose_set).selectinload(
    CtRadiationDose.ctirradiationeventdata_set).load_only(
    CtIrradiationEventData.ssde, CtIrradiationEventData.ct_radiation_dose_id)

#: The skin dose map row (app/skindose) of each RF study, for the peak skin dose column.
SKIN_DOSE = selectinload(Study.skin_dose_map).load_only(SkinDoseMap.peak_skin_dose)

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
