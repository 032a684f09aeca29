from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RumorsConfig(AppConfig):
    name = "rumors"
    verbose_name = _("举报与辟谣")
