"""Demo data for the report desk: departments, rules, and reports in every state."""

from collections.abc import Callable
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from wenzhou_portal import aigc
from wenzhou_portal import images as evidence_files
from wenzhou_portal.api_tokens import api_token_create
from wenzhou_portal.citizen_auth import citizen_account_get_or_create
from wenzhou_portal.demo import demo_accounts_path, demo_seeder
from wenzhou_portal.districts import District
from wenzhou_portal.models import ApiToken
from wenzhou_portal.phone_verification import phone_hash
from wenzhou_portal.phones import mobile_masked
from wenzhou_portal.tags import tags_parse

from . import services
from .models import Department, DepartmentKind, Report, RoutingRule, WebhookEndpoint

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
        "routed",
    ),
    (
        "other",
        "tieba",
        "",
        "贴吧有人反复发帖，编造温州某公益组织挪用善款，并附上工作人员照片。",
        "https://tieba.baidu.com/p/demo",
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


DEMO_TOKEN_NAME = "鹿城区网信办 数治通案件系统"  # noqa: S105 - a display name, not a secret


@demo_seeder(order=11)
def seed_department_token(say: Callable[[str], None]) -> None:
    """A department token for the Lucheng office's case system; shown once, kept in var/."""
    office_admin = get_user_model().objects.filter(username="office_admin").first()
    lucheng = Department.objects.filter(district=District.LUCHENG.value).first()
    if office_admin is None or lucheng is None:
        return
    if ApiToken.objects.filter(name=DEMO_TOKEN_NAME, revoked_at__isnull=True).exists():
        say(f"The demo department token already exists; it is in {demo_accounts_path()}.")
        return
    _token, secret = api_token_create(
        actor=office_admin,
        name=DEMO_TOKEN_NAME,
        kind=ApiToken.Kind.DEPARTMENT,
        department_id=lucheng.pk,
        valid_days=365,
    )
    path = demo_accounts_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"api-token {secret} department:{lucheng.name}\n")
    path.chmod(0o600)
    say(f"Demo department token for {lucheng.name} (shown once, kept in {path}):")
    say(f"  Authorization: Bearer {secret}")


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
                ),
                # Routed here, in-process: the demo must not depend on a worker running
                # (with a broker configured, a queued task would route it only later).
                queue_routing=False,
            )
        if state != "pending":  # one report waits for the sweeper, as after an outage
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
    if state in ("triage", "routed", "pending"):
        return
    if state == "merged":
        services.report_merge(report_id=report.pk, actor=admin, primary_code=primary.tracking_code)
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


