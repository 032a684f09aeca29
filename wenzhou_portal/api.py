"""Shared REST API pieces: one error shape for every endpoint."""

from rest_framework.exceptions import Throttled
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context) -> Response | None:
    """Answer every API error as {"errors": [{"field", "message"}]} with the DRF status.

    A field-level validation error names its field; any other error uses "non_field".
    """
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    response.data = {"errors": _flatten(response.data)}
    return response


def _flatten(data, prefix: str = "") -> list[dict[str, str]]:
    if isinstance(data, dict):
        if set(data) == {"detail"}:
            return [{"field": prefix or "non_field", "message": str(data["detail"])}]
        errors = []
        for key, value in data.items():
            name = "non_field" if key in {"non_field_errors", "detail"} else key
            errors.extend(_flatten(value, f"{prefix}.{name}" if prefix else name))
        return errors
    if isinstance(data, list):
        errors = []
        for item in data:
            errors.extend(_flatten(item, prefix))
        return errors
    return [{"field": prefix or "non_field", "message": str(data)}]


class RateLimited(Throttled):
    """429 with our own message (which already says how long to wait) and Retry-After."""

    def __init__(self, *, retry_after: int, detail: str) -> None:
        super().__init__(detail=detail)
        self.wait = retry_after
