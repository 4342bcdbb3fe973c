"""Reading files as DICOM datasets, with a clear reason when a file is not one."""
import os
from io import BytesIO
from pathlib import Path

from pydicom import dcmread
from pydicom.errors import InvalidDicomError

from ..extractors.lightread import LightReadError, read_dicom


class Unreadable(Exception):
    """The file cannot be read as DICOM; the message says why, for a person."""

    def __init__(self, message, rejected=False):
        super().__init__(message)
        #: True when the file is simply not DICOM (nothing to import), False when it is
        #: DICOM but damaged.
        self.rejected = rejected


def read_dataset(path):
    """The dataset in ``path`` without pixel data; raises Unreadable with the reason."""
    path = Path(path)
    try:
        size = path.stat().st_size
        data = path.read_bytes() if size else b""
    except OSError as exc:
        raise Unreadable(f"cannot be opened: {exc.strerror or exc}") from None
    if not data:
        raise Unreadable("is empty", rejected=True)
    try:
        if data[128:132] == b"DICM":
            ds = read_dicom(data)
        else:
            # No preamble: a bare dataset, or not DICOM at all; pydicom decides.
            ds = dcmread(BytesIO(data), stop_before_pixels=True)
    except InvalidDicomError:
        raise Unreadable("is not a DICOM file", rejected=True) from None
    except LightReadError as exc:
        raise Unreadable(str(exc)) from None
    except RecursionError:
        raise Unreadable("is nested too deeply to be a dose report") from None
    except MemoryError:
        raise Unreadable("is too large to read") from None
    except Exception as exc:  # pydicom raises assorted errors for corrupt files
        raise Unreadable(f"is damaged or truncated ({_short(exc)})") from None
    if "SOPClassUID" not in ds and "StudyInstanceUID" not in ds:
        raise Unreadable("is not a DICOM file", rejected=True)
    return ds


def dicom_files(paths):
    """Every file named in ``paths``, folders walked recursively, in a stable order."""
    for entry in paths:
        entry = Path(entry)
        if entry.is_dir():
            for root, dirs, files in os.walk(entry):
                dirs.sort()
                for name in sorted(files):
                    yield Path(root) / name
        else:
            yield entry


def _short(exc) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]
