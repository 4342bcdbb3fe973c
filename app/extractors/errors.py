"""Why an object could not be turned into a study record."""


class ExtractorError(Exception):
    """Base class: the message is one line meant for the person importing the file."""


class NotDoseObject(ExtractorError):
    """The object is valid DICOM but not something Kerma imports (for example a text report)."""


class ExtractionError(ExtractorError):
    """The object claims to be a dose object but cannot be read as one."""
