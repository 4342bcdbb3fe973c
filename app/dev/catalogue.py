"""What a synthetic hospital group owns and does: equipment, protocols and the codes they use.

Three hospitals share CT scanners, radiography rooms and mobiles, fluoroscopy rooms, cath and
interventional labs (two of them biplane), theatre C-arms, mammography units and NM cameras.
Each unit has a role that decides which protocols it performs; each protocol carries typical
dose figures taken from published national diagnostic reference levels and survey medians,
so distributions look like a real site's (per event log-normal around the median).

Doses here are in the stored units of docs/architecture.md except where the name says
otherwise (``dap_cgycm2``: cGy·cm², the unit people quote; converted when rows are made).
"""
from dataclasses import dataclass

from pydicom.sr.codedict import codes

from ..extractors.codes import Code


def code(concept) -> Code:
    """A pydicom code dictionary entry as the ``Code`` importing stores."""
    return Code(concept.value, concept.meaning, concept.scheme_designator)


# -- Codes ----------------------------------------------------------------------------------
# Where pydicom's dictionary has the concept its SNOMED CT or DCM form is used; units marked
# ``legacy_codes`` send the SNOMED RT forms older reports carry (PS3.16 before 2019), which the
# summary fields must count just the same.

CT_PROCEDURE = Code("P5-08000", "Computed Tomography X-Ray", "SRT")  # CID 10000 (SRT form)
PROJECTION_PROCEDURE = code(codes.DCM.ProjectionXRay)
MAMMOGRAPHY_PROCEDURE = Code("P5-40010", "Mammography", "SRT")  # CID 10000 (SRT form)
DIAGNOSTIC_INTENT = code(codes.SCT.DiagnosticIntent)
STUDY_SCOPE = code(codes.DCM.Study)
AUTOMATED_COLLECTION = code(codes.DCM.AutomatedDataCollection)
COPIED_FROM_IMAGES = Code("113866", "Copied From Image Attributes", "DCM")  # CID 10020

CT_LOCALISER = code(codes.DCM.ConstantAngleAcquisition)  # 113805
CT_AXIAL = code(codes.DCM.SequencedAcquisition)  # 113804
CT_SPIRAL = code(codes.SCT.SpiralAcquisition)  # 116152004
CT_SPIRAL_LEGACY = Code("P5-08001", "Spiral Acquisition", "SRT")
CT_STATIONARY = code(codes.DCM.StationaryAcquisitionCT)  # 113806
HEAD_PHANTOM = code(codes.DCM.IECHeadDosimetryPhantom)
BODY_PHANTOM = code(codes.DCM.IECBodyDosimetryPhantom)
CT_WITHOUT_CONTRAST = code(codes.SCT.CTWithoutContrast)

PLANE_SINGLE = code(codes.DCM.SinglePlane)
PLANE_A = code(codes.DCM.PlaneA)
PLANE_B = code(codes.DCM.PlaneB)
FLUOROSCOPY = Code("P5-06000", "Fluoroscopy", "SRT")  # CID 10002 (SRT form, as sent)
STATIONARY_ACQUISITION = code(codes.DCM.StationaryAcquisition)  # 113611
ROTATIONAL_ACQUISITION = code(codes.DCM.RotationalAcquisition)
PULSED = code(codes.DCM.Pulsed)
CONTINUOUS = code(codes.DCM.Continuous)
RP_ISOCENTER = code(codes.DCM._15cmFromIsocenterTowardSource)
RP_IMAGE_INPUT = code(codes.DCM._30cmInFrontOfImageInputSurface)
COPPER = code(codes.SCT.Copper)
ALUMINUM = code(codes.SCT.Aluminum)
FLAT_FILTER = code(codes.DCM.FlatFilter)
FLUORO_DEVICE = code(codes.DCM.FluoroscopyGuidedProjectionRadiographySystem)
RADIOGRAPHY_DEVICE = code(codes.DCM.IntegratedProjectionRadiographySystem)

ANTERO_POSTERIOR = code(codes.SCT.AnteroPosterior)
POSTERO_ANTERIOR = code(codes.SCT.PosteroAnterior)
LATERAL = code(codes.SCT.Lateral)

CRANIO_CAUDAL = code(codes.SCT.CranioCaudal)
MEDIO_LATERAL_OBLIQUE = code(codes.SCT.MedioLateralObliqueProjection)
BREAST = code(codes.SCT.Breast)
LEFT = code(codes.SCT.Left)
RIGHT = code(codes.SCT.Right)
LEFT_LEGACY = Code("G-A101", "Left", "SRT")
RIGHT_LEGACY = Code("G-A100", "Right", "SRT")
LEFT_BREAST = code(codes.SCT.LeftBreast)
RIGHT_BREAST = code(codes.SCT.RightBreast)
LEFT_BREAST_LEGACY = Code("T-04030", "Left breast", "SRT")
RIGHT_BREAST_LEGACY = Code("T-04020", "Right breast", "SRT")
TUNGSTEN = code(codes.SCT.Tungsten)
MOLYBDENUM = code(codes.SCT.Molybdenum)
RHODIUM = code(codes.SCT.Rhodium)
SILVER = code(codes.SCT.Silver)

