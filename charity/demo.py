"""Demo charity register: verified, suspended, overdue and pending organisations (made up,
with codes whose check characters are right), the pact in two versions, and projects in
every status with their disclosures, all dated relative to today."""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from wenzhou_portal.demo import demo_seeder

from . import credit_codes, deadlines, services
from .models import (
    Organisation,
    PactSignature,
    PactVersion,
    Project,
    ProjectStatus,
)

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
