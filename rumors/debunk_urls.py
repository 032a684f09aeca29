from django.urls import path

from . import views
from .feeds import DebunkFeed

app_name = "debunks"
urlpatterns = [
    path("", views.debunk_list, name="list"),
    path("feed/", DebunkFeed(), name="feed"),
    path("suggest/", views.debunk_suggest, name="suggest"),
    path("<slug:slug>/", views.debunk_detail, name="detail"),
]
