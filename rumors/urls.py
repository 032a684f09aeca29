from django.urls import path

from . import views

app_name = "rumors"
urlpatterns = [
    path("", views.landing, name="landing"),
]
