"""The Content Security Policy every response carries (django-csp)."""

from collections.abc import Sequence

from csp.constants import NONE, SELF


def content_security_policy(*, img_origins: Sequence[str], form_origins: Sequence[str]) -> dict:
    """Our own origin only: no CDN, no inline code; images and form posts may also go to the
    given origins (object storage's signed URLs, a payment provider's checkout)."""
    return {
        "DIRECTIVES": {
            "default-src": [SELF],
            "script-src": [SELF],
            "style-src": [SELF],
            # Public images on object storage arrive by a redirect to a signed URL.
            "img-src": [SELF, "data:", *img_origins],
            "font-src": [SELF],
            "connect-src": [SELF],
            "object-src": [NONE],
            "base-uri": [SELF],
            # A donation's confirm form redirects to the organisation's payment provider's
            # checkout: its origin must be allowed (the simulated gateway is our own).
            "form-action": [SELF, *form_origins],
            "frame-ancestors": [NONE],
        }
    }
