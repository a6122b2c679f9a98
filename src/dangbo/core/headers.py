"""Headers on every answer the application makes (issue 18, ASVS 3.4 and 14.3).

``SecurityHeadersMiddleware`` sits after WhiteNoise, so static files (the same for everyone,
cached by the browser) never reach it; every page, export, download and API answer does:

* ``Content-Security-Policy``: only the site's own scripts, styles, images and fonts; no
  inline script, no inline style, no ``eval`` (htmx is told not to use it, ``htmx-config``
  in base.html); no frames, no plug-ins, forms post only here. Every script the pages need
  is a static file (``web/static/dangbo``).
* ``Permissions-Policy``: no camera, microphone, location, payment, USB and the like.
* ``Cache-Control: no-store``: pages, exports and API answers carry personal data; none
  may stay in the browser's or a proxy's cache. The sign-in page and errors get it too:
  simpler than deciding page by page, and nothing here is worth caching.

``Referrer-Policy`` (``same-origin``), ``X-Content-Type-Options`` and HSTS come from
Django's ``SecurityMiddleware`` (settings), ``X-Frame-Options`` from its clickjacking one.
"""

from __future__ import annotations

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",  # data: for the icons the API's documentation page draws
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
    )
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response["Cache-Control"] = "no-store"
        return response
