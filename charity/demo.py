"""Demo charity register: verified, suspended, overdue and pending organisations (made up,
with codes whose check characters are right), the pact in two versions, and projects in
every status with their disclosures, all dated relative to today.

And the money, by both paths and through the real services: a platform project whose
donation list was imported twice (the first file short of the platform's total, the second
reconciling it), an own-channel project whose gifts were paid at the simulated gateway and
entered from its signed notifications, one gift cancelled within 10 minutes and refunded,
donor messages shown and hidden, disbursements recorded by one reviewer and approved or
refused by a second, one still waiting, and a ledger proof that finds nothing wrong.
"""

import secrets
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from wenzhou_portal.demo import demo_accounts_path, demo_seeder
from wenzhou_portal.roles import Role

from . import credit_codes, deadlines, payments, services
from .models import (
    PUBLIC_PROJECT_STATUSES,
    Donation,
    DonationChannel,
    NoticeOutcome,
    Organisation,
    PactSignature,
    PactVersion,
    PlatformImport,
    Project,
    ProjectStatus,
    SimulatedGatewayOrder,
)
from .payments.simulated import SimulatedGateway

PACT_V1 = """## 第一条 诚信募捐
只在民政部指定的互联网公开募捐信息平台上公开募捐，募捐方案先在“慈善中国”备案。

## 第二条 专款专用
善款按募捐方案使用；确需变更用途的，先报批准并公开说明。

## 第三条 按时公开
按《慈善法》按时公开募捐、执行和使用情况，接受社会监督。
"""
PACT_V2 = (
    PACT_V1
    + """
## 第四条 剩余善款
项目创建时写明剩余善款的处理方式，结束后 3 个月内公开剩余财产的处理情况。

## 第五条 不得诱导
不以夸大、悲情渲染或“转发解锁”等方式诱导捐赠。
"""
)

# (number, name, district, status, qualified, signed versions, reason)
ORGANISATIONS = [
    (1, "温州市乐善公益基金会（演示）", "330302", "verified", True, (1, 2), ""),
    (2, "鹿城区夕阳红助老服务中心（演示）", "330302", "verified", False, (2,), ""),
    (3, "瑞安市春苗助学促进会（演示）", "330381", "verified", True, (1,), ""),
    (
        4,
        "乐清市海风应急救援队（演示）",
        "330382",
        "suspended",
        False,
        (1,),
        "2026 年 9 月募捐中夸大受灾情况，经核实后暂停，整改完成前不得开设新项目。",
    ),
    (5, "龙湾区邻里互助社（演示）", "330303", "applied", False, (2,), ""),
    (
        6,
        "温州某某爱心协会（演示）",
        "330304",
        "rejected",
        False,
        (),
        "统一社会信用代码对应的登记证书已被注销。",
    ),
]

PDF_DOCUMENT = b"""%PDF-1.4
1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj
2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj
3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 144]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj
4 0 obj<</Length 44>>stream
BT /F1 18 Tf 20 70 Td (Demo disclosure) Tj ET
endstream endobj
5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj
trailer<</Root 1 0 R>>
%%EOF
"""


def demo_code(number: int) -> str:
    first = f"5233030{number:010d}"[:17]
    return first + credit_codes.check_character(first)


def platform_page(starts: date) -> str:
    """A made-up page on a designated platform (example.com: it leads nowhere real)."""
    return f"https://gongyi.example.com/projects/wenzhou-{starts:%Y%m%d}"


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