INTRAVENOUS = code(codes.SCT.IntravenousRoute)
MALE = code(codes.DCM.Male)
FEMALE = code(codes.DCM.Female)
FLUORINE_18 = code(codes.SCT._18Fluorine)
TECHNETIUM_99M = code(codes.SCT._99mTechnetium)
IODINE_123 = code(codes.SCT._123Iodine)

REGION = {
    "head": code(codes.SCT.Head), "chest": code(codes.SCT.Chest),
    "abdomen": code(codes.SCT.Abdomen), "pelvis": code(codes.SCT.Pelvis),
    "abdomen_pelvis": code(codes.SCT.AbdomenAndPelvis),
    "chest_abdomen_pelvis": code(codes.SCT.ChestAbdomenAndPelvis),
    "neck": code(codes.SCT.Neck), "heart": code(codes.SCT.Heart),
    "cervical_spine": code(codes.SCT.CervicalSpine), "lumbar_spine": code(codes.SCT.LumbarSpine),
    "thoracic_spine": code(codes.SCT.ThoracicSpine), "sinus": code(codes.SCT.ParanasalSinus),
    "kidney": code(codes.SCT.Kidney), "colon": code(codes.SCT.Colon),
    "knee": code(codes.SCT.Knee), "hand": code(codes.SCT.Hand), "foot": code(codes.SCT.Foot),
    "shoulder": code(codes.SCT.Shoulder), "hip": code(codes.SCT.HipJoint),
    "skull": code(codes.SCT.Skull), "wrist": code(codes.SCT.WristJoint),
    "ankle": code(codes.SCT.AnkleJoint), "femur": code(codes.SCT.Femur),
    "entire_body": code(codes.SCT.EntireBody), "brain": code(codes.SCT.Brain),
}

# -- Equipment ------------------------------------------------------------------------------

NGH, SAH, RCH = "Northgate General Hospital", "St Aidan's Hospital", "Riverside Community Hospital"


@dataclass(frozen=True)
class Unit:
    """One device as its objects describe it, and how the site uses it.

    ``share`` is the unit's relative workload within its modality; ``active`` the part of
    the populated period (0 = start, 1 = end) it was in service, so replaced scanners hand
    over to their successors. ``uid`` is the Device Observer UID of units that send RDSRs.
    """

    key: str
    modality: str
    role: str
    manufacturer: str
    model: str
    institution: str
    department: str
    station: str
    serial: str
    software: str
    display_name: str
    share: float = 1.0
    active: tuple[float, float] = (0.0, 1.0)
    uid: str | None = None
    biplane: bool = False
    legacy_codes: bool = False
    collimation: tuple[float, float] = (0.6, 38.4)  # CT: single and total collimation, mm

    def equipment(self) -> dict:
        """The General Equipment fields this unit sends."""
        return {
            "manufacturer": self.manufacturer, "institution_name": self.institution,
            "station_name": self.station, "institutional_department_name": self.department,
            "manufacturer_model_name": self.model, "device_serial_number": self.serial,
            "software_versions": self.software, "gantry_id": None,
        }


def _uid(number: int) -> str:
    # Device Observer UIDs under the 2.25 (UUID-derived) root, fixed so reruns agree.
    return f"2.25.{(0x5EED_0000_0000_0000 + number) * 1_000_003}"


