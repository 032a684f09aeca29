from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CivilityIndexConfig(AppConfig):
    name = "civility_index"
    verbose_name = _("清朗指数")