@demo_seeder(order=35)
def seed_charity(say: Callable[[str], None]) -> None:
    if Organisation.objects.exists():
        say("Demo charity register already exists.")
        return
    today = timezone.localdate()
    reviewer = get_user_model().objects.filter(username="charity_reviewer").first()
    v1 = PactVersion.objects.create(
        number=1, text=PACT_V1, published_at=_moment(today - timedelta(days=700))
    )
    v2 = PactVersion.objects.create(
        number=2, text=PACT_V2, published_at=_moment(today - timedelta(days=60))
    )
    versions = {1: v1, 2: v2}
    verified_on = today - timedelta(days=500)
    orgs = {}
    for number, name, district, status, qualified, signed, reason in ORGANISATIONS:
        org = Organisation.objects.create(
            name=name,
            credit_code=demo_code(number),
            registering_authority="温州市民政局" if number in (1, 3) else "所在县（市、区）民政局",
            district=district,
            summary="演示数据：组织名称和代码都是虚构的。",
            contact_name="联系人",
            contact_phone="0577-88880000",
            fundraising_certificate=f"浙民募字（2024）{number:03d}号" if qualified else "",
            fundraising_valid_from=today - timedelta(days=600) if qualified else None,
            fundraising_valid_until=today + timedelta(days=800) if qualified else None,
            status=status,
            status_reason=reason,
            status_changed_at=_moment(today - timedelta(days=30)) if reason else None,
            status_changed_by=reviewer if reason else None,
            verified_at=_moment(verified_on) if status in ("verified", "suspended") else None,
            verified_by=reviewer if status in ("verified", "suspended") else None,
        )
        for version in signed:
            PactSignature.objects.create(
                organisation=org,
                version=versions[version],
                signer_name="陈明",
                signer_title="理事长",
                signed_at=versions[version].published_at + timedelta(days=3),
            )
        orgs[number] = org

    def project(org, status, title, starts, ends, **extra) -> Project:
        fields = {
            "summary": extra.pop("summary", f"{title}。"),
            "body": "## 项目内容\n\n演示数据。\n\n## 预算\n\n物资 70%，执行 25%，管理 5%。",
            "district": org.district,
            "cause": "elderly",
            "beneficiaries": "演示受益对象",
            "target_fen": 10_000_000,
            "filing_number": f"5233030{org.pk:02d}{starts:%Y%m%d}",
            "filed_on": starts - timedelta(days=14),
            "donation_platform": "腾讯公益",
            "donation_url": platform_page(starts),
            "surplus_rule": "return",
            **extra,
        }
        published = status not in (ProjectStatus.DRAFT, ProjectStatus.IN_REVIEW)
        return Project.objects.create(
            organisation=org,
            title=title,
            status=status,
            starts_on=starts,
            ends_on=ends,
            published_at=_moment(starts - timedelta(days=1)) if published else None,
            reviewed_at=_moment(starts - timedelta(days=1)) if published else None,
            reviewed_by=reviewer if published else None,
            **fields,
        )

    def disclose(org, project_row, kind, on: date, title: str, year=None) -> None:
        services.disclosure_publish(
            organisation_id=org.pk,
            project_id=project_row.pk if project_row else None,
            kind=kind,
            year=year,
            title=title,
            summary="演示数据：本期募得善款、支出明细和受益情况见文件。",
            document_date=on,
            upload=SimpleUploadedFile("demo.pdf", PDF_DOCUMENT, content_type="application/pdf"),
            actor=reviewer,
            published_at=_moment(on),
        )

    lesan, xiyang, chunmiao, haifeng = orgs[1], orgs[2], orgs[3], orgs[4]
    # A long project raising now: periodic disclosures, each on time so far.
    long_start = today - timedelta(days=200)
    meals = project(
        lesan,
        ProjectStatus.FUNDRAISING,
        "山区留守老人“暖心食堂”",
        long_start,
        today + timedelta(days=170),
        district="330328",
        summary="为文成县山区 300 名留守老人每天提供一顿热饭。",
        beneficiaries="文成县 300 名 70 岁以上留守老人",
        target_fen=50_000_000,
        # The foundation is qualified and takes gifts on its own merchant account.
        donation_channel="own",
        donation_url="",
        payment_provider="simulated",
        surplus_rule="fund",
        surplus_fund="温州市乐善公益基金会助老专项基金",
    )
    number = 1
    while (due := deadlines.add_months(long_start, 3 * number)) < today:
        disclose(lesan, meals, "periodic", due - timedelta(days=5), f"第 {number} 季度执行情况")
        number += 1
    # A project raising now through a qualified partner.
    project(
        xiyang,
        ProjectStatus.FUNDRAISING,
        "独居老人智能手机课堂",
        today - timedelta(days=20),
        today + timedelta(days=70),
        partner=lesan,
        cause="community",
        summary="教鹿城区独居老人用手机挂号、视频通话和识别诈骗电话。",
        beneficiaries="鹿城区 500 名独居老人",
        target_fen=3_000_000,
    )
    # Closed: final and leftover published.
    done_end = today - timedelta(days=150)
    closed = project(
        lesan,
        ProjectStatus.CLOSED,
        "台风“梅花”受灾家庭救助",
        done_end - timedelta(days=60),
        done_end,
        district="330305",
        cause="disaster",
        summary="为洞头区台风受灾家庭发放生活物资。",
        target_fen=20_000_000,
    )
    disclose(
        lesan, closed, "final", done_end + timedelta(days=40), "结项报告：募捐、执行和使用情况"
    )
    disclose(lesan, closed, "leftover", done_end + timedelta(days=45), "剩余财产处理情况说明")
    # In review and draft.
    project(
        lesan,
        ProjectStatus.IN_REVIEW,
        "困境儿童助学金",
        today + timedelta(days=15),
        today + timedelta(days=120),
        cause="education",
    )
    project(
        xiyang,
        ProjectStatus.DRAFT,
        "社区助浴服务",
        today + timedelta(days=30),
        today + timedelta(days=100),
        partner=lesan,
    )
    # Overdue: ended four months ago, nothing disclosed since.
    late_end = today - timedelta(days=125)
    project(
        chunmiao,
        ProjectStatus.COMPLETED,
        "瑞安山区小学图书角",
        late_end - timedelta(days=90),
        late_end,
        district="330381",
        cause="education",
        summary="为瑞安市山区 20 所小学建设图书角。",
        target_fen=8_000_000,
    )
    # The suspended organisation's project stays visible.
    project(
        haifeng,
        ProjectStatus.COMPLETED,
        "乐清沿海防汛物资",
        today - timedelta(days=80),
        today - timedelta(days=20),
        is_public_fundraising=False,
        filing_number="",
        cause="disaster",
        summary="为乐清沿海村居准备防汛物资（定向募捐）。",
    )
    # Annual reports: on time for the foundations; the suspended team never filed one.
    for org in (lesan, xiyang, chunmiao):
        for year in range(verified_on.year, today.year):
            if (on := date(year + 1, 5, 20)) <= today:
                disclose(org, None, "annual_report", on, f"{year} 年度工作报告", year)
    say(
        f"Demo charity register: {Organisation.objects.count()} organisations, "
        f"{Project.objects.count()} projects."
    )