DEMO_DEBUNKS = [
    {
        "slug": "lucheng-water-cut-rumor",
        "title": "“鹿城区下周全面停水三天”系谣言",
        "claim": "微信群流传：鹿城区下周一起全面停水三天，请大家提前囤水。",
        "verdict": "false",
        "summary": "经温州水务核实，鹿城区近期没有任何计划停水安排。网传截图系2019年外地停水通知改编。",
        "body": "## 核实情况\n\n温州水务集团表示，鹿城区供水正常，**没有**全面停水计划。\n\n"
        "如遇计划停水，将提前 24 小时通过“温州水务”官方渠道公告。\n\n"
        "## 提醒\n\n请勿转发未经核实的信息。",
        "authority": District.LUCHENG.value,
        "districts": [District.LUCHENG.value],
        "categories": ["rumor"],
        "tags": "民生,供水",
        "keywords": "停水,鹿城区停水,全面停水",
        "appearances": [("wechat", "https://mp.weixin.qq.com/s/demo-water", "")],
        "sources": [("温州水务集团官方公告", "https://example.org/wenzhou-water/notice")],
        "days_ago": 20,
        "link_contents": [
            "家族群有人转发鹿城区下周全面停水三天的消息，还说要囤水。",
            "小区业主群说鹿城区全面停水三天，大家都在抢购桶装水。",
            "微信群里说鹿城下周停水三天，让大家提前囤水，是真的吗？",
        ],
    },
    {
        "slug": "school-food-poisoning-rumor",
        "title": "网传“某小学发生食物中毒多名学生住院”不实",
        "claim": "抖音视频称温州某小学发生集体食物中毒，多名学生住院。",
        "verdict": "inaccurate",
        "summary": "经市教育局会同卫健部门核查，涉事学校仅有 2 名学生因肠胃不适就医，当日已返校，不存在集体食物中毒。",
        "body": "市教育局已责成学校加强食堂管理，并向家长通报情况。",
        "authority": "education",
        "districts": [District.LUCHENG.value],
        "categories": ["rumor"],
        "tags": "校园,食品安全",
        "keywords": "食物中毒,小学",
        "appearances": [
            ("douyin", "https://www.douyin.com/video/7300000000000000001", "温州身边事")
        ],
        "sources": [("市教育局情况通报", "https://example.org/wenzhou-edu/notice")],
        "days_ago": 9,
        "link_contents": [],
    },
    {
        "slug": "ebike-ban-rumor",
        "title": "“温州将全面禁行电动自行车”系谣言",
        "claim": "网传温州市区明年起全面禁止电动自行车上路。",
        "verdict": "false",
        "summary": "市公安局交警支队表示，从未发布此类规定。电动自行车依法登记上牌即可正常通行。",
        "body": "",
        "authority": "police",
        "districts": [],
        "categories": ["rumor"],
        "tags": "交通",
        "keywords": "电动自行车,禁行,禁摩",
        "appearances": [("weibo", "", "温州交通早知道")],
        "sources": [],
        "days_ago": 40,
        "link_contents": [],
    },
    {
        "slug": "fake-customer-service-refund-fraud",
        "title": "警惕！“客服退款”电信诈骗属实",
        "claim": "有人冒充电商客服，以“退运费”“理赔”为由索要银行卡验证码。",
        "verdict": "true",
        "summary": "市公安局网安支队提示：此类诈骗确实存在且多发。正规客服不会索要验证码，遇到请立即挂断并拨打 96110 咨询。",
        "body": "- 不点击陌生链接\n- 不透露验证码\n- 不向“安全账户”转账",
        "authority": "police",
        "districts": [],
        "categories": ["fraud"],
        "tags": "反诈",
        "keywords": "客服退款,退运费,验证码",
        "appearances": [],
        "sources": [("国家反诈中心提示", "https://example.org/anti-fraud")],
        "days_ago": 3,
        "link_contents": [],
    },
]


@demo_seeder(order=20)
def seed_debunks(say: Callable[[str], None]) -> None:
    """Published debunks, one of them closing three linked reports, and one draft."""
    from .models import Debunk, DebunkAppearance, DebunkSource

    if Debunk.objects.exists():
        say("Demo debunks already exist.")
        return
    admin = get_user_model().objects.filter(username="office_admin").first()
    if admin is None:
        say("No office_admin account; skipping demo debunks.")
        return
    departments = _departments()
    for spec in DEMO_DEBUNKS:
        debunk = Debunk.objects.create(
            slug=spec["slug"],
            title=spec["title"],
            claim=spec["claim"],
            verdict=spec["verdict"],
            summary=spec["summary"],
            body=spec["body"],
            authority=departments[spec["authority"]],
            keywords=spec["keywords"],
            created_by=admin,
        )
        services.debunk_codes_set(
            debunk=debunk,
            districts=spec["districts"],
            categories=spec["categories"],
            tags=tags_parse(spec["tags"]),
        )
        for platform, url, account in spec["appearances"]:
            DebunkAppearance.objects.create(
                debunk=debunk, platform=platform, url=url, account=account
            )
        for title, url in spec["sources"]:
            DebunkSource.objects.create(debunk=debunk, title=title, url=url)
        for content in spec["link_contents"]:
            report = services.report_submit(
                data=services.ReportInput(
                    category="rumor",
                    platform="wechat",
                    content=content,
                    place_description="微信群",
                    district=District.LUCHENG,
                )
            )
            services.report_route(report_id=report.pk)
            services.report_link_debunk(report_id=report.pk, actor=admin, debunk_id=debunk.pk)
        services.debunk_publish(debunk_id=debunk.pk, actor=admin)
        services.debunk_close_linked_reports(debunk_id=debunk.pk)
        published = timezone.now() - timedelta(days=spec["days_ago"])
        Debunk.objects.filter(pk=debunk.pk).update(published_at=published)
    Debunk.objects.create(
        slug="draft-gas-price-rumor",
        title="（草稿）网传“燃气费下月上涨一倍”",
        claim="朋友圈称温州燃气费下月起上涨一倍。",
        verdict="unverified",
        summary="正在向市发展改革委核实。",
        authority=departments["office"],
        created_by=admin,
    )
    say(f"Created {len(DEMO_DEBUNKS)} published demo debunks and one draft.")