UNITS: tuple[Unit, ...] = (
    # CT: two replaced scanners hand over to new ones part way through the period.
    Unit("ngh-ct1", "CT", "general", "SIEMENS", "SOMATOM Force", NGH, "Radiology", "NGHCT01",
         "75123", "syngo CT VB20A", "NGH CT1", 1.3, uid=_uid(1), collimation=(0.6, 57.6)),
    Unit("ngh-ct2-old", "CT", "general", "SIEMENS", "SOMATOM Definition AS+", NGH, "Radiology",
         "NGHCT02", "64021", "syngo CT 2014A", "NGH CT2", 1.0, (0.0, 0.55), _uid(2)),
    Unit("ngh-ct2", "CT", "general", "SIEMENS", "SOMATOM X.cite", NGH, "Radiology", "NGHCT02",
         "108877", "syngo CT VA40A", "NGH CT2", 1.0, (0.55, 1.0), _uid(3), collimation=(0.6, 38.4)),
    Unit("ngh-ct3", "CT", "emergency", "GE MEDICAL SYSTEMS", "Revolution CT", NGH, "Emergency",
         "NGHEDCT", "REVCT0412", "revo_ct_21a.31", "NGH ED CT", 1.2, uid=_uid(4),
         legacy_codes=True, collimation=(0.625, 80.0)),
    Unit("ngh-rtct", "CT", "planning", "SIEMENS", "SOMATOM Confidence", NGH, "Radiotherapy",
         "NGHRTCT", "989801", "syngo CT VA62A", "NGH RT CT", 0.25, uid=_uid(5),
         collimation=(0.6, 19.2)),
    Unit("sah-ct1-old", "CT", "general", "GE MEDICAL SYSTEMS", "LightSpeed VCT", SAH, "Imaging",
         "SAHCT1", "VCT00783", "07MW18.4", "SAH CT1", 1.0, (0.0, 0.6), _uid(6),
         legacy_codes=True, collimation=(0.625, 40.0)),
    Unit("sah-ct1", "CT", "general", "GE MEDICAL SYSTEMS", "Revolution Apex", SAH, "Imaging",
         "SAHCT1", "APX10233", "revo_apex_22b.15", "SAH CT1", 1.0, (0.6, 1.0), _uid(7),
         collimation=(0.625, 80.0)),
    Unit("sah-ct2", "CT", "general", "TOSHIBA", "Aquilion ONE", SAH, "Imaging", "SAHCT2",
         "2BA1472", "V7.0", "SAH CT2", 0.9, uid=_uid(8), legacy_codes=True,
         collimation=(0.5, 80.0)),
    Unit("rch-ct1", "CT", "general", "Philips", "Ingenuity CT", RCH, "X-Ray", "RCHCT",
         "70441", "4.1.5", "RCH CT", 0.6, uid=_uid(9), collimation=(0.625, 40.0)),
    # Radiography rooms and mobiles (image headers, no RDSR: no Device Observer UID).
    *(Unit(f"ngh-dr{n}", "DX", "general", manufacturer, model, NGH, "Radiology", f"NGHDR{n:02d}",
           f"{serial}{n}", software, f"NGH DR{n}", share)
      for n, manufacturer, model, serial, software, share in (
          (1, "Carestream Health", "DRX-Evolution", "DRX9", "5.7.412", 1.4),
          (2, "Carestream Health", "DRX-Evolution", "DRX9", "5.7.412", 1.3),
          (3, "SIEMENS", "Ysio Max", "YM1", "VF10F", 1.2),
          (4, "SIEMENS", "Ysio Max", "YM1", "VF10F", 1.0),
          (5, "Philips Medical Systems", "DigitalDiagnost", "DD4", "4.3.0", 0.9),
          (6, "Philips Medical Systems", "DigitalDiagnost", "DD4", "4.3.0", 0.8))),
    Unit("ngh-ed-dr1", "DX", "emergency", "Carestream Health", "DRX-Evolution Plus", NGH,
         "Emergency", "NGHEDDR1", "EDX001", "5.7.412", "NGH ED DR1", 1.5),
    Unit("ngh-ed-dr2", "DX", "emergency", "Carestream Health", "DRX-Evolution Plus", NGH,
         "Emergency", "NGHEDDR2", "EDX002", "5.7.412", "NGH ED DR2", 1.2),
    Unit("ngh-mob1", "DX", "mobile", "Carestream Health", "DRX-Revolution", NGH, "Wards",
         "NGHMOB1", "REV301", "5.7.320", "NGH Mobile 1", 0.8),
    Unit("ngh-mob2", "DX", "mobile", "GE Healthcare", "Optima XR220amx", NGH, "Wards",
         "NGHMOB2", "XR220-4471", "DM_Platform_Release_Version:MR5", "NGH Mobile 2", 0.7),
    Unit("ngh-mob3", "DX", "mobile", "GE Healthcare", "Optima XR220amx", NGH, "ICU",
         "NGHMOB3", "XR220-4472", "DM_Platform_Release_Version:MR5", "NGH ICU Mobile", 0.6),
    *(Unit(f"sah-dr{n}", "DX", "general", manufacturer, model, SAH, "Imaging", f"SAHXR{n}",
           f"{serial}{n}", software, f"SAH DR{n}", share)
      for n, manufacturer, model, serial, software, share in (
          (1, "Agfa", "DX-D 600", "DXD6-", "3.0.1", 1.2),
          (2, "Agfa", "DX-D 600", "DXD6-", "3.0.1", 1.1),
          (3, "Canon Inc.", "CXDI-710C Wireless", "CX71-", "2.6", 1.0),
          (4, "FUJIFILM Corporation", "FDR D-EVO II", "DEVO", "V10.1", 0.9))),
    Unit("sah-mob1", "DX", "mobile", "FUJIFILM Corporation", "FDR Go PLUS", SAH, "Wards",
         "SAHMOB1", "GOP77", "V9.2", "SAH Mobile", 0.6),
    Unit("rch-dr1", "DX", "general", "SIEMENS", "Multix Fusion", RCH, "X-Ray", "RCHDR1",
         "MF2201", "VB10H", "RCH DR1", 0.9),
    Unit("rch-dr2", "DX", "general", "SIEMENS", "Multix Fusion Max", RCH, "X-Ray", "RCHDR2",
         "MFM3340", "VB20A", "RCH DR2", 0.7, (0.3, 1.0)),
    # Fluoroscopy, cath labs, interventional suites and theatre C-arms (all send RDSRs).
    Unit("ngh-fl1", "RF", "fluoro", "SIEMENS", "Luminos dRF Max", NGH, "Radiology", "NGHFL1",
         "LDRF1120", "VD10B", "NGH Fluoro", 1.0, uid=_uid(40)),
    Unit("ngh-cath1", "RF", "cardiac", "Philips", "Azurion 7 M12", NGH, "Cardiology",
         "NGHCATH1", "AZ7-5521", "2.1.2", "NGH Cath Lab 1", 1.3, uid=_uid(41)),
    Unit("ngh-cath2", "RF", "cardiac", "Philips", "Allura Xper FD10", NGH, "Cardiology",
         "NGHCATH2", "FD10-3312", "8.2.17", "NGH Cath Lab 2", 1.0, (0.0, 0.7), _uid(42)),
    Unit("ngh-neuro", "RF", "neuro", "SIEMENS", "AXIOM-Artis", NGH, "Neuroradiology",
         "NGHNEURO", "AA-88021", "VD11D", "NGH Neuro IR", 0.6, uid=_uid(43), biplane=True),
    Unit("ngh-ir", "RF", "interventional", "Philips", "Allura Xper FD20", NGH, "Radiology",
         "NGHIR1", "FD20-1190", "8.1.13", "NGH IR Suite", 0.8, uid=_uid(44)),
    Unit("sah-cath", "RF", "cardiac", "GE Healthcare", "Innova IGS 620", SAH, "Cardiology",
         "SAHCATH", "IGS620-33", "Innova_IGS_7.1", "SAH Cath Lab", 0.9, uid=_uid(45),
         biplane=True),
    Unit("sah-fl1", "RF", "fluoro", "Philips", "CombiDiagnost R90", SAH, "Imaging", "SAHFL1",
         "R90-4402", "1.1.3", "SAH Fluoro", 0.7, uid=_uid(46)),
    Unit("ngh-cios", "RF", "theatre", "SIEMENS", "Cios Alpha", NGH, "Theatres", "NGHTH01",
         "CIOSA-231", "VA30A", "NGH Theatre C-arm", 0.8, uid=_uid(47)),
    Unit("sah-oec", "RF", "theatre", "GE OEC Medical Systems", "OEC Elite MiniView", SAH,
         "Theatres", "SAHTH01", "OECE-9921", "E2.3.1", "SAH Theatre C-arm", 0.6, uid=_uid(48)),
    # Mammography: symptomatic and screening units, two screening vans.
    Unit("ngh-mg1", "MG", "symptomatic", "HOLOGIC, Inc.", "Selenia Dimensions", NGH,
         "Breast Unit", "NGHMAM1", "SDM-07123", "1.10.2.7", "NGH Mammo 1", 1.0, uid=_uid(60)),
    Unit("ngh-mg2", "MG", "screening", "HOLOGIC, Inc.", "Selenia Dimensions", NGH,
         "Breast Screening", "NGHMAM2", "SDM-07190", "1.10.2.7", "NGH Mammo 2", 1.2,
         uid=_uid(61)),
    Unit("van1", "MG", "screening", "HOLOGIC, Inc.", "Selenia Dimensions", NGH,
         "Breast Screening", "SCRVAN1", "SDM-08831", "1.9.4.2", "Screening Van 1", 1.0,
         uid=_uid(62)),
    Unit("van2", "MG", "screening", "HOLOGIC, Inc.", "Selenia Dimensions", NGH,
         "Breast Screening", "SCRVAN2", "SDM-08860", "1.9.4.2", "Screening Van 2", 1.0,
         (0.2, 1.0), _uid(63)),
    Unit("sah-mg1", "MG", "symptomatic", "GE MEDICAL SYSTEMS", "Senographe Pristina", SAH,
         "Breast Unit", "SAHMAM1", "PRI-44120", "ADS_61.20", "SAH Mammo", 0.9, uid=_uid(64),
         legacy_codes=True),
    Unit("rch-mg1", "MG", "screening", "SIEMENS", "Mammomat Revelation", RCH, "X-Ray",
         "RCHMAM1", "MREV-1102", "VB10B", "RCH Mammo", 0.6, (0.4, 1.0), _uid(65)),
    # Nuclear medicine: a PET/CT and three gamma cameras.
    Unit("ngh-pet", "NM", "pet", "SIEMENS", "Biograph Vision 600", NGH, "Nuclear Medicine",
         "NGHPET1", "BV6-1021", "VG80B", "NGH PET-CT", 1.1, uid=_uid(80)),
    Unit("ngh-gc1", "NM", "gamma", "GE Healthcare", "Discovery NM/CT 670", NGH,
         "Nuclear Medicine", "NGHGC1", "D670-551", "2.03", "NGH Gamma 1", 1.0, uid=_uid(81)),
    Unit("ngh-gc2", "NM", "gamma", "SIEMENS", "Symbia Intevo Bold", NGH, "Nuclear Medicine",
         "NGHGC2", "SIB-2201", "VB22A", "NGH Gamma 2", 0.9, uid=_uid(82)),
    Unit("sah-gc1", "NM", "gamma", "GE Healthcare", "Optima NM/CT 640", SAH,
         "Nuclear Medicine", "SAHGC1", "O640-118", "1.00", "SAH Gamma", 0.7, uid=_uid(83)),
)

