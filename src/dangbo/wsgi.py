"""The WSGI application (``dangbo serve``, or any WSGI server: ``dangbo.wsgi:application``).

A serving process seals the audit trail in a thread of its own rather than after each request
(``audit.sealer``), so a page view never waits for the sealing lock; and freezes the objects it
made while starting, which the garbage collector's full collections would otherwise walk while
every request waits (``core.heap``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangbo.settings")
application = get_wsgi_application()

from dangbo.audit.services import audit_seal_in_background  # noqa: E402  (needs Django set up)

audit_seal_in_background()

from dangbo.core.heap import settle_startup_heap  # noqa: E402

settle_startup_heap()
