"""Applying an uploaded patient-size CSV: the task the Import page queues.

The CSV waits in its private upload folder until the worker applies it; the folder is removed
afterwards, whatever the outcome.
"""
import shutil
from pathlib import Path

from ..importing.patient_size import PatientSizeError, import_patient_sizes
from ..models.tasks import DONE, FAILED
from . import background_task

TASK = "patient_sizes"


@background_task(TASK, "Patient sizes")
def apply_sizes(csv_path: str, id_column: str, height_column: str, weight_column: str,
                id_type: str = "accession", overwrite: bool = False,
                filename: str | None = None, size_columns: dict | None = None):
    """Apply heights and weights (and the patient dimensions named in ``size_columns``:
    ap_column, lateral_column, wed_column, size_unit) to stored studies, then delete the file."""
    path = Path(csv_path)
    if not path.exists():
        return FAILED, f"{filename or path.name}: the uploaded file is gone"
    try:
        result = import_patient_sizes(path, id_column, height_column, weight_column,
                                      id_type=id_type, overwrite=overwrite, filename=filename,
                                      **(size_columns or {}))
    except PatientSizeError as exc:
        return FAILED, f"The patient sizes were not imported: {exc}"
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)
    return DONE, "\n".join([result.summary_line(), *result.log])
