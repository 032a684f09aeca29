"""Demo data for the report desk: departments, rules, and reports in every state."""

from collections.abc import Callable
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from wenzhou_portal.demo import demo_seeder
from wenzhou_portal.districts import District

from . import services
from .models import Department, DepartmentKind, Report, RoutingRule

SECTOR_DEPARTMENTS = {
    "police": "市公安局网安支队",
    "market": "市市场监督管理局",
    "education": "市教育局",
    "culture": "市文化广电旅游局",
    "civil": "市民政局",
}

# category -> (lead, co-handlers, working days)
CATEGORY_RULES = {
    "fraud": ("police", ["market"], 3),
    "violence_terror": ("police", [], 1),
    "personal_information": ("police", [], 5),
    "harm_to_minors": ("education", ["police"], 3),
    "livestream_disorder": ("culture", ["market"], 5),
}

DEMO_REPORTS = [
    # (category, platform, district, content, url, account, end state)
    (
        "rumor",
        "wechat",
        District.LUCHENG,
        "微信群流传“鹿城区下周全面停水三天”，配图是外地旧新闻截图。",
        "https://mp.weixin.qq.com/s/demo-water",
        "",
        "resolved",
    ),
    (
        "rumor",
        "douyin",
        District.LUCHENG,
        "抖音视频称某小学发生食物中毒，多名学生住院，未见任何通报。",
        "https://www.douyin.com/video/7300000000000000001",
        "温州身边事",
        "in_progress",
    ),
    (
        "fraud",
        "douyin",
        District.OUHAI,
        "直播间冒充客服，让观众加微信“退运费”，并索要银行卡验证码。",
        "https://www.douyin.com/video/7300000000000000002",
        "官方售后小王",
        "routed",
    ),
    (
        "cyberbullying",
        "weibo",
        District.LONGWAN,
        "有人发帖公开一位外卖骑手的手机号和住址，号召网友去“讨说法”。",
        "https://weibo.com/1234567890/demo",
        "",
        "waiting",
    ),
    (
        "livestream_disorder",
        "kuaishou",
        District.RUIAN,
        "主播以“原厂正品”名义低价卖假冒电器，评论区大量投诉被删。",
        "",
        "瑞安好物直播",
        "rejected",
    ),
    (
        "harm_to_minors",
        "bilibili",
        District.YUEQING,
        "视频诱导未成年人大额打赏，并私信索要照片。",
        "https://www.bilibili.com/video/BVdemo",
        "",
        "routed",
    ),
    (
        "personal_information",
        "other",
        "",
        "某网站售卖温州快递面单信息，含姓名电话地址。",
        "https://example.net/parcel-data",
        "",
        "triage",
    ),
    (
        "rumor",
        "wechat",
        District.LUCHENG,
        "同一条“鹿城区停水三天”的消息，家族群里又在转发。",
        "https://mp.weixin.qq.com/s/demo-water?from=groupmessage",
        "",
        "merged",
    ),
    (
        "pornography",
        "xiaohongshu",
        District.CANGNAN,
        "笔记评论区出现招嫖广告和二维码。",
        "",
        "苍南同城交友",
        "pending",
    ),
]


def _departments() -> dict[str, Department]:
    departments = {"office": services.office_department()}
    for district in District:
        departments[district.value], _ = Department.objects.get_or_create(
            name=f"{district.label}委网信办",
            defaults={"kind": DepartmentKind.DISTRICT_OFFICE, "district": district.value},
        )
    for key, name in SECTOR_DEPARTMENTS.items():
        departments[key], _ = Department.objects.get_or_create(
            name=name, defaults={"kind": DepartmentKind.SECTOR}
        )
    return departments


def _rules(departments: dict[str, Department]) -> None:
    for district in District:
        RoutingRule.objects.get_or_create(
            category="",
            platform="",
            district=district.value,
            is_active=True,
            defaults={"lead_department": departments[district.value], "working_days": 5},
        )
    for category, (lead, co_handlers, days) in CATEGORY_RULES.items():
        rule, created = RoutingRule.objects.get_or_create(
            category=category,
            platform="",
            district="",
            is_active=True,
            defaults={"lead_department": departments[lead], "working_days": days},
        )
        if created:
            rule.co_handlers.set([departments[key] for key in co_handlers])


def _memberships(departments: dict[str, Department]) -> None:
    users = get_user_model().objects
    for username, key in (("lucheng_handler", District.LUCHENG.value), ("office_admin", "office")):
        user = users.filter(username=username).first()
        if user is not None:
            departments[key].members.add(user)


@demo_seeder(order=10)
def seed_reports(say: Callable[[str], None]) -> None:
    """Departments, routing rules and one report in every state of the closed loop."""
    with transaction.atomic():
        departments = _departments()
        _rules(departments)
        _memberships(departments)
    if Report.objects.exists():
        say("Demo reports already exist.")
        return
    admin = get_user_model().objects.filter(username="office_admin").first()
    primary = None
    for category, platform, district, content, url, account, state in DEMO_REPORTS:
        with transaction.atomic():
            report = services.report_submit(
                data=services.ReportInput(
                    category=category,
                    platform=platform,
                    content=content,
                    url=url,
                    account=account,
                    district=district,
                    place_description="" if (url or account) else "微信群",
                )
            )
        if state != "pending":
            services.report_route(report_id=report.pk)
        _advance(report, state, admin, departments, primary)
        if primary is None:
            primary = report
    # Spread submission times over the past weeks so lists and deadlines look lived-in.
    for offset, report in enumerate(Report.objects.order_by("pk")):
        created = timezone.now() - timedelta(days=2 * (len(DEMO_REPORTS) - offset), hours=offset)
        Report.objects.filter(pk=report.pk).update(created_at=created)
    say(f"Created {len(DEMO_REPORTS)} demo reports in every state.")


def _advance(report: Report, state: str, admin, departments, primary) -> None:
    report.refresh_from_db()
    lead = report.lead_department
    handler = admin
    if state == "triage" or state in ("routed", "pending"):
        return
    if state == "merged":
        services.report_merge(report_id=report.pk, actor=admin, primary_id=primary.pk)
        return
    if state == "rejected":
        services.report_reject(
            report_id=report.pk,
            actor=handler,
            reason="other_channel",
            text="经核查属于商品质量纠纷，应由市场监管部门按消费投诉办理。",
            redirect_to="全国12315平台（12315.cn）",
        )
        return
    services.report_accept(report_id=report.pk, actor=handler)
    if state == "waiting":
        services.report_pause(
            report_id=report.pk,
            actor=handler,
            request_text="请补充该帖子的截图或发布时间，便于我们联系平台固定证据。",
        )
    elif state == "resolved":
        services.report_note(
            report_id=report.pk, actor=handler, text="已联系腾讯温州办事处，平台确认删除。"
        )
        services.report_resolve(
            report_id=report.pk,
            actor=handler,
            feedback=f"经{lead.name}核实：温州市区近期无停水计划，该消息系旧新闻改编，"
            "相关文章已由平台删除。请以“温州水务”官方发布为准。",
        )
