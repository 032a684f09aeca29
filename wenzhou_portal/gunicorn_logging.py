"""gunicorn's access log without tracking codes (see wenzhou_portal.log_redaction).

Configured in gunicorn.conf.py as the logger class, so that an access log switched on
later (``--access-logfile -``) is redacted whatever format it is given: every atom that
can hold the path (the request line, the path, the query, the referer, any header or
environ value) passes through the same redaction as the portal's own request log.
"""

from gunicorn.glogging import Logger

from .log_redaction import redact


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()
        }
