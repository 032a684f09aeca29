from django.urls import path

from . import views

app_name = "civility_index"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
