"""Secrets that travel in a URL path are kept out of every access log.

A report's private link carries its tracking code (/reports/track/<code>/, and the API's
/api/v1/reports/track/<code>/): whoever reads a log line with it could follow, answer or
rate that report. The portal's request log, gunicorn's access log (gunicorn.conf.py) and
the documented nginx format (deploy/nginx/qinglang.conf) write "[code]" in its place.

Standard library only: gunicorn's master loads this before Django is set up.
"""

import logging
import re
from urllib.parse import unquote

PLACEHOLDER = "[code]"

# The fixed steps under /reports/track/ are not codes; anything else in that place is
# taken for one (a malformed code is still somebody's code, mistyped).
_SECRET_SEGMENT = re.compile(
    r"(?P<prefix>(?:/api/v1)?/reports/track/)(?!(?:rate|answer|review)(?:/|$|\?))[^/?#\s]+",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """The text with every tracking code in a private-link path replaced by [code].

    Percent-encoded paths are decoded first (Django decodes them before routing, so
    /reports/%74rack/... reaches the same page); only text that needs redacting changes.
    """
    if not isinstance(text, str) or not text:
        return text
    decoded = unquote(text) if "%" in text else text
    if not _SECRET_SEGMENT.search(decoded):
        return text
    return _SECRET_SEGMENT.sub(lambda match: match["prefix"] + PLACEHOLDER, decoded)


class RedactingFilter(logging.Filter):
    """A logging filter for the stdout handler: no log line carries a tracking code.

    Django's own "django.request" error lines name the path ("Internal Server Error:
    /reports/track/<code>/") and carry the request; both are redacted here.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        request = getattr(record, "request", None)
        if request is not None and not isinstance(request, str):
            record.request = redact(repr(request))
        return True
