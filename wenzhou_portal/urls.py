from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import metrics, views
from .page_cache import public_page

urlpatterns = [
    path("", public_page()(views.home), name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    # For the operators' Prometheus only (a token or an internal address); 404 to others.
    path("metrics", metrics.metrics_view, name="metrics"),
    path("prefs/elder-mode/", views.toggle_elder_mode, name="toggle_elder_mode"),
    path("prefs/text-size/", views.set_text_size, name="set_text_size"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("staff/", include("wenzhou_portal.staff_urls")),
    path("account/", include("wenzhou_portal.citizen_urls")),
    path("reports/", include("rumors.urls")),
    path("debunks/", include("rumors.debunk_urls")),
    path("campaigns/", include("campaigns.urls")),
    path("charity/", include("charity.urls")),
    path("index/", include("civility_index.urls")),
    path("api/v1/", include("rumors.api_urls")),
    path("api/v1/index/", include("civility_index.api_urls")),
    path("api/v1/", include("campaigns.api_urls")),
    path("api/v1/charity/", include("charity.api_urls")),
    path("open311/v2/", include("rumors.open311_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
]

# Django's own error answers, in the API's and Open311's shapes under their paths.
handler400 = "wenzhou_portal.errors.bad_request"
handler403 = "wenzhou_portal.errors.permission_denied"
handler404 = "wenzhou_portal.errors.page_not_found"
handler500 = "wenzhou_portal.errors.server_error"
