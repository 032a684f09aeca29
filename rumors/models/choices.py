"""The report desk's vocabularies: categories, platforms, states, verdicts (stable codes)."""

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
    AI_RUMOR = "ai_rumor", _("AI生成谣言")
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
    Category.AI_RUMOR: _("例如：用AI合成的“某地发生爆炸”视频或图片，并配上虚假说明传播。"),
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


class DepartmentKind(models.TextChoices):
    OFFICE = "office", _("网信办")
    DISTRICT_OFFICE = "district_office", _("县（市、区）网信办")
    SECTOR = "sector", _("行业主管部门")


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("法定节假日（休息）")
    WORKDAY = "workday", _("调休上班日")


class Status(models.TextChoices):
    """Internal states; citizens see the coarser PublicStatus."""

    RECEIVED = "received", _("已接收")
    TRIAGE = "triage", _("待人工分办")
    ROUTED = "routed", _("已分办")
    IN_PROGRESS = "in_progress", _("处置中")
    WAITING_REPORTER = "waiting_reporter", _("等待举报人补充")
    RESOLVED = "resolved", _("已办结")
    REVIEW = "review", _("复核中")
    REJECTED = "rejected", _("不予受理")
    MERGED = "merged", _("已合并")


class PublicStatus(models.TextChoices):
    RECEIVED = "received", _("受理")
    ROUTED = "routed", _("分办")
    IN_PROGRESS = "in_progress", _("处置中")
    ANSWERED = "answered", _("已反馈")
    REVIEW = "review", _("复核中")
    REJECTED = "rejected", _("不予受理")
    MERGED = "merged", _("已合并")


PUBLIC_STATUS = {
    Status.RECEIVED: PublicStatus.RECEIVED,
    Status.TRIAGE: PublicStatus.RECEIVED,
    Status.ROUTED: PublicStatus.ROUTED,
    Status.IN_PROGRESS: PublicStatus.IN_PROGRESS,
    Status.WAITING_REPORTER: PublicStatus.IN_PROGRESS,
    Status.RESOLVED: PublicStatus.ANSWERED,
    Status.REVIEW: PublicStatus.REVIEW,
    Status.REJECTED: PublicStatus.REJECTED,
    Status.MERGED: PublicStatus.MERGED,
}


OPEN_STATUSES = frozenset(
    {
        Status.RECEIVED,
        Status.TRIAGE,
        Status.ROUTED,
        Status.IN_PROGRESS,
        Status.WAITING_REPORTER,
        Status.REVIEW,
    }
)


# Open and in a department's hands: a report under second look (复核) waits on the office.
HANDLING_STATUSES = OPEN_STATUSES - {Status.REVIEW}


CLOSED_STATUSES = frozenset({Status.RESOLVED, Status.REJECTED, Status.MERGED})


class RoutingState(models.TextChoices):
    PENDING = "pending", _("待分办")
    DONE = "done", _("已分办")


class RejectionReason(models.TextChoices):
    NOT_HARMFUL = "not_harmful", _("经核查不属于违法和不良信息")
    OUT_OF_AREA = "out_of_area", _("不属于本地管辖")
    INSUFFICIENT = "insufficient", _("线索不足，无法核查")
    ALREADY_REMOVED = "already_removed", _("信息已删除或不可访问")
    OTHER_CHANNEL = "other_channel", _("应通过其他渠道办理")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    FAIRLY = "fairly", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("提交举报")
    ROUTED = "routed", _("自动分办")
    TRIAGED = "triaged", _("转入人工分办")
    ASSIGNED = "assigned", _("人工分办")
    REROUTED = "rerouted", _("重新分办")
    ACCEPTED = "accepted", _("开始处置")
    NOTE = "note", _("内部批注")
    SENT_BACK = "sent_back", _("退回网信办")
    PAUSED = "paused", _("等待举报人补充")
    RESUMED = "resumed", _("恢复办理")
    RESOLVED = "resolved", _("办结反馈")
    REJECTED = "rejected", _("不予受理")
    MERGED = "merged", _("合并")
    RECLASSIFIED = "reclassified", _("更正类别或地区")
    CONTACT_VIEWED = "contact_viewed", _("查看联系方式")
    CONTACT_ERASED = "contact_erased", _("清除联系方式")
    DUE_WARNING = "due_warning", _("临期提醒")
    REMINDER = "reminder", _("超期催办")
    ESCALATED = "escalated", _("超期上报")
    RATED = "rated", _("举报人评价")
    REPORTER_ANSWERED = "reporter_answered", _("举报人补充")
    REVIEW_REQUESTED = "review_requested", _("申请复核")
    REVIEW_UPHELD = "review_upheld", _("复核维持原结果")
    REVIEW_REOPENED = "review_reopened", _("复核后重新办理")


class ReviewOutcome(models.TextChoices):
    UPHELD = "upheld", _("维持原办理结果")
    REOPENED = "reopened", _("重新办理")


class TriageTag(models.TextChoices):
    """Staff-only marks for triage (the 2025 清朗 targets); never shown to citizens."""

    MISSING_AI_LABEL = "missing_ai_label", _("未按规定标识AI生成内容")
    SMEARING_COMPANY = "smearing_company", _("抹黑企业")
    POSING_AS_PARTY = "posing_as_party", _("冒充事件当事人")
    REPOST_WITHOUT_SOURCE = "repost_without_source", _("转载不注明来源")


class AiLabel(models.TextChoices):
    """What an evidence file's metadata says under GB 45438-2025; never a verdict on content."""

    UNKNOWN = "", _("未检查")
    PRESENT = "present", _("文件元数据含AI生成标识")
    ABSENT = "absent", _("文件元数据不含AI生成标识")


class Verdict(models.TextChoices):
    FALSE = "false", _("谣言")
    INACCURATE = "inaccurate", _("不实")
    MISLEADING = "misleading", _("误导")
    TRUE = "true", _("属实")
    UNVERIFIED = "unverified", _("未证实")


# schema.org ClaimReview ratings: 1 (false) to 5 (true); unverified has no numeric value.
VERDICT_RATING = {
    Verdict.FALSE: 1,
    Verdict.INACCURATE: 2,
    Verdict.MISLEADING: 2,
    Verdict.UNVERIFIED: 3,
    Verdict.TRUE: 5,
}
