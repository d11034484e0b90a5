"""Statements built once and run many times with their values bound.

Building a SQLAlchemy statement on every call costs about as much CPU as running it: first the expression
objects, then the cache key SQLAlchemy derives from them to find the SQL it compiled before. An ORM UPDATE costs
more again, as it also works out which objects of the session it changed. For the statements every booking
runs, the statement is built on first use with ``bindparam`` placeholders, kept, and executed with a dict of
values: about 60% fewer Python calls for an UPDATE, 40% for a SELECT. Statements are immutable, so one object
serves every session and task.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import ParamSpec, TypeVar, cast

_P = ParamSpec("_P")
_T = TypeVar("_T")


def prepared(build: Callable[_P, _T]) -> Callable[_P, _T]:
    """``build`` runs once for each distinct set of its (hashable) arguments, such as a dialect's name; later
    calls return the statement it built."""
    return cast(Callable[_P, _T], cache(build))
