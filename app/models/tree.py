"""The shape of a study tree, read from the mappers so it can never drift from the models.

A study record (docs/architecture.md) nests child rows under ``<child>_set`` keys and codes
under field names; these functions tell generic code which key is which, so one function can
store a record and one can dump a stored study.

The answers are computed once per class (mappers do not change once configured) and handed
out as fresh copies, so callers may modify them.
"""
from functools import cache

from sqlalchemy import String, inspect
from sqlalchemy.orm import RelationshipDirection

from ..extensions import db
from .codes import ContextID


def child_collections(model_cls) -> dict[str, type]:
    """Map each owned child collection of ``model_cls`` to the child class.

    The keys are the ``<child>_set`` names, plus ``tid1020_alert`` and
    ``tid1020_notification`` on ``CtDoseCheckDetails``, in declaration order.
    """
    return dict(_child_collections(model_cls))


def coded_fields(model_cls) -> set[str]:
    """Names of the fields of ``model_cls`` that hold a ``ContextID`` code."""
    return set(_coded_fields(model_cls))


def parent_fields(model_cls) -> dict[str, type]:
    """Map each many-to-one link from ``model_cls`` to an owning row onto the owner's class."""
    return dict(_parent_fields(model_cls))


def object_fields(model_cls) -> dict[str, type]:
    """Map the other many-to-one fields (shared rows such as ``unique_equipment_name``)."""
    return dict(_object_fields(model_cls))


def value_fields(model_cls) -> list[str]:
    """Names of the plain data columns of ``model_cls``: no primary or foreign keys."""
    return list(_value_fields(model_cls))


def string_lengths(model_cls) -> dict[str, int]:
    """Map each length-limited string column of ``model_cls`` to its maximum length."""
    return dict(_string_lengths(model_cls))


def _owning_relationships(model_cls):
    return [
        rel for rel in inspect(model_cls).relationships
        if rel.direction is RelationshipDirection.ONETOMANY and "delete-orphan" in rel.cascade
    ]


@cache
def _child_collections(model_cls):
    return tuple((rel.key, rel.mapper.class_) for rel in _owning_relationships(model_cls))


@cache
def _coded_fields(model_cls):
    return frozenset(
        rel.key for rel in inspect(model_cls).relationships
        if rel.direction is RelationshipDirection.MANYTOONE and rel.mapper.class_ is ContextID
    )


@cache
def _parent_fields(model_cls):
    return tuple(
        (rel.key, rel.mapper.class_) for rel in inspect(model_cls).relationships
        if rel.direction is RelationshipDirection.MANYTOONE
        and rel.back_populates in dict(_child_collections(rel.mapper.class_))
    )


@cache
def _object_fields(model_cls):
    parents = dict(_parent_fields(model_cls))
    return tuple(
        (rel.key, rel.mapper.class_) for rel in inspect(model_cls).relationships
        if rel.direction is RelationshipDirection.MANYTOONE
        and rel.mapper.class_ is not ContextID and rel.key not in parents
    )


@cache
def _value_fields(model_cls):
    return tuple(
        prop.key for prop in inspect(model_cls).column_attrs
        if not any(col.primary_key or col.foreign_keys for col in prop.columns)
    )


@cache
def _string_lengths(model_cls):
    return tuple(
        (prop.key, prop.columns[0].type.length) for prop in inspect(model_cls).column_attrs
        if isinstance(prop.columns[0].type, String) and prop.columns[0].type.length
    )


def _models_by_name() -> dict[str, type]:
    return {
        mapper.class_.__name__.lower(): mapper.class_
        for mapper in db.Model.registry.mappers
    }


# Every mapped class by lower-cased class name, the key used in study records and dumps.
MODEL_BY_NAME: dict[str, type] = _models_by_name()
