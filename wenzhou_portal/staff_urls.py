"""Staff self-service pages outside admin (second-factor enrolment)."""

from django.urls import path

from . import staff_views

app_name = "staff"

urlpatterns = [
    path("2fa/", staff_views.otp_enrol, name="otp_enrol"),
    path("logout/", staff_views.StaffLogoutView.as_view(), name="logout"),
]