# -- Protocols ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CtScan:
    """One kind of CT acquisition in a protocol.

    ``ctdi`` is the median CTDIvol (mGy) for a 75 kg adult, ``length`` the median scanned
    length (mm), ``chance`` the probability the acquisition happens, ``repeat`` how many
    times (min, max) when it does.
    """

    name: str
    kind: str  # "localiser", "spiral", "axial", "stationary"
    ctdi: float
    length: float
    kvp: float = 120.0
    chance: float = 1.0
    repeat: tuple[int, int] = (1, 1)
    spread: float = 0.35


@dataclass(frozen=True)
class CtProtocol:
    """A CT examination: description, body region, phantom and its acquisitions."""

    description: str
    weight: float
    region: str
    head: bool
    scans: tuple[CtScan, ...]
    roles: tuple[str, ...] = ("general", "emergency")


_TOPOGRAM = CtScan("Topogram", "localiser", 0.12, 450.0, 120.0, spread=0.5)
_HEAD_TOPO = CtScan("Topogram", "localiser", 0.08, 250.0, 120.0, spread=0.5)
_SECOND_TOPO = CtScan("Topogram", "localiser", 0.1, 400.0, 100.0, chance=0.55, spread=0.5)

CT_PROTOCOLS: tuple[CtProtocol, ...] = (
    CtProtocol("CT Head", 24, "head", True, (
        _HEAD_TOPO, CtScan("Head Routine", "spiral", 48.0, 160.0, 120.0, spread=0.2),
        CtScan("Head Posterior Fossa", "axial", 52.0, 40.0, chance=0.1))),
    CtProtocol("CT Chest", 11, "chest", False, (
        _TOPOGRAM, CtScan("Thorax", "spiral", 7.5, 340.0))),
    CtProtocol("CT Abdomen Pelvis", 13, "abdomen_pelvis", False, (
        _TOPOGRAM, _SECOND_TOPO, CtScan("Abdomen Pelvis PV", "spiral", 11.0, 450.0),
        CtScan("Delayed", "spiral", 9.0, 300.0, chance=0.12))),
    CtProtocol("CT Chest Abdomen Pelvis", 12, "chest_abdomen_pelvis", False, (
        _TOPOGRAM, _SECOND_TOPO, CtScan("Chest Abdomen Pelvis", "spiral", 10.0, 700.0),
        CtScan("Arterial Liver", "spiral", 11.0, 220.0, chance=0.15))),
    CtProtocol("CT Pulmonary Angiogram", 6, "chest", False, (
        _TOPOGRAM, CtScan("Bolus tracking", "stationary", 2.5, 10.0, 100.0, repeat=(1, 3)),
        CtScan("CTPA", "spiral", 7.0, 300.0, 100.0))),
    CtProtocol("CT Cervical Spine", 4, "cervical_spine", False, (
        _HEAD_TOPO, CtScan("C-Spine", "spiral", 18.0, 200.0))),
    CtProtocol("CT Lumbar Spine", 2, "lumbar_spine", False, (
        _TOPOGRAM, CtScan("L-Spine", "spiral", 16.0, 220.0))),
    CtProtocol("CT KUB", 4, "kidney", False, (
        _TOPOGRAM, CtScan("KUB Low Dose", "spiral", 3.5, 420.0))),
    CtProtocol("CT Sinuses", 1.5, "sinus", True, (
        _HEAD_TOPO, CtScan("Sinus Low Dose", "spiral", 6.0, 110.0, 100.0))),
    CtProtocol("CT Colonography", 1.5, "colon", False, (
        _TOPOGRAM, CtScan("Colon Supine", "spiral", 4.5, 480.0),
        CtScan("Colon Prone", "spiral", 4.5, 480.0))),
    CtProtocol("CT Coronary Angiogram", 2, "heart", False, (
        _TOPOGRAM, CtScan("Calcium Score", "axial", 3.0, 140.0, 120.0, chance=0.8),
        CtScan("Bolus tracking", "stationary", 3.0, 10.0, 100.0, repeat=(1, 4)),
        CtScan("Coronary CTA", "axial", 22.0, 140.0, 100.0, spread=0.5)), ("general",)),
    CtProtocol("CT Perfusion Brain", 1, "head", True, (
        _HEAD_TOPO, CtScan("Head Non Contrast", "spiral", 48.0, 160.0, spread=0.2),
        CtScan("Perfusion", "stationary", 150.0, 80.0, 80.0, spread=0.15),
        CtScan("CTA Circle of Willis", "spiral", 18.0, 250.0, 100.0)), ("emergency",)),
    CtProtocol("CT Trauma", 2, "entire_body", False, (
        _TOPOGRAM, _SECOND_TOPO, CtScan("Head", "spiral", 48.0, 160.0, spread=0.2),
        CtScan("C-Spine", "spiral", 18.0, 200.0),
        CtScan("Chest Abdomen Pelvis", "spiral", 11.0, 700.0)), ("emergency",)),
    CtProtocol("CT Guided Biopsy", 1, "chest", False, (
        _TOPOGRAM, CtScan("Planning", "spiral", 7.0, 150.0),
        CtScan("Needle check", "axial", 6.0, 20.0, repeat=(2, 7), spread=0.5))),
    CtProtocol("CT RT Planning Thorax", 3, "chest", False, (
        _TOPOGRAM, CtScan("4D Thorax", "spiral", 28.0, 400.0, spread=0.2)), ("planning",)),
    CtProtocol("CT RT Planning Pelvis", 3, "pelvis", False, (
        _TOPOGRAM, CtScan("Pelvis Planning", "spiral", 14.0, 400.0, spread=0.2)), ("planning",)),
    CtProtocol("CT RT Planning Head and Neck", 2, "neck", False, (
        _HEAD_TOPO, CtScan("Head Neck Planning", "spiral", 30.0, 350.0, spread=0.2)),
        ("planning",)),
)


