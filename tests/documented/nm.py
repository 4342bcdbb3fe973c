"""Deliberate differences from OpenREM for NM and PET images and dose reports (docs/import-nm.md)."""

REQUESTED_FROM_REQUEST_ATTRIBUTES = (
    "the requested procedure of an image is read from its Request Attributes Sequence, as for "
    "dose reports; OpenREM's NM image import reads only a top-level Requested Procedure Code "
    "Sequence and leaves it empty")

DOCUMENTED = [
    ("NM-PetIm-GE*", "requested_procedure_code_meaning", REQUESTED_FROM_REQUEST_ATTRIBUTES),
]
