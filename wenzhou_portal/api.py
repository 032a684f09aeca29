"""Shared REST API pieces: one error shape for every endpoint, and a schema that says so."""

import math

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import follow_model_field_lookup, get_view_model
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import Throttled
from rest_framework.permissions import SAFE_METHODS, AllowAny
from rest_framework.response import Response
from rest_framework.schemas.utils import get_pk_description
from rest_framework.views import exception_handler as drf_exception_handler

from .api_tokens import ApiTokenAuthentication


def exception_handler(exc, context) -> Response | None:
    """Answer every API error as {"errors": [{"field", "message"}]} with the DRF status.

    A field-level validation error names its field; any other error uses "non_field".
    A 429 also carries ``retry_after`` (seconds, the same as its Retry-After header).
    """
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    response.data = {"errors": _flatten(response.data)}
    if isinstance(exc, Throttled) and exc.wait is not None:
        # When to come back, in the body as well as Retry-After, for clients that show the
        # error without reading headers.
        response.data["retry_after"] = max(math.ceil(exc.wait), 1)
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


# --- The error shape in the OpenAPI schema ----------------------------------------------


class FieldErrorSerializer(serializers.Serializer):
    """One problem with a request."""

    field = serializers.CharField(
        help_text=(
            'The input at fault: a field ("url"), a nested field ("contact.phone"), a query '
            'parameter, "path" for the URL itself, or "non_field" for the request as a whole.'
        )
    )
    message = serializers.CharField(help_text="What is wrong, for a person, in their language.")


class ErrorResponseSerializer(serializers.Serializer):
    """Every error the API answers, whatever its status: a list of problems."""

    errors = FieldErrorSerializer(many=True)


class RateLimitedErrorSerializer(ErrorResponseSerializer):
    """A refusal because this client (or number) is over a limit: when to come back."""

    retry_after = serializers.IntegerField(
        min_value=1, help_text="Seconds until the limit lets this client try again (= Retry-After)."
    )


def rate_limited_response(description: str) -> OpenApiResponse:
    """A 429 in the schema: the error shape with ``retry_after`` (and Retry-After)."""
    return OpenApiResponse(RateLimitedErrorSerializer, description=description)


def error_response(description: str) -> OpenApiResponse:
    """An error in the one shape, for a status only some operations answer (409, 410, 429…)."""
    return OpenApiResponse(ErrorResponseSerializer, description=description)


# The lookup regex that lets any path segment reach a detail view.
ANY_SEGMENT = "[^/]+"

BAD_REQUEST = (
    "The request was refused: a field, parameter or the body is invalid, or a NUL byte was "
    "found anywhere in it. Each problem names its field."
)
FORBIDDEN_STAFF = (
    "Not signed in as staff whose role may do this, or (for a change) the session's CSRF "
    "token is missing. Sessions carry no challenge, so this is 403, never 401."
)
FORBIDDEN_CSRF = "Sent with a signed-in session but without its CSRF token."
UNAUTHORIZED_BEARER = (
    "An `Authorization: Bearer` API token was sent and is wrong, expired or revoked (the "
    "message says which, once the token is genuine). Requests without a token never get 401."
)
UNSUPPORTED_MEDIA = (
    "The body's Content-Type is none of those listed for this operation (or a multipart "
    "body is too malformed to name one)."
)
NOT_FOUND_DETAIL = "Nothing with this identifier that you may see."
NOT_FOUND_PAGE = "The page number is past the last page (or is not a page number)."
RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer", "minimum": 0},
        "required": True,
        "description": "Seconds until the limit lets this client try again.",
    }
}


class PortalAutoSchema(AutoSchema):
    """drf-spectacular's schema, plus the errors each operation really answers.

    From what the view is: 400 everywhere (validation, and the NUL-byte guard in front of
    every view); 403 where a permission other than AllowAny applies, or where a session
    makes a change (CSRF); 404 for a path with an identifier and for a paginated list (a
    page past the end); 415 wherever a body is read. Codes only some operations answer (304, 409, 410, 429) are declared
    with ``@extend_schema(responses=...)`` beside the code that answers them; a 429 always
    carries Retry-After, and a declared error without a body gets the error shape.

    A serializer lists in ``schema_at_least_one_of`` the fields of which at least one must
    be filled; the request body then says so with ``anyOf``.
    """

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, description in self._error_statuses().items():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    error_response(description), str(code), direction=direction
                )
        for code, response in responses.items():
            if code >= "400" and "content" not in response:
                responses[code] = self._get_response_for_code(
                    error_response(response.get("description", "")), code, direction=direction
                )
            if code == "429":
                responses[code] = {"headers": RETRY_AFTER, **responses[code]}
        return dict(sorted(responses.items()))

    def _error_statuses(self) -> dict[int, str]:
        statuses = {400: BAD_REQUEST}
        if any(
            isinstance(authenticator, ApiTokenAuthentication)
            for authenticator in self.view.get_authenticators()
        ):
            statuses[401] = UNAUTHORIZED_BEARER
        if not all(isinstance(rule, AllowAny) for rule in self.view.get_permissions()):
            statuses[403] = FORBIDDEN_STAFF
        elif self.method not in SAFE_METHODS and any(
            isinstance(authenticator, SessionAuthentication)
            for authenticator in self.view.get_authenticators()
        ):
            statuses[403] = FORBIDDEN_CSRF
        if self.method in ("POST", "PUT", "PATCH"):
            statuses[415] = UNSUPPORTED_MEDIA
        if "{" in self.path:
            statuses[404] = NOT_FOUND_DETAIL
        elif self.method == "GET" and self._is_list_view() and self._get_paginator():
            statuses[404] = NOT_FOUND_PAGE
        return statuses

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        # A lookup that lets any segment reach the view (so a bad identifier gets the API's
        # 404, not the URL resolver's HTML page) says nothing about the identifier: type it
        # from the model field, as drf-spectacular does when no regex is given.
        model = get_view_model(self.view, emit_warnings=False)
        lookup = getattr(self.view, "lookup_field", None)
        # drf-spectacular names a "pk" lookup "id" in the path (SCHEMA_COERCE_PATH_PK).
        names = {
            getattr(self.view, "lookup_url_kwarg", None) or lookup,
            "id" if lookup == "pk" else None,
        }
        for parameter in parameters:
            if (
                model is not None
                and parameter["name"] in names
                and parameter["schema"].get("pattern") == f"^{ANY_SEGMENT}$"
            ):
                field = follow_model_field_lookup(model, lookup)
                schema = self._map_model_field(field, direction=None)
                schema.pop("readOnly", None)  # an auto primary key, but given in the path
                parameter["schema"] = schema
                if field.primary_key:
                    parameter["description"] = get_pk_description(model, field)
        return parameters

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        names = getattr(serializer, "schema_at_least_one_of", ())
        if names:
            # A blank or all-space value counts as not given, as the serializer trims it.
            schema["anyOf"] = [
                {"required": [name], "properties": {name: {"minLength": 1, "pattern": r"\S"}}}
                for name in names
            ]
        return schema
