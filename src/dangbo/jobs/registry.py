"""The kinds of background work, registered by the apps that own them, and the one hook this
app needs from above: how to act as a job's owner.

An app above registers its kinds in its ``AppConfig.ready()``::

    registry.register(JobKind("restructuring.plan_apply", "Áp dụng phương án sắp xếp", run_apply))

``run`` receives a ``JobRun`` (the owner's scope as ``actor``, the parameters, a ``progress``
callable) and returns a ``JobOutcome``; a ``RuleViolation`` it raises ends the job as refused,
with the violations' messages shown to the owner.

``accounts`` registers the actor loader (its ``scope_for``): the worker has no request, so the
owner's scope is read again from their roles when the job starts: a role revoked after the
job was queued no longer applies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any


@dataclass
class JobOutcome:
    """How a job ended: a sentence for its owner, where to look (a page), and a file to
    download. ``refused``: the work was checked and refused (a plan with problems): the job
    ends as not successful, its message saying why."""

    message: str
    refused: bool = False
    link: str = ""
    file_name: str = ""
    file: IO[bytes] | None = None
    content_type: str = "application/octet-stream"


@dataclass
class JobRun:
    """What a kind's ``run`` gets: the job's key, its owner's scope, its parameters, and
    ``progress(done, total, step)`` to say how far it has got."""

    job_id: Any
    owner: Any
    actor: Any
    params: dict
    progress: Callable[..., None] = field(repr=False)


@dataclass(frozen=True)
class JobKind:
    """``writes_long``: the job holds one write transaction for most of its run (a
    restructuring plan). On SQLite, the one writer, other users' writes are then answered at
    once with a page saying so (``jobs.middleware.SingleWriterMiddleware``) instead of
    waiting for the lock and failing."""

    name: str
    title: str
    run: Callable[[JobRun], JobOutcome]
    writes_long: bool = False


_kinds: dict[str, JobKind] = {}
_actor_loader: list[Callable[[Any], Any]] = []


class UnknownJobKind(LookupError):
    pass


def register(kind: JobKind) -> None:
    _kinds[kind.name] = kind


def kind(name: str) -> JobKind:
    try:
        return _kinds[name]
    except KeyError:
        raise UnknownJobKind(name) from None


def kinds() -> dict[str, JobKind]:
    return dict(_kinds)


def long_writing_kinds() -> list[str]:
    return [name for name, registered in _kinds.items() if registered.writes_long]


def register_actor_loader(loader: Callable[[Any], Any]) -> None:
    """``loader(user)`` gives the user's scope (set once, by ``accounts``)."""
    _actor_loader[:] = [loader]


def actor_for(user) -> Any:
    if not _actor_loader:
        raise RuntimeError("no actor loader: dangbo.accounts registers one in its AppConfig.ready()")
    return _actor_loader[0](user)
