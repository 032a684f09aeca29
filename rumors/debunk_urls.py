from django.urls import path

from wenzhou_portal.page_cache import public_page

from . import views
from .feeds import DebunkFeed
from .page_versions import debunks_version

app_name = "debunks"
urlpatterns = [
    path("", public_page(debunks_version)(views.debunk_list), name="list"),
    path("feed/", DebunkFeed(), name="feed"),
    path("suggest/", views.debunk_suggest, name="suggest"),
    path("<slug:slug>/", public_page(debunks_version)(views.debunk_detail), name="detail"),
]
