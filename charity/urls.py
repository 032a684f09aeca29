from django.urls import path

from wenzhou_portal.page_cache import public_page

from . import donation_views, payment_views, views
from .page_versions import charity_version

app_name = "charity"
urlpatterns = [
    path("", public_page(charity_version)(views.landing), name="landing"),
    # The project page with its money (donation_views.project supersedes views.project).
    path("projects/<int:pk>/", public_page(charity_version)(views.project), name="project"),
    path("projects/<int:pk>/donate/", donation_views.donate, name="donate"),
    path("projects/<int:pk>/donate/confirm/", donation_views.donate_confirm, name="donate_confirm"),
    path(
        "projects/<int:pk>/ledger/",
        public_page(charity_version)(donation_views.ledger),
        name="ledger",
    ),
    path("projects/<int:pk>/ledger.csv", donation_views.ledger_csv, name="ledger_csv"),
    path("projects/<int:pk>/cover", views.project_cover, name="project_cover"),
    path(
        "organisations/<str:credit_code>/",
        public_page(charity_version)(views.organisation),
        name="organisation",
    ),
    path("disclosures/<int:pk>/document", views.disclosure_document, name="disclosure_document"),
    path("pact/", public_page()(views.pact), name="pact"),
    path("pact/sign/<str:token>/", views.pact_sign, name="pact_sign"),
    path("apply/", views.apply, name="apply"),
    # Money: the provider's notifications and the development gateway.
    path("payments/<slug:provider>/notify/", payment_views.payment_notice, name="payment_notice"),
    path("gateway/<str:reference>/", payment_views.gateway, name="gateway"),
    path("disbursements/<int:pk>/copy", donation_views.disbursement_copy, name="disbursement_copy"),
    # Before the <reference> route: "verify" is not a reference.
    path("donations/verify/", donation_views.verify, name="verify"),
    path("donations/<str:reference>/", donation_views.receipt, name="receipt"),
    path("donations/<str:reference>/cancel/", donation_views.receipt_cancel, name="receipt_cancel"),
]