@dataclass(frozen=True)
class DxView:
    """One radiographic projection: view, kV, median mAs and DAP for a 75 kg adult."""

    view: str  # "ap", "pa", "lat"
    kvp: float
    mas: float
    dap_cgycm2: float
    chance: float = 1.0


@dataclass(frozen=True)
class DxProtocol:
    """A radiography examination: description, anatomy and its projections."""

    description: str
    weight: float
    region: str
    views: tuple[DxView, ...]
    roles: tuple[str, ...] = ("general", "emergency")
    sided: bool = False


DX_PROTOCOLS: tuple[DxProtocol, ...] = (
    DxProtocol("XR Chest", 30, "chest", (
        DxView("pa", 120, 2.0, 8.0), DxView("lat", 120, 6.0, 25.0, chance=0.08))),
    DxProtocol("XR Chest Mobile", 40, "chest", (DxView("ap", 100, 2.5, 12.0),), ("mobile",)),
    DxProtocol("XR Abdomen Mobile", 4, "abdomen", (DxView("ap", 80, 16.0, 120.0),), ("mobile",)),
    DxProtocol("XR Abdomen", 5, "abdomen", (DxView("ap", 80, 20.0, 150.0),)),
    DxProtocol("XR Pelvis", 6, "pelvis", (DxView("ap", 80, 20.0, 130.0),)),
    DxProtocol("XR Hip", 5, "hip", (
        DxView("ap", 80, 18.0, 110.0), DxView("lat", 85, 25.0, 90.0)), sided=True),
    DxProtocol("XR Lumbar Spine", 5, "lumbar_spine", (
        DxView("ap", 80, 25.0, 120.0), DxView("lat", 90, 40.0, 200.0))),
    DxProtocol("XR Thoracic Spine", 1.5, "thoracic_spine", (
        DxView("ap", 75, 16.0, 90.0), DxView("lat", 80, 25.0, 120.0))),
    DxProtocol("XR Cervical Spine", 3, "cervical_spine", (
        DxView("ap", 70, 8.0, 10.0), DxView("lat", 75, 10.0, 15.0),
        DxView("ap", 70, 8.0, 8.0, chance=0.5))),
    DxProtocol("XR Knee", 8, "knee", (
        DxView("ap", 65, 4.0, 4.0), DxView("lat", 65, 4.0, 4.0),
        DxView("lat", 65, 4.0, 4.0, chance=0.2)), sided=True),
    DxProtocol("XR Hand", 6, "hand", (
        DxView("pa", 55, 2.0, 1.0), DxView("lat", 55, 2.0, 1.0),
        DxView("pa", 55, 2.0, 1.0, chance=0.7)), sided=True),
    DxProtocol("XR Wrist", 5, "wrist", (
        DxView("pa", 55, 2.0, 1.2), DxView("lat", 57, 2.5, 1.2),
        DxView("pa", 55, 2.0, 1.2, chance=0.4), DxView("pa", 55, 2.0, 1.2, chance=0.3)),
        sided=True),
    DxProtocol("XR Ankle", 5, "ankle", (
        DxView("ap", 60, 3.2, 2.5), DxView("lat", 60, 3.2, 2.5)), sided=True),
    DxProtocol("XR Foot", 4, "foot", (
        DxView("ap", 57, 2.5, 1.5), DxView("lat", 60, 3.2, 2.0, chance=0.6),
        DxView("ap", 57, 2.5, 1.5, chance=0.8)), sided=True),
    DxProtocol("XR Shoulder", 5, "shoulder", (
        DxView("ap", 70, 10.0, 15.0), DxView("lat", 75, 12.0, 18.0)), sided=True),
    DxProtocol("XR Skull", 0.6, "skull", (
        DxView("pa", 75, 16.0, 40.0), DxView("lat", 70, 12.0, 30.0))),
    DxProtocol("XR Femur", 1.5, "femur", (
        DxView("ap", 70, 8.0, 30.0), DxView("lat", 70, 8.0, 30.0),
        DxView("ap", 70, 8.0, 30.0, chance=0.5), DxView("lat", 70, 8.0, 30.0, chance=0.5)),
        sided=True),
    DxProtocol("XR Skeletal Survey", 0.15, "entire_body", (
        DxView("ap", 60, 2.0, 3.0), DxView("ap", 65, 2.5, 5.0), DxView("lat", 65, 2.5, 5.0),
        DxView("ap", 60, 2.0, 3.0), DxView("ap", 60, 2.0, 3.0), DxView("lat", 60, 2.0, 3.0)),
        ("general",)),
)

