from django.urls import path

from . import donation_views, payment_views, views

app_name = "charity"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("projects/<int:pk>/", views.project, name="project"),
    path("projects/<int:pk>/cover", views.project_cover, name="project_cover"),
    path("organisations/<str:credit_code>/", views.organisation, name="organisation"),
    path("disclosures/<int:pk>/document", views.disclosure_document, name="disclosure_document"),
    path("pact/", views.pact, name="pact"),
    path("pact/sign/<str:token>/", views.pact_sign, name="pact_sign"),
    path("apply/", views.apply, name="apply"),
    # Money: the provider's notifications and the development gateway.
    path("payments/<slug:provider>/notify/", payment_views.payment_notice, name="payment_notice"),
    path("gateway/<str:reference>/", payment_views.gateway, name="gateway"),
    path("donations/<str:reference>/", donation_views.receipt, name="receipt"),
]
