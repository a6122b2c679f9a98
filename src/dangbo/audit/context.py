"""Who is acting, from where, in which request: set by the middleware for web and API
requests, by the command line for `dangbo` commands. ``audit_record`` reads it."""

from __future__ import annotations

import contextvars
import getpass
import uuid
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class AuditContext:
    actor_id: int | None
    actor_name: str
    actor_role: str
    scope: str
    ip: str
    request_id: str  # made by the server
    client_request_id: str = ""  # a well-formed X-Request-ID the client sent, kept apart


def system_context(command: str = "") -> AuditContext:
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "?"
    return AuditContext(
        actor_id=None,
        actor_name=f"hệ thống ({who})",
        actor_role="dòng lệnh",
        scope="toàn hệ thống",
        ip="",
        request_id=command or uuid.uuid4().hex,
    )


_current: contextvars.ContextVar = contextvars.ContextVar("dangbo_audit_context", default=None)


def current() -> AuditContext:
    """The acting context: a request's (a callable, resolved late) or the system's."""
    value = _current.get()
    if value is None:
        return system_context()
    return value() if callable(value) else value


@contextmanager
def acting(value):
    """Run a block as ``value``: an AuditContext, or a callable returning one."""
    token = _current.set(value)
    try:
        yield
    finally:
        _current.reset(token)


_bulk: contextvars.ContextVar = contextvars.ContextVar("dangbo_audit_bulk", default=None)


def in_bulk_operation() -> bool:
    return _bulk.get() is not None


@contextmanager
def bulk_operation(name: str):
    """Run a system operation that writes thousands of rows (the demo generator) under one
    audit row of its own instead of one per row; the caller records that row."""
    token = _bulk.set(name)
    try:
        yield
    finally:
        _bulk.reset(token)
