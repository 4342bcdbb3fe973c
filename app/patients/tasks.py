"""The background task that re-evaluates the not-patient patterns over stored studies."""
from ..models.tasks import DONE
from ..tasks import background_task
from ..tasks.records import progress
from .indicators import record_reevaluation, reevaluate

TASK = "not_patient_reevaluate"


@background_task(TASK, "Test-patient re-evaluation")
def reevaluate_task(username: str | None = None):
    """Match the patterns in force against every stored study, reporting progress."""
    result = reevaluate(lambda done, total: progress(f"{done} of {total} patient rows checked"))
    record_reevaluation(result, username=username)
    return DONE, result.summary()
