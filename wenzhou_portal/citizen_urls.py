from django.urls import path

from . import citizen_views

urlpatterns = [
    path("sign-in/", citizen_views.sign_in, name="citizen_sign_in"),
    path("sign-in/code/", citizen_views.sign_in_code, name="citizen_sign_in_code"),
    path("sign-out/", citizen_views.sign_out, name="citizen_sign_out"),
    path("notify/", citizen_views.notify_set, name="citizen_notify"),
]
