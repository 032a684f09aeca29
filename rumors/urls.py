from django.urls import include, path

from wenzhou_portal.page_cache import public_page

from . import views

app_name = "rumors"
urlpatterns = [
    path("", public_page()(views.landing), name="landing"),
    path("new/", views.report_new, name="new"),
    path("submitted/", views.report_submitted, name="submitted"),
    path("submitted/send-link/", views.report_link_send, name="send_link"),
    path("mine/", views.my_reports, name="mine"),
    path("mine/claim/", views.my_reports_claim, name="mine_claim"),
    path("track/", views.report_track, name="track"),
    path("track/rate/", views.report_rate, name="rate"),
    path("track/answer/", views.report_answer, name="answer"),
    path("track/review/", views.report_review, name="review"),
    # After the fixed steps above: a code is never "rate", "answer" or "review".
    path("track/<str:code>/", views.report_track_private, name="track_private"),
    path("stats/", include("rumors.stats_urls")),
    path(
        "evidence/<int:pk>/<str:variant>/",
        views.evidence_file,
        name="evidence",
    ),
]