#: Exposure index targets by manufacturer (vendors' own scales, as their headers report).
EI_TARGETS = {
    "Carestream Health": 1800.0, "SIEMENS": 250.0, "Philips Medical Systems": 250.0,
    "GE Healthcare": 300.0, "Agfa": 400.0, "Canon Inc.": 500.0, "FUJIFILM Corporation": 300.0,
}


@dataclass(frozen=True)
class RfProtocol:
    """A fluoroscopy procedure: how many fluoroscopy runs and acquisitions, and their doses.

    Counts are medians of log-normal distributions; ``fluoro_rate`` is the DAP rate in
    cGy·cm² per second of fluoroscopy, ``acquisition_dap`` the median DAP of one
    acquisition run (cGy·cm²), ``frames`` its median number of frames.
    """

    description: str
    weight: float
    roles: tuple[str, ...]
    region: str
    fluoro_runs: float
    acquisitions: float
    run_seconds: float
    fluoro_rate: float
    acquisition_dap: float
    frames: float
    pulse_rate: float = 15.0


RF_PROTOCOLS: tuple[RfProtocol, ...] = (
    RfProtocol("Barium Swallow", 4, ("fluoro",), "chest", 8, 4, 12, 0.25, 80, 3, 7.5),
    RfProtocol("Barium Enema", 1, ("fluoro",), "abdomen", 12, 8, 10, 0.5, 150, 3, 7.5),
    RfProtocol("Videofluoroscopy Swallow", 3, ("fluoro",), "neck", 6, 0.5, 25, 0.3, 10, 30),
    RfProtocol("ERCP", 2, ("fluoro", "theatre"), "abdomen", 14, 3, 10, 0.5, 150, 2, 7.5),
    RfProtocol("Nephrostomy", 1.5, ("interventional",), "kidney", 15, 3, 8, 0.15, 120, 6),
    RfProtocol("Hysterosalpingogram", 1, ("fluoro",), "pelvis", 4, 3, 6, 0.05, 30, 2, 7.5),
    RfProtocol("Coronary Angiogram", 10, ("cardiac",), "heart", 25, 10, 9, 0.25, 300, 60),
    RfProtocol("PCI", 6, ("cardiac",), "heart", 60, 22, 10, 0.25, 300, 60),
    RfProtocol("Pacemaker Insertion", 3, ("cardiac",), "chest", 20, 0.5, 8, 0.8, 100, 20, 7.5),
    RfProtocol("Cerebral Angiogram", 3, ("neuro",), "head", 30, 12, 8, 0.12, 900, 30, 7.5),
    RfProtocol("Aneurysm Coiling", 1.5, ("neuro",), "head", 120, 40, 10, 0.12, 600, 30, 7.5),
    RfProtocol("Peripheral Angioplasty", 3, ("interventional",), "femur", 40, 15, 10, 0.2,
               400, 20, 7.5),
    RfProtocol("Embolisation", 1.5, ("interventional", "neuro"), "abdomen", 90, 30, 10, 0.3,
               700, 25, 7.5),
    RfProtocol("Hip Fracture Fixation", 4, ("theatre",), "hip", 12, 0.3, 3, 1.0, 20, 1, 7.5),
    RfProtocol("Spinal Injection", 2, ("theatre", "interventional"), "lumbar_spine", 8, 0.3,
               4, 0.6, 20, 1, 7.5),
)