# --- A second reviewer: whoever records a disbursement cannot approve it ----------------------

SECOND_REVIEWER = ("charity_reviewer2", "李娜")


@demo_seeder(order=36)
def seed_second_charity_reviewer(say: Callable[[str], None]) -> None:
    """A second charity reviewer; password shown once, kept in var/ as the other staff's are."""
    username, full_name = SECOND_REVIEWER
    path = demo_accounts_path()
    known = path.read_text(encoding="utf-8") if path.exists() else ""
    user = get_user_model().objects.filter(username=username).first()
    if user is not None and f"{username} " in known:
        say(f"The second demo charity reviewer already exists; the password is in {path}.")
        return
    password = secrets.token_urlsafe(12)
    if user is None:
        user = get_user_model()(username=username, email=f"{username}@example.org")
    user.first_name = full_name
    user.is_staff = True
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=Role.CHARITY_REVIEWER.value))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"{username} {password} {Role.CHARITY_REVIEWER.value}\n")
    path.chmod(0o600)
    say(f"Second demo charity reviewer (shown once, kept in {path}):")
    say(f"  {username} {password} {Role.CHARITY_REVIEWER.value}")


# --- The money ---------------------------------------------------------------------------------

OWN_CHANNEL_TITLE = "山区留守老人“暖心食堂”"
PLATFORM_TITLE = "独居老人智能手机课堂"

# The platform's donation list: (row id, days ago, yuan, donor, donor id, message, shown).
# The organisation's export lacks the last row; the platform's own disclosure has it.
PLATFORM_ROWS = [
    ("TX2026000101", 18, "500", "陈先生", "u1001", "愿老人们早日学会视频通话", True),
    ("TX2026000102", 15, "100", "", "u1002", "", False),
    ("TX2026000103", 12, "2000", "鹿城区某科技公司（演示）", "u1003", "支持社区数字助老", True),
    ("TX2026000104", 9, "50", "小林", "u1004", "加油！", None),  # left for moderation
    ("TX2026000105", 6, "300", "", "", "", False),
    ("TX2026000106", 3, "200", "王阿姨", "u1006", "我也在课堂上学会了挂号", True),
]