HISTORY_TEXTS = {
    "rumor": [
        "群里流传本地学校停课的消息，未见官方通知。",
        "网传某路段发生重大事故多人遇难，配图是外地旧照。",
    ],
    "fraud": ["短视频评论区有人冒充客服要求加微信退款。", "网络兼职刷单广告，要求先垫付押金。"],
    "pornography": ["直播间出现低俗表演和擦边内容。"],
    "cyberbullying": ["有人发帖曝光他人住址电话并组织辱骂。"],
    "livestream_disorder": ["主播虚假宣传“原厂正品”低价带货。"],
    "personal_information": ["网店售卖快递面单和手机号。"],
    "harm_to_minors": ["游戏群诱导未成年人充值打赏。"],
}
# Per district: how reliably and how fast reports get closed, and how busy it is; this
# spread gives the demo index something to rank.
DISTRICT_PROFILES = {
    "330302": (0.95, 3, 40),
    "330303": (0.90, 4, 22),
    "330304": (0.92, 4, 28),
    "330305": (0.80, 7, 6),
    "330324": (0.85, 5, 18),
    "330326": (0.88, 5, 18),
    "330327": (0.82, 6, 17),
    "330328": (0.75, 8, 6),
    "330329": (0.78, 7, 5),
    "330381": (0.93, 3, 32),
    "330382": (0.91, 4, 30),
    "330383": (0.86, 5, 10),
}


@demo_seeder(order=15)
def seed_report_history(say: Callable[[str], None]) -> None:
    """A year of archived reports per district, so the index has a history to compute."""
    import random
    import uuid

    from .models import EventKind, ReportEvent, Status

    cutoff = timezone.now() - timedelta(days=40)
    if Report.objects.filter(created_at__lt=cutoff).count() > 100:
        say("Demo report history already exists.")
        return
    rng = random.Random(2026)
    departments = _departments()
    calendar_free_now = timezone.now()
    reports, outcomes = [], []
    for district, (reliability, speed, volume) in DISTRICT_PROFILES.items():
        for months_ago in range(1, 13):
            for _n in range(max(1, int(rng.gauss(volume, volume * 0.2)))):
                created = calendar_free_now - timedelta(days=30 * months_ago + rng.uniform(0, 29))
                category = rng.choice(list(HISTORY_TEXTS))
                closed = rng.random() < reliability
                days = max(1, int(rng.gauss(speed, 1.5)))
                due = created + timedelta(days=7)
                closed_at = created + timedelta(days=days * 1.4) if closed else None
                status = Status.IN_PROGRESS
                if closed:
                    status = Status.REJECTED if rng.random() < 0.1 else Status.RESOLVED
                reports.append(
                    Report(
                        tracking_code=services.tracking_code_generate(),
                        public_id=uuid.uuid4(),
                        category=category,
                        platform=rng.choice(
                            ["douyin", "wechat", "weibo", "kuaishou", "xiaohongshu"]
                        ),
                        place_description="（历史档案）",
                        content=rng.choice(HISTORY_TEXTS[category]),
                        district=district,
                        status=status,
                        rejection_reason="not_harmful" if status == Status.REJECTED else "",
                        routing_state="done",
                        lead_department=departments[district],
                        routed_at=created,
                        due_at=due,
                        first_response_at=created + timedelta(days=1),
                        working_days_to_first_response=1,
                        closed_at=closed_at,
                        working_days_to_close=days if closed else None,
                        public_feedback="已核查处置。" if closed else "",
                        rating=rng.choice(["satisfied"] * 6 + ["fairly"] * 3 + ["unsatisfied"])
                        if status == Status.RESOLVED and rng.random() < 0.4
                        else "",
                    )
                )
                outcomes.append(created)
    with transaction.atomic():
        created_reports = Report.objects.bulk_create(reports, batch_size=500)
        # created_at is auto_now_add: set the archive dates afterwards, in bulk.
        for report, created in zip(created_reports, outcomes, strict=True):
            report.created_at = created
        Report.objects.bulk_update(created_reports, ["created_at"], batch_size=500)
        events = []
        for report in created_reports:
            events.append(
                ReportEvent(
                    report=report,
                    kind=EventKind.SUBMITTED,
                    to_status=Status.RECEIVED,
                    public_text="（历史档案导入）",
                    created_at=report.created_at,
                )
            )
            if report.closed_at:
                events.append(
                    ReportEvent(
                        report=report,
                        kind=EventKind.RESOLVED,
                        to_status=report.status,
                        department=report.lead_department,
                        public_text="已核查处置。",
                        created_at=report.closed_at,
                    )
                )
        ReportEvent.objects.bulk_create(events, batch_size=1000)
    say(f"Created {len(created_reports)} archived reports over the past 12 months.")