@dataclass(frozen=True)
class NmProtocol:
    """A nuclear medicine examination and its radiopharmaceutical administrations.

    ``activity`` is the median administered activity in MBq; ``per_kg`` scales it with the
    patient's weight (FDG); two administrations for one-day rest/stress protocols.
    """

    description: str
    weight: float
    roles: tuple[str, ...]
    agent: Code
    nuclide: Code
    half_life: float  # s
    activity: float
    per_kg: bool = False
    administrations: int = 1


NM_PROTOCOLS: tuple[NmProtocol, ...] = (
    NmProtocol("PET-CT FDG Half Body", 10, ("pet",), code(codes.SCT.FluorodeoxyglucoseF18),
               FLUORINE_18, 6586.2, 4.0, per_kg=True),
    NmProtocol("PET-CT PSMA", 2, ("pet",), code(codes.DCM.PSMA1007F18), FLUORINE_18, 6586.2,
               250.0),
    NmProtocol("NM Bone Scan", 8, ("gamma",), code(codes.SCT.TechnetiumTc99mMedronate),
               TECHNETIUM_99M, 21624.12, 600.0),
    NmProtocol("NM Myocardial Perfusion", 5, ("gamma",), code(codes.SCT.TechnetiumTc99mTetrofosmin),
               TECHNETIUM_99M, 21624.12, 300.0, administrations=2),
    NmProtocol("NM Lung Perfusion", 3, ("gamma",),
               code(codes.SCT.TechnetiumTc99mAggregatedAlbumin), TECHNETIUM_99M, 21624.12, 100.0),
    NmProtocol("NM Thyroid", 1.5, ("gamma",), code(codes.SCT.SodiumPertechnetateTc99m),
               TECHNETIUM_99M, 21624.12, 80.0),
    NmProtocol("NM DaTSCAN", 1, ("gamma",), code(codes.SCT.Ioflupane123I), IODINE_123,
               47604.6, 185.0),
)

