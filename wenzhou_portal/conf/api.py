"""Django REST framework and the OpenAPI schema (drf-spectacular)."""

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "wenzhou_portal.api.PortalAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so that a request without credentials is still answered 403 (a session
        # has no challenge); a wrong token is 401 all the same (see api_tokens.TokenRejected).
        "rest_framework.authentication.SessionAuthentication",
        "wenzhou_portal.api_tokens.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "wenzhou_portal.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "清朗温州 API",
    "DESCRIPTION": "Public and staff API of the Wenzhou clean-network portal.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a field called "kind"; give each choice set its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "CampaignKindEnum": "campaigns.models.CampaignKind",
        "DepartmentKindEnum": "rumors.models.DepartmentKind",
        "ReportEventKindEnum": "rumors.models.EventKind",
    },
}