# Own-channel gifts: (days ago, amount, donor, message, contact, message shown).
OWN_GIFTS = [
    (40, "200", "周阿姨", "给老人们加个菜", "", True),
    (33, "1000", "温州某商会（演示）", "", "office@shanghui.example.org", None),
    (25, "50", "", "", "", None),
    (18, "500", "林先生", "希望食堂一直办下去", "", True),
    (11, "88.80", "", "扫码进群领红包 wx:demo888", "13957700031", False),  # an advert: hidden
    (4, "300", "陈老师", "和学生们一起捐的", "", True),
]


def _csv(rows) -> SimpleUploadedFile:
    now = timezone.localtime()
    lines = ["流水号,捐赠时间,金额（元）,捐赠人,捐赠人编号,留言"]
    for row_id, days, amount, donor, donor_id, message, _shown in rows:
        paid = (now - timedelta(days=days)).replace(hour=9, minute=30, second=0, microsecond=0)
        lines.append(f"{row_id},{paid:%Y-%m-%d %H:%M:%S},{amount},{donor},{donor_id},{message}")
    return SimpleUploadedFile("donations.csv", ("\n".join(lines) + "\n").encode())


def _evidence(label: str) -> SimpleUploadedFile:
    # Each document's own bytes, so only a deliberately reused file is flagged as reused.
    body = PDF_DOCUMENT.replace(b"Demo disclosure", label.encode())
    return SimpleUploadedFile("evidence.pdf", body, content_type="application/pdf")


def _own_gift(
    project: Project, days_ago: int | None, amount: str, donor: str, message: str, contact: str
) -> Donation:
    """A donor confirms, pays at the simulated gateway, and its signed notification enters it."""
    draft = services.donation_draft_check(
        project=project,
        amount=amount,
        donor_name=donor,
        anonymous=not donor,
        message=message,
        contact=contact,
    )
    donation, _pay_url = services.donation_start(
        draft=draft, return_url_for=lambda ref: reverse("charity:receipt", args=[ref])
    )
    gateway = SimulatedGateway()
    gateway.pay(donation.reference)
    if days_ago is not None:
        # Paid weeks ago, as the gateway's books say; the notification carries that time.
        paid_at = timezone.now() - timedelta(days=days_ago, hours=2)
        SimulatedGatewayOrder.objects.filter(reference=donation.reference).update(paid_at=paid_at)
        Donation.objects.filter(pk=donation.pk).update(
            created_at=paid_at - timedelta(minutes=2), expires_at=paid_at + timedelta(minutes=13)
        )
    headers, body = gateway.notice(donation.reference)
    outcome = services.donation_notice_receive(
        provider_code=gateway.code, headers=headers, body=body
    )
    if outcome != NoticeOutcome.APPLIED:
        raise RuntimeError(f"demo gift {donation.reference} was not entered: {outcome}")
    donation.refresh_from_db()
    return donation


def _moderate(donation: Donation, shown: bool | None, reviewer) -> None:
    if donation.message and shown is not None:
        services.donation_message_moderate(donation_id=donation.pk, show=shown, actor=reviewer)


def _disburse(project, *, amount_fen, days_ago, purpose, payee, evidence, recorder):
    return services.disbursement_record(
        data=services.DisbursementInput(
            project_id=project.pk,
            amount_fen=amount_fen,
            paid_on=timezone.localdate() - timedelta(days=days_ago),
            purpose=purpose,
            payee=payee,
            evidence=_evidence(evidence),
            public_copy=_evidence(evidence + " (redacted)"),
        ),
        actor=recorder,
    )


