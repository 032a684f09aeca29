from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    RUMOR = "rumor", _("谣言")
    FRAUD = "fraud", _("诈骗")
    PORNOGRAPHY = "pornography", _("色情低俗")
    VIOLENCE_TERROR = "violence_terror", _("暴恐血腥")
    CYBERBULLYING = "cyberbullying", _("网络暴力")
    HARM_TO_MINORS = "harm_to_minors", _("侵害未成年人")
    LIVESTREAM_DISORDER = "livestream_disorder", _("直播短视频乱象")
    PERSONAL_INFORMATION = "personal_information", _("侵犯个人信息")
    OTHER = "other", _("其他")


# One short, plain example per category, shown before the form is sent.
CATEGORY_EXAMPLES = {
    Category.RUMOR: _("例如：“某小区自来水被污染，千万别喝”，但没有任何官方消息。"),
    Category.FRAUD: _("例如：冒充客服要求“退款”并索要银行卡验证码。"),
    Category.PORNOGRAPHY: _("例如：短视频评论区里发布色情图片或招嫖信息。"),
    Category.VIOLENCE_TERROR: _("例如：传播血腥暴力视频，或宣扬恐怖主义。"),
    Category.CYBERBULLYING: _("例如：公开他人住址电话，组织网友辱骂某人。"),
    Category.HARM_TO_MINORS: _("例如：诱导未成年人打赏、或向孩子推送不良内容。"),
    Category.LIVESTREAM_DISORDER: _("例如：直播间虚假带货、低俗表演或炫富引流。"),
    Category.PERSONAL_INFORMATION: _("例如：售卖快递单号、身份证照片等个人信息。"),
    Category.OTHER: _("其他违法和不良信息。"),
}

# Categories for which the national 12377 centre is also the place to go.
NATIONAL_CENTRE_CATEGORIES = frozenset({Category.VIOLENCE_TERROR})


class Platform(models.TextChoices):
    DOUYIN = "douyin", _("抖音")
    WECHAT = "wechat", _("微信")
    WEIBO = "weibo", _("微博")
    KUAISHOU = "kuaishou", _("快手")
    XIAOHONGSHU = "xiaohongshu", _("小红书")
    TOUTIAO = "toutiao", _("今日头条")
    BILIBILI = "bilibili", _("哔哩哔哩")
    TIEBA = "tieba", _("百度贴吧")
    ZHIHU = "zhihu", _("知乎")
    OTHER = "other", _("其他网站或应用")
