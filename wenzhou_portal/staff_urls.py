"""Staff self-service pages outside admin (second-factor enrolment)."""

urlpatterns: list = []
