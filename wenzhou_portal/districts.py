"""The 12 county-level districts of Wenzhou with their GB/T 2260 codes.

This is the one place the districts are defined; every app stores the six-digit code
and shows the label through these choices.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

CITY_CODE = "330300"
CITY_NAME = _("温州市")


class District(models.TextChoices):
    LUCHENG = "330302", _("鹿城区")
    LONGWAN = "330303", _("龙湾区")
    OUHAI = "330304", _("瓯海区")
    DONGTOU = "330305", _("洞头区")
    YONGJIA = "330324", _("永嘉县")
    PINGYANG = "330326", _("平阳县")
    CANGNAN = "330327", _("苍南县")
    WENCHENG = "330328", _("文成县")
    TAISHUN = "330329", _("泰顺县")
    RUIAN = "330381", _("瑞安市")
    YUEQING = "330382", _("乐清市")
    LONGGANG = "330383", _("龙港市")


PINYIN = {
    District.LUCHENG: "Lucheng",
    District.LONGWAN: "Longwan",
    District.OUHAI: "Ouhai",
    District.DONGTOU: "Dongtou",
    District.YONGJIA: "Yongjia",
    District.PINGYANG: "Pingyang",
    District.CANGNAN: "Cangnan",
    District.WENCHENG: "Wencheng",
    District.TAISHUN: "Taishun",
    District.RUIAN: "Rui'an",
    District.YUEQING: "Yueqing",
    District.LONGGANG: "Longgang",
}

DISTRICT_CODE_LENGTH = 6
