"""Logging: one JSON object per line on stdout, tracking codes redacted."""


def logging_config(*, level: str) -> dict:
    """dictConfig for the portal, its workers and Django at ``level``."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(levelname)s %(name)s %(message)s",
                "rename_fields": {"levelname": "level", "name": "logger"},
                "timestamp": "time",
            },
        },
        "filters": {
            # No line carries a tracking code, Django's own error lines included.
            "redact_codes": {"()": "wenzhou_portal.log_redaction.RedactingFilter"},
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json",
                "filters": ["redact_codes"],
            },
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            # Our own request log replaces Django's, so a request is one line, not two.
            "django.server": {"handlers": [], "propagate": False},
            "django.request": {"level": "ERROR"},
            "celery": {"level": level},
            "axes": {"level": "WARNING"},
        },
    }
