from django.urls import path

from wenzhou_portal.page_cache import public_page

from . import views
from .page_versions import campaigns_version

app_name = "campaigns"
urlpatterns = [
    # Counters move by the minute: a copy lives a minute at most (and a campaign's edit at once).
    path("", public_page(campaigns_version, seconds=60)(views.landing), name="landing"),
    path("cancel/", views.event_cancel_by_code, name="cancel_by_code"),
    path("cancel/<str:token>/", views.event_cancel, name="cancel"),
    path("entries/<str:token>/", views.entry_status, name="entry_status"),
    path("entry-images/<int:pk>/", views.entry_image, name="entry_image"),
    # Not shared: it counts each visit as reach, and a verified voter sees their own vote.
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/pledge/code/", views.pledge_code, name="pledge_code"),
    path("<slug:slug>/pledge/sign/", views.pledge_sign, name="pledge_sign"),
    path("<slug:slug>/pledge/signed/<str:token>/", views.pledge_signed, name="signed"),
    path(
        "<slug:slug>/pledge/certificate/<str:token>/", views.pledge_certificate, name="certificate"
    ),
    path(
        "<slug:slug>/pledge/certificate/<str:token>/pdf/",
        views.pledge_certificate_pdf,
        name="certificate_pdf",
    ),
    path("<slug:slug>/pledge/withdraw/<str:token>/", views.pledge_withdraw, name="pledge_withdraw"),
    path("<slug:slug>/register/", views.event_register, name="register"),
    path(
        "<slug:slug>/register/confirm/",
        views.event_register_confirm,
        name="register_confirm",
    ),
    path("<slug:slug>/cover/", views.cover_image, name="cover"),
    path("<slug:slug>/vote/confirm/", views.voter_confirm, name="voter_confirm"),
    path("<slug:slug>/vote/<int:candidate_id>/", views.vote, name="vote"),
    path("<slug:slug>/vote/withdraw/<int:vote_id>/", views.vote_withdraw, name="vote_withdraw"),
    path("<slug:slug>/enter/", views.contest_enter, name="enter"),
]
