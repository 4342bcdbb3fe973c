"""Which studies an export holds: the same filters, from the same query-string arguments, as
the modality list pages."""
from sqlalchemy import Select

from ..modalities import MODALITIES
from ..modalities.filtering import filter_studies

_CONFIGS = {config.key: config for config in MODALITIES}


def export_query(modality: str, args, *, pid: bool = False) -> Select:
    """The studies of ``modality`` (ct, rf, mg, dx, nm) selected by the list-page ``args``.

    ``pid``: the user may filter on patient name and ID (the pid role).
    """
    return filter_studies(_CONFIGS[modality], args, pid=pid)