DEMO_CLUSTER_URL = "https://www.douyin.com/video/7300000000000000777"
DEMO_CLUSTER_CONTENTS = [
    "抖音视频说龙湾机场明天起全部航班取消，好多人在转。",
    "刷到一个视频，说龙湾机场航班全部取消了，是真的吗？",
    "家族群转发抖音：温州龙湾机场明起停航，请核实。",
    "有人说龙湾机场全部航班取消，配的是外地机场的画面。",
    "抖音上“龙湾机场停航”的视频，评论区已经吵起来了。",
]


@demo_seeder(order=25)
def seed_citizen_loop(say: Callable[[str], None]) -> None:
    """The citizen's loop in the demo: a cluster of five, a second look in progress, an
    AI-made rumor with a labelled image (the waiting-for-answer report is seeded above)."""
    if Report.objects.filter(url=DEMO_CLUSTER_URL).exists():
        say("Citizen-loop demo reports already exist.")
        return
    admin = get_user_model().objects.filter(username="office_admin").first()

    def file(content: str, *, url: str, category: str = "rumor", images=()) -> Report:
        report = services.report_submit(
            data=services.ReportInput(
                category=category,
                platform="douyin",
                content=content,
                url=url,
                district=District.LONGWAN,
            ),
            images=images,
            queue_routing=False,
        )
        services.report_route(report_id=report.pk)
        report.refresh_from_db()
        return report

    # Five reports of one video: the four later ones are linked to the first, automatically.
    cluster = [file(content, url=DEMO_CLUSTER_URL) for content in DEMO_CLUSTER_CONTENTS]
    linked = Report.objects.filter(duplicate_of=cluster[0]).count()

    # A second look in progress: answered, rated unsatisfied, review asked for.
    reviewed = file(
        "微博有人说瓯海区某小区垃圾站爆炸，配了浓烟照片。", url="https://weibo.com/1/demo-review"
    )
    services.report_accept(report_id=reviewed.pk, actor=admin)
    services.report_resolve(
        report_id=reviewed.pk,
        actor=admin,
        feedback="经核实，该照片为外地旧闻，相关微博已由平台标注。",
    )
    services.report_rate(report=reviewed, rating="unsatisfied", comment="微博还在，只是加了标注。")
    services.report_review_request(
        tracking_code=reviewed.tracking_code,
        reason="原微博没有删除，仍在传播，希望再核查并处理。",
    )

    # An AI-made rumor whose screenshot's metadata carries a GB 45438 label.
    picture = evidence_files.validate_evidence_image(
        SimpleUploadedFile("ai.png", aigc.labelled_png(), content_type="image/png")
    )
    file(
        "视频号有AI合成的“洞头海上风电场倒塌”画面，没有标注AI生成。",
        url="https://channels.weixin.qq.com/demo-ai",
        category="ai_rumor",
        images=[picture],
    )
    say(
        f"Citizen loop: a cluster of {linked + 1}, a second look in progress, "
        "an AI-made rumor with a labelled image."
    )


