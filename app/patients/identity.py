"""How a stored patient ID is shown: as stored to holders of the pid role, otherwise only
as its SHA-256 digest, so that people without the role can tell patients apart without
learning who they are."""
from ..importing.identity import hash_identifier

#: Characters of a digest shown in tables; the whole digest is in the link's title.
SHORT = 12


def shown_patient_id(stored: str | None, hashed: bool, pid: bool) -> str | None:
    """The patient ID a user may see: as stored with the pid role or when stored hashed,
    else its digest."""
    if stored is None:
        return None
    if hashed or pid:
        return stored
    return hash_identifier(stored)


def may_see_patient(hashed: bool, pid: bool) -> bool:
    """Whether a user may open a patient's page: IDs stored hashed, or the pid role."""
    return hashed or pid
