from django.urls import re_path

from . import open311

app_name = "open311"
urlpatterns = [
    re_path(r"^services\.(?P<fmt>json|xml)$", open311.services_list, name="services"),
    re_path(r"^requests\.(?P<fmt>json|xml)$", open311.requests_list, name="requests"),
    re_path(
        r"^requests/(?P<public_id>[^/]+)\.(?P<fmt>json|xml)$",
        open311.request_detail,
        name="request",
    ),
]
