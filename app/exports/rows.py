"""Turning loaded tuples into rows of values, shared by the csv and xlsx writers.

A ``RowPlan`` resolves its columns' sources to positions once and reads all of them with one
``itemgetter`` call per item, then applies the few transforms; per value that is a fraction
of the cost of a Python function call.
"""
from operator import itemgetter
from typing import Sequence

from .columns import Block, Column


class RowPlan:
    """The values of a fixed list of columns, read from items laid out as ``shape`` says."""

    __slots__ = ("columns", "kinds", "width", "_get", "_transforms")

    def __init__(self, columns: Sequence[Column], shape):
        self.columns = tuple(columns)
        self.kinds = tuple(column.kind for column in self.columns)
        self.width = len(self.columns)
        positions = [shape.position(column.source) for column in self.columns]
        if len(positions) == 1:
            single = itemgetter(positions[0])
            self._get = lambda item: (single(item),)
        elif positions:
            self._get = itemgetter(*positions)
        else:
            self._get = lambda item: ()
        self._transforms = [(i, column.transform) for i, column in enumerate(self.columns)
                            if column.transform is not None]

    def values(self, item) -> list:
        """The values of every column for ``item``."""
        values = list(self._get(item))
        for i, transform in self._transforms:
            value = values[i]
            if value is not None:
                values[i] = transform(value)
        return values

    @property
    def headers(self) -> list[str]:
        """The column headers."""
        return [column.header for column in self.columns]


class BlockPlan(RowPlan):
    """A ``Block`` of columns repeated for each item of a study."""

    __slots__ = ("block",)

    def __init__(self, block: Block):
        super().__init__(block.columns, block.shape)
        self.block = block

    def items(self, study) -> Sequence:
        """The items (events, groups) of ``study`` this block repeats for."""
        return self.block.items(study)

    def repeated(self, items: Sequence, count: int) -> list:
        """Values of the first ``count`` items, padded with None to ``count`` blocks."""
        out = []
        for item in items[:count]:
            out += self.values(item)
        missing = count - min(len(items), count)
        if missing:
            out += [None] * (self.width * missing)
        return out

    def headers_for(self, count: int) -> list[str]:
        """Headers of ``count`` repetitions."""
        return self.block.headers(count)

    def kinds_for(self, count: int) -> tuple:
        """Value types of ``count`` repetitions."""
        return self.kinds * count
