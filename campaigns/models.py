from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignKind(models.TextChoices):
    THEME = "theme", _("主题传播")
    CONTEST = "contest", _("创意大赛")
    PLEDGE = "pledge", _("网上签名")
    VOTE = "vote", _("评选投票")
    EVENT = "event", _("宣讲活动")


KIND_DESCRIPTIONS = {
    CampaignKind.THEME: _("围绕共同富裕、网络文化节等主题的网上传播周。"),
    CampaignKind.CONTEST: _("如“最美IN温州”短视频创意大赛：投稿、审核、公开展示和投票。"),
    CampaignKind.PLEDGE: _("如“文明上网，从你我做起”网上签名，可下载签名证书。"),
    CampaignKind.VOTE: _("如“最美互联网人”“最美外卖骑手”评选，公众投票与专家评审相结合。"),
    CampaignKind.EVENT: _("如青少年网络素养宣讲，在线报名，名额满后可候补。"),
}
