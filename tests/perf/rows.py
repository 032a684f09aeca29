"""Rows for the query budgets: each made with what its pages show, each with its own relations.

Every row gets related objects of its own (a department per debunk, a lead department per
report, its tags and events), so a page that reads a relation per row pays per row here.
"""

from datetime import timedelta
from itertools import count

from django.utils import timezone

from rumors import services
from rumors.models import (
    Debunk,
    DebunkAppearance,
    DebunkSource,
    Department,
    DepartmentKind,
    EventKind,
    Report,
    ReportEvent,
    ReportTag,
    TriageTag,
)
from tests.rumors.conftest import report_input
from wenzhou_portal.notifications import notify

_serial = count(1)


def department(name: str = "") -> Department:
    number = next(_serial)
    return Department.objects.create(
        name=name or f"温州市测试部门{number}", kind=DepartmentKind.SECTOR
    )


def debunks(n: int) -> list[Debunk]:
    """Published debunks on Lucheng water, each under its own department, with its links."""
    made = []
    for _ in range(n):
        number = next(_serial)
        debunk = Debunk.objects.create(
            slug=f"water-rumor-{number}",
            title=f"“鹿城区停水第{number}号”系谣言",
            title_en=f"Lucheng water cut no. {number} is false",
            claim=f"微信群流传鹿城区第{number}次全面停水。",
            verdict="false",
            summary="温州水务：鹿城区没有停水计划。",
            body="## 核实\n\n供水正常。",
            authority=department(),
            keywords="停水,全面停水",
            is_published=True,
            published_at=timezone.now() - timedelta(minutes=number),
        )
        services.debunk_codes_set(
            debunk=debunk, districts=["330302"], categories=["rumor"], tags=[f"供水{number}"]
        )
        DebunkSource.objects.create(
            debunk=debunk, title=f"温州水务公告{number}", url=f"https://example.org/{number}"
        )
        DebunkAppearance.objects.create(
            debunk=debunk, platform="wechat", url=f"https://mp.weixin.qq.com/s/w{number}"
        )
        made.append(debunk)
    return made


def reports(n: int, *, reporter=None, lead=None, co_handler=None) -> list[Report]:
    """Reports, each with its own lead department (unless one is given), events and tags."""
    made = []
    for _ in range(n):
        number = next(_serial)
        report = services.report_submit(
            data=report_input(
                content=f"第{number}条：有人在微信群里说鹿城区自来水被污染了。",
                url=f"https://mp.weixin.qq.com/s/r{number}",
            ),
            reporter=reporter,
            queue_routing=False,
        )
        Report.objects.filter(pk=report.pk).update(
            lead_department=lead or department(), status="routed"
        )
        ReportTag.objects.create(report=report, tag=TriageTag.SMEARING_COMPANY)
        if co_handler is not None:
            report.co_handlers.add(co_handler)
        report.refresh_from_db()
        made.append(report)
    return made


def events(report: Report, n: int, *, actor=None) -> None:
    """Steps on a report's timeline, each by a department of its own, which was told of it."""
    for _ in range(n):
        number = next(_serial)
        event = ReportEvent.objects.create(
            report=report,
            kind=EventKind.NOTE,
            actor=actor,
            department=department(),
            public_text=f"第{number}步：已联系平台核实。",
            internal_text=f"内部记录{number}",
        )
        notify(
            source=event,
            recipients=[event.department],
            channels=["email"],
            subject=f"举报进展{number}",
            body="已联系平台核实。",
        )
