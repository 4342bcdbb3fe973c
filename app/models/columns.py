"""Column types and relationship builders shared by the dose models.

String lengths are generous multiples of the DICOM value-representation limits (PS3.5 6.2):
real devices exceed them, and PostgreSQL refuses a value longer than its column. Importing
truncates every string to ``column.type.length`` (``app.models.tree.string_lengths``); a type
without a length (``Text``) takes any size.

Numbers are ``Double`` (8-byte float) in the stored units of docs/data-model.md; counts are
``Integer``.
"""
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import mapped_column, relationship

# Unique Identifier: 64 in the standard; room for non-conformant senders.
UI = String(128)
# Code String (16) and Short String (16), e.g. patient sex, modality, station name.
CS = String(64)
SH = String(64)
# Long String (64): manufacturer, institution, protocol names, code meanings.
LO = String(256)
# Person Name: three component groups of 64; multi-valued names are joined with " | ".
PN = String(1024)
# SHA-256 in hexadecimal, for hashed identifiers.
HASH = String(64)

def code_key():
    """A nullable, indexed foreign key to a ``ContextID`` row (a coded concept)."""
    return mapped_column(ForeignKey("context_id.id"), index=True, nullable=True)


def coded(key_column):
    """The ``ContextID`` relationship behind ``key_column`` (declared in the same class body)."""
    return relationship("ContextID", foreign_keys=[key_column])


def parent_key(parent_table: str, nullable: bool = False):
    """An indexed foreign key to the owning row; the database deletes this row with its parent."""
    return mapped_column(
        ForeignKey(f"{parent_table}.id", ondelete="CASCADE"), index=True, nullable=nullable
    )


def children(child_class: str, back_populates: str):
    """A ``<child>_set`` collection: owned, ordered by id, deleted with the parent."""
    return relationship(
        child_class,
        back_populates=back_populates,
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by=f"{child_class}.id",
    )


def parent(parent_class: str, back_populates: str, foreign_keys=None):
    """The many-to-one link from a child row back to its owner."""
    kwargs = {"back_populates": back_populates}
    if foreign_keys is not None:
        kwargs["foreign_keys"] = foreign_keys
    return relationship(parent_class, **kwargs)
