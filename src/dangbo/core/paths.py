"""Materialized paths (DESIGN.md decision 2).

A path is the chain of segments from the root, each four base-36 characters and a
dot: ``"0001.0003.000A."``. Every descendant's path starts with its ancestor's, so
"everything under X" is the range ``path >= X.path AND path < X.path + '~'`` — an
index range scan on both databases ('~' sorts after every path character under the
binary collation these columns use).
"""

from __future__ import annotations

from django.db.models import Q
from django.db.models.functions import Substr

SEGMENT_WIDTH = 4
_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_CHILDREN = len(_DIGITS) ** SEGMENT_WIDTH - 1
UPPER_BOUND = "~"


def segment(number: int) -> str:
    if not 1 <= number <= MAX_CHILDREN:
        raise ValueError(f"segment number out of range: {number}")
    text = ""
    while number:
        number, digit = divmod(number, len(_DIGITS))
        text = _DIGITS[digit] + text
    return text.rjust(SEGMENT_WIDTH, "0") + "."


def child_path(parent_path: str, number: int) -> str:
    return parent_path + segment(number)


def depth(path: str) -> int:
    return path.count(".")


def subtree_q(path: str, field: str = "path") -> Q:
    """Rows whose ``field`` lies in the subtree rooted at ``path`` (the root included)."""
    return Q(**{f"{field}__gte": path, f"{field}__lt": path + UPPER_BOUND})


def is_within(path: str, ancestor_path: str) -> bool:
    return path.startswith(ancestor_path)


def ancestor_paths(path: str) -> list[str]:
    """The paths of every ancestor, root first, the path itself last."""
    step = SEGMENT_WIDTH + 1
    return [path[: i + step] for i in range(0, len(path), step)]


def branch(field: str, length: int) -> Substr:
    """The branch a row's path ``field`` falls in, in SQL: its first ``length`` characters (the
    path of a subtree's root, to group the whole subtree as one; of the root's children, to
    group by child: ``len(root.path) + SEGMENT_WIDTH + 1``)."""
    return Substr(field, 1, length)


def child_branch_length(path: str) -> int:
    """The length of the paths of the children of the organization at ``path``."""
    return len(path) + SEGMENT_WIDTH + 1
