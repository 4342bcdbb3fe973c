"""The background task that applies a user-defined modality to a device's stored studies."""
from ..models.tasks import DONE
from ..tasks import background_task
from ..tasks.records import progress
from .identities import apply_user_modality

TASK = "equipment_modality"


@background_task(TASK, "User-defined modality")
def apply_modality_task(identity_ids, modality=None):
    """Rewrite the stored studies of the identities, reporting progress per chunk."""
    moved = apply_user_modality(
        identity_ids, modality,
        progress=lambda done, total: progress(f"{done:,} of {total:,} studies checked"))
    return DONE, (f"{modality or 'Modality as sent'} applied: {moved:,} "
                  f"stud{'y' if moved == 1 else 'ies'} changed modality")
