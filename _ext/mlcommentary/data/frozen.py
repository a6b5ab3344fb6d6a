"""Frozen, slotted dataclasses that every build pickles by the ten thousand.

The environment keeps them for every page (a page's claim, its byline, the IDs in its
sentences): about 70,000 at 10,000 commentaries, pickled and unpickled by each build.
``dataclasses`` gives a frozen class with slots a ``__getstate__`` that lists its
fields anew for each object, and that was a quarter of the time Sphinx took to save
the environment after a prose edit. Here the names are listed once, and the state is a
tuple read by ``operator.attrgetter``.
"""

from __future__ import annotations

import dataclasses
import operator
from typing import Any, TypeVar

T = TypeVar("T")


def pickled_as_tuple(cls: type[T]) -> type[T]:
    """Decorate a frozen dataclass with slots (applied above ``@dataclass``)."""
    names = tuple(field.name for field in dataclasses.fields(cls))
    read = operator.attrgetter(*names)
    one = len(names) == 1  # then attrgetter gives the value, not a tuple

    def __getstate__(self: Any) -> tuple:
        return (read(self),) if one else read(self)

    def __setstate__(self: Any, state: tuple) -> None:
        for name, value in zip(names, state, strict=True):
            object.__setattr__(self, name, value)

    cls.__getstate__ = __getstate__  # type: ignore[attr-defined]
    cls.__setstate__ = __setstate__  # type: ignore[attr-defined]
    return cls