MG_DESCRIPTIONS = {
    "screening": (("Bilateral Screening Mammogram", 1.0),),
    "symptomatic": (("Bilateral Mammogram", 0.7), ("Unilateral Mammogram", 0.2),
                    ("Mammogram Additional Views", 0.1)),
}
#: Target/filter combinations per manufacturer, with the kV at 50 mm compressed thickness.
MG_TARGET_FILTERS = {
    "HOLOGIC, Inc.": ((TUNGSTEN, RHODIUM, 29.0), (TUNGSTEN, SILVER, 31.0)),
    "GE MEDICAL SYSTEMS": ((MOLYBDENUM, RHODIUM, 29.0), (RHODIUM, SILVER, 30.0)),
    "SIEMENS": ((TUNGSTEN, RHODIUM, 29.0),),
}

#: Performing physicians of fluoroscopy and interventional procedures.
PHYSICIANS = (
    "OKAFOR^ADA", "LINDQVIST^ERIK", "MORRISON^CLAIRE", "PATEL^RAVI", "NAKAMURA^KEN",
    "OSEI^KWAME", "DUBOIS^MARIE", "ABERNATHY^JAMES", "SINGH^HARPREET", "COSTA^LUCIA",
    "MURPHY^SEAN", "WEBER^ANNA", "HOSSAIN^TANVIR", "KOWALSKI^PIOTR", "ROSSI^GIULIA",
)

#: Test objects: (patient ID, patient name) pairs the default not-patient patterns match.
TEST_PATIENTS = (("PHYSQA01", "PHYSICS^QA"), ("TEST0001", "TEST^PATIENT"),
                 ("QA-PHANTOM", "QA^PHANTOM"))