@demo_seeder(order=37)
def seed_charity_money(say: Callable[[str], None]) -> None:
    """Donations by both paths, a refund, disbursements decided by four eyes, a clean proof."""
    users = get_user_model().objects
    recorder = users.filter(username="charity_reviewer").first()
    approver = users.filter(username=SECOND_REVIEWER[0]).first()
    own = Project.objects.filter(title=OWN_CHANNEL_TITLE).first()
    platform = Project.objects.filter(title=PLATFORM_TITLE).first()
    if None in (recorder, approver, own, platform):
        say("Demo charity money skipped: the register or its reviewers are missing.")
        return
    if Donation.objects.filter(project__in=[own, platform]).exists():
        say("Demo charity money already exists.")
        return
    if not payments.provider_available(SimulatedGateway.code):
        say("Demo charity money skipped: the simulated gateway is not enabled here.")
        return
    # A register seeded before the money existed: say where each project takes donations.
    Project.objects.filter(pk=own.pk).update(
        donation_channel=DonationChannel.OWN,
        donation_url="",
        payment_provider=SimulatedGateway.code,
    )
    for stale in Project.objects.filter(
        donation_channel=DonationChannel.PLATFORM,
        donation_url="",
        status__in=PUBLIC_PROJECT_STATUSES,
    ):
        Project.objects.filter(pk=stale.pk).update(donation_url=platform_page(stale.starts_on))
    own.refresh_from_db()

    # The platform path: the organisation's export, short of the platform's stated total,
    # then the platform's own disclosure file, which overlaps it and reconciles.
    stated = sum(services.amount_parse(row[2]) for row in PLATFORM_ROWS)
    for rows, source in (
        (PLATFORM_ROWS[:-1], PlatformImport.Source.ORGANISATION_EXPORT),
        (PLATFORM_ROWS, PlatformImport.Source.PLATFORM_DISCLOSURE),
    ):
        services.platform_import(
            project_id=platform.pk,
            upload=_csv(rows),
            source=source,
            stated_total_fen=stated,
            actor=recorder,
        )
    for row_id, *_rest, shown in PLATFORM_ROWS:
        _moderate(Donation.objects.get(project=platform, platform_row_id=row_id), shown, approver)

    # The own channel: each gift paid at the gateway and entered from its notification.
    for days_ago, amount, donor, message, contact, shown in OWN_GIFTS:
        _moderate(_own_gift(own, days_ago, amount, donor, message, contact), shown, approver)
    # A donor who changes their mind within 10 minutes is refunded in full.
    regret = _own_gift(own, None, "100", "张先生", "", "")
    services.donation_cancel(reference=regret.reference)

    # Disbursements: 张伟 records, 李娜 decides (and the other way round).
    for project, amount_fen, days_ago, purpose, payee, evidence, who in (
        (
            own,
            80_000,
            30,
            "食材采购（大米、食用油、蔬菜）",
            "文成县放心粮油店（演示）",
            "Demo invoice 1",
            (recorder, approver),
        ),
        (
            own,
            60_000,
            12,
            "送餐电动车维修和充电",
            "文成县某电动车维修部（演示）",
            "Demo invoice 2",
            (recorder, approver),
        ),
        (
            platform,
            150_000,
            2,
            "课堂教材印制和讲师交通补贴",
            "温州某印务有限公司（演示）",
            "Demo invoice 3",
            (approver, recorder),
        ),
    ):
        recorded = _disburse(
            project,
            amount_fen=amount_fen,
            days_ago=days_ago,
            purpose=purpose,
            payee=payee,
            evidence=evidence,
            recorder=who[0],
        )
        services.disbursement_approve(disbursement_id=recorded.pk, actor=who[1])
    # The same invoice again, flagged as reused, and refused with the reason.
    reused = _disburse(
        own,
        amount_fen=45_000,
        days_ago=1,
        purpose="食材采购",
        payee="文成县放心粮油店（演示）",
        evidence="Demo invoice 1",
        recorder=recorder,
    )
    services.disbursement_refuse(
        disbursement_id=reused.pk,
        actor=approver,
        reason="这张发票已用于此前的食材采购支出，请核实后重新登记。",
    )
    # One waits for the second reviewer: sign in as 李娜 to approve it.
    _disburse(
        own,
        amount_fen=15_000,
        days_ago=0,
        purpose="食堂燃气费",
        payee="文成县燃气公司（演示）",
        evidence="Demo invoice 4",
        recorder=recorder,
    )

    problems = services.ledger_problems([own.pk, platform.pk])
    if problems:
        raise RuntimeError(f"the demo ledger does not reconcile: {problems}")
    services.ledger_prove()
    say(
        f"Demo charity money: {Donation.objects.filter(project__in=[own, platform]).count()} "
        "donations by both channels, one refunded, disbursements approved, refused and waiting; "
        "the ledger reconciles."
    )
