from django.urls import path

from . import views

app_name = "debunks"
urlpatterns = [
    path("", views.debunk_list, name="list"),
]
