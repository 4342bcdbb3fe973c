"""Kerma's tables. One module per DICOM template family; importing this package registers all.

``app.models.tree`` describes the study tree (child collections, coded fields) from the
mappers, for code that stores or dumps whole studies.
"""
from .codes import ContextID
from .ct import (
    CtAccumulatedDoseData,
    CtDoseCheckDetails,
    CtIrradiationEventData,
    CtRadiationDose,
    CtReconstructionAlgorithm,
    CtXRaySourceParameters,
    ScanningLength,
    SizeSpecificDoseEstimation,
    SourceOfCTDoseInformation,
    WEDSeriesOrInstances,
)
from .nm import (
    BillingCode,
    DrugProductIdentifier,
    GlomerularFiltrationRate,
    IntravenousExtravasationSymptoms,
    LanguageofContentItemandDescendants,
    OrganDose,
    PatientState,
    PETSeries,
    PETSeriesCorrection,
    PETSeriesType,
    RadionuclideIdentifier,
    RadiopharmaceuticalAdministrationEventData,
    RadiopharmaceuticalAdministrationPatientCharacteristics,
    RadiopharmaceuticalLotIdentifier,
    RadiopharmaceuticalRadiationDose,
    ReagentVialIdentifier,
)
from .participants import DeviceParticipant, ObserverContext, PersonParticipant
from .projection import (
    AccumCassetteBsdProjRadiogDose,
    AccumIntegratedProjRadiogDose,
    AccumMammographyXRayDose,
    AccumProjXRayDose,
    AccumXRayDose,
    Calibration,
    DoseRelatedDistanceMeasurements,
    Exposure,
    ImageViewModifier,
    IrradEventXRayData,
    IrradEventXRayDetectorData,
    IrradEventXRayMechanicalData,
    IrradEventXRaySourceData,
    Kvp,
    PulseWidth,
    XrayFilters,
    XrayGrid,
    XrayTubeCurrent,
)
from .ssde import CtLocalizerProfile, LocalizerCalibration, StudySizeImport
from .settings import (
    NotPatientIndicatorsID,
    NotPatientIndicatorsName,
    PatientIDSettings,
    SizeUpload,
)
from .study import (
    GeneralEquipmentModuleAttr,
    GeneralStudyModuleAttr,
    ObjectUIDsProcessed,
    PatientModuleAttr,
    PatientStudyModuleAttr,
    UniqueEquipmentNames,
)
from . import auth  # noqa: F401  (users, their roles and the audit log)
from .network import DicomKeepSettings, DicomStoreSettings, QrObject, QrQuery, QrSchedule, RemoteNode
from .tally import StudyTally
from .tasks import BackgroundTask, TaskHourlyCount
from .drl import DrlSet, DrlValue, StandardName
from .alerts import Alert, AlertRule, AlertSubscription
from .skindose import SkinDoseMap
