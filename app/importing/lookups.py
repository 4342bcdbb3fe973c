"""Look-ups every import repeats, remembered between the imports of one process.

Each import asks the database for the same few things: the ids of its coded concepts, its
device identity, the patient identifier settings and the not-patient patterns. Each question
is a round trip, together about a third of a small object's import on PostgreSQL. The answers
are kept here, per database engine:

- Codes and device identities, as a committed import found or created them. Kerma never
  changes a code row and changes an identity only in its display name and modality override,
  which imports read only to classify a new study (see the settings rule below). A row
  deleted behind Kerma's back makes the next import that uses it fail on its foreign key;
  ``forget`` then clears what is kept and the retry asks the database again.
- The identifier settings and not-patient patterns, and identities, for ``SETTINGS_SECONDS``:
  a change made by another process (the web application, when the listener's worker imports)
  applies to imports that start after that; a change committed in this process applies at
  once.

Nothing an uncommitted transaction saw is kept: it is staged on the session and published
when the session commits, dropped when it rolls back.
"""
import time
import weakref

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..models.settings import NotPatientIndicatorsID, NotPatientIndicatorsName, PatientIDSettings
from ..models.study import UniqueEquipmentNames

#: How long settings, patterns and identities are trusted without asking again.
SETTINGS_SECONDS = 10.0
#: Codes kept per engine; past this the memory starts again (a guard, not a normal case).
MAX_CODES = 100_000

_PENDING = "kerma.lookups.pending"
_CHANGED = "kerma.lookups.settings_changed"
_SETTINGS_MODELS = (PatientIDSettings, NotPatientIndicatorsID, NotPatientIndicatorsName,
                    UniqueEquipmentNames)


class _Memory:
    def __init__(self):
        self.codes = {}
        self.identities = {}
        self.identities_until = 0.0
        self.policy = None
        self.policy_until = 0.0


_memories: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _memory(session) -> _Memory:
    engine = session.get_bind()
    memory = _memories.get(engine)
    if memory is None:
        memory = _memories[engine] = _Memory()
    return memory


def forget(session=None) -> None:
    """Forget everything kept for the session's database (every database without one)."""
    if session is None:
        _memories.clear()
    else:
        _memories.pop(session.get_bind(), None)


def known_codes(session) -> dict:
    """Code ids by (value, meaning) known to be committed."""
    return _memory(session).codes


def known_identity(session, key):
    """The identity kept for these identity hashes, or None."""
    memory = _memory(session)
    if time.monotonic() >= memory.identities_until:
        memory.identities.clear()
        memory.identities_until = time.monotonic() + SETTINGS_SECONDS
        return None
    return memory.identities.get(key)


def stage(session, kind: str, key, value) -> None:
    """Keep ``value`` under ``key`` ("codes" or "identities") once the session commits."""
    if hasattr(session, "registry"):  # a scoped session: stage on the session it holds
        session = session()
    session.info.setdefault(_PENDING, []).append((kind, key, value))


def policy(session, read):
    """The identifier policy as ``read(session)`` gave it at most ``SETTINGS_SECONDS`` ago."""
    memory = _memory(session)
    now = time.monotonic()
    if memory.policy is None or now >= memory.policy_until:
        memory.policy = read(session)
        memory.policy_until = now + SETTINGS_SECONDS
    return memory.policy


def settings_changed(session) -> None:
    """Note that this transaction changes settings or identities by bulk statements (which
    the flush does not see): what is kept is dropped when it commits."""
    if hasattr(session, "registry"):
        session = session()
    session.info[_CHANGED] = True


@event.listens_for(Session, "after_flush")
def _note_settings_changes(session, _context):
    if any(isinstance(obj, _SETTINGS_MODELS)
           for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _publish(session):
    pending = session.info.pop(_PENDING, None)
    changed = session.info.pop(_CHANGED, False)
    if not pending and not changed:
        return
    memory = _memory(session)
    if changed:
        memory.policy = None
        memory.identities.clear()
    for kind, key, value in pending or ():
        store = getattr(memory, kind)
        if kind == "codes" and len(store) >= MAX_CODES:
            store.clear()
        store[key] = value


@event.listens_for(Session, "after_rollback")
def _drop(session):
    session.info.pop(_PENDING, None)
    session.info.pop(_CHANGED, None)