# Demo numbers from the range the MIIT keeps for examples are not allowed by the phone
# parser's validity check, so these are ordinary-looking numbers that the demo's logging
# SMS backend never sends anywhere: the sign-in code appears in the server's console.
DEMO_CITIZEN_NUMBER = "13957700001"
DEMO_OBSERVER_NUMBER = "13957700002"
DEMO_CITIZEN_REPORTS = [
    (
        "rumor",
        "wechat",
        District.OUHAI,
        "朋友圈传“瓯海区明天起所有中小学停课一周”，没有看到教育局通知。",
        "https://mp.weixin.qq.com/s/demo-school-closure",
    ),
    (
        "fraud",
        "douyin",
        District.RUIAN,
        "抖音直播间自称“温州市医保局”，让老人扫码领取医保补贴，要求填写银行卡号。",
        "https://live.douyin.com/demo-medical-subsidy",
    ),
    (
        "cyberbullying",
        "weibo",
        District.LUCHENG,
        "微博上有人把一位外卖员的照片和手机号挂出来辱骂，转发已上千。",
        "https://weibo.com/1/demo-doxxing",
    ),
]
DEMO_WEBHOOK_NAME = "鹿城区数治通案件系统（演示地址）"
# A reserved example domain: it never resolves, so the demo's deliveries show the retry
# path in the delivery log. Point the endpoint at a real receiver to see them arrive.
DEMO_WEBHOOK_URL = "https://cases.lucheng.example/qinglang/webhook"


@demo_seeder(order=26)
def seed_citizens(say: Callable[[str], None]) -> None:
    """A signed-in citizen with three reports and a citizen observer with one."""
    citizen = citizen_account_get_or_create(
        phone_hash=phone_hash(DEMO_CITIZEN_NUMBER), masked=mobile_masked(DEMO_CITIZEN_NUMBER)
    )
    observer = citizen_account_get_or_create(
        phone_hash=phone_hash(DEMO_OBSERVER_NUMBER), masked=mobile_masked(DEMO_OBSERVER_NUMBER)
    )
    if not observer.is_citizen_observer:
        observer.is_citizen_observer = True
        observer.save(update_fields=["is_citizen_observer"])
    if Report.objects.filter(reporter__in=[citizen, observer]).exists():
        say("Demo citizens already exist.")
        return
    for category, platform, district, content, url in DEMO_CITIZEN_REPORTS:
        report = services.report_submit(
            data=services.ReportInput(
                category=category, platform=platform, content=content, url=url, district=district
            ),
            reporter=citizen,
            queue_routing=False,
        )
        services.report_route(report_id=report.pk)
    report = services.report_submit(
        data=services.ReportInput(
            category="rumor",
            platform="kuaishou",
            content="快手视频称洞头区海边发现不明生物尸体会传染疾病，画面是多年前的外地新闻。",
            url="https://www.kuaishou.com/short-video/demo-observer",
            district=District.DONGTOU,
        ),
        reporter=observer,
        queue_routing=False,
    )
    services.report_route(report_id=report.pk)
    path = demo_accounts_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"citizen {DEMO_CITIZEN_NUMBER} three reports\n")
        handle.write(f"citizen-observer {DEMO_OBSERVER_NUMBER} 市民网络观察团\n")
    path.chmod(0o600)
    say(
        f"Demo citizens: {DEMO_CITIZEN_NUMBER} (three reports) and {DEMO_OBSERVER_NUMBER} "
        "(an observer); sign in at /account/sign-in/, the code is printed in the console."
    )


@demo_seeder(order=12)
def seed_webhook_endpoint(say: Callable[[str], None]) -> None:
    """A webhook endpoint for the Lucheng office's case system (an unreachable demo address)."""
    lucheng = Department.objects.filter(district=District.LUCHENG.value).first()
    if lucheng is None:
        return
    _endpoint, created = WebhookEndpoint.objects.get_or_create(
        name=DEMO_WEBHOOK_NAME,
        defaults={
            "department": lucheng,
            "url": DEMO_WEBHOOK_URL,
            "secret": services.webhook_secret_generate(),
        },
    )
    if created:
        say(
            f"Demo webhook endpoint for {lucheng.name}: {DEMO_WEBHOOK_URL} (unreachable by design)."
        )
