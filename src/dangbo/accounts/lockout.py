"""Lockout after repeated failed sign-ins (django-axes; settings ``AXES_*``).

Two counters over the last ``AXES_COOLOFF_TIME`` (DANGBO_LOCKOUT_MINUTES):
- one user name from one address: ``AXES_FAILURE_LIMIT`` (DANGBO_LOCKOUT_FAILURES) failures lock
  that pair. Someone elsewhere typing wrong passwords for ``quantri`` locks only themselves: the
  administrator still signs in from the office;
- one address, whatever the user names (password spraying): DANGBO_LOCKOUT_ADDRESS_FAILURES
  failures lock the address, generous because an office signs in from one address behind NAT.
A successful sign-in clears the failures of its own pair only, so an attacker cannot reset the
address's counter by signing in to an account of their own. The refusal page says until when
(hour and date in Vietnam). A user name tried from many addresses is not locked at all: the
second factor, required of every role that manages anything, is what protects it then.
"""

from __future__ import annotations

from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, QuerySet, Sum
from django.shortcuts import render
from django.utils import timezone

from dangbo.core import clock


def _attempts(request, credentials) -> tuple[QuerySet, QuerySet]:
    """The live failures of (user name, address) and of the address."""
    recent = AccessAttempt.objects.filter(attempt_time__gte=_since(request))
    address = recent.filter(ip_address=request.axes_ip_address)
    return address.filter(username=get_client_username(request, credentials)), address


def _since(request) -> datetime:
    cool_off = get_cool_off(request)
    at = getattr(request, "axes_attempt_time", None) or clock.now()
    return at - cool_off


def _failures(attempts: QuerySet) -> tuple[int, datetime | None]:
    row = attempts.aggregate(n=Sum("failures_since_start"), last=Max("attempt_time"))
    return row["n"] or 0, row["last"]


def locked_until(request, credentials=None) -> datetime | None:
    """When the lock on this request's pair or address ends; None when it is not locked."""
    pair, address = _attempts(request, credentials)
    ends = []
    count, last = _failures(pair)
    if count >= settings.AXES_FAILURE_LIMIT and last:
        ends.append(last + get_cool_off(request))
    count, last = _failures(address)
    if count >= settings.DANGBO_LOCKOUT_ADDRESS_FAILURES and last:
        ends.append(last + get_cool_off(request))
    return max(ends) if ends else None


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler, counting the pair and the address against their own limits."""

    def get_failures(self, request, credentials=None) -> int:
        """The pair's failures, raised to the pair's limit when the address is locked: axes
        compares this number with ``AXES_FAILURE_LIMIT``."""
        pair, address = _attempts(request, credentials)
        failures = _failures(pair)[0]
        if _failures(address)[0] >= settings.DANGBO_LOCKOUT_ADDRESS_FAILURES:
            failures = max(failures, settings.AXES_FAILURE_LIMIT)
        return failures

    def reset_user_attempts(self, request, credentials=None) -> int:
        """After a successful sign-in: forget the failures of this user name from this address
        (only: the address's other failures still count towards its own limit)."""
        username = get_client_username(request, credentials)
        pair = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address)
        return pair.delete()[0]


def lockout_response(request, original_response=None, credentials=None):
    """The refusal page: in Vietnamese, with the hour the lock ends (429)."""
    until = locked_until(request, credentials)
    context = {"until": timezone.localtime(until) if until else None}
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=429)
