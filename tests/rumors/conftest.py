"""The report desk's people and places: the office, two district offices, the police."""

import pytest

from rumors import services
from rumors.models import (
    Debunk,
    DebunkAppearance,
    DebunkSource,
    Department,
    DepartmentKind,
    RoutingRule,
)
from wenzhou_portal.districts import District
from wenzhou_portal.roles import Role


@pytest.fixture
def office(db):
    return services.office_department()


@pytest.fixture
def lucheng_office(db):
    return Department.objects.create(
        name="鹿城区委网信办",
        kind=DepartmentKind.DISTRICT_OFFICE,
        district=District.LUCHENG,
        email="lucheng@example.org",
    )


@pytest.fixture
def longwan_office(db):
    return Department.objects.create(
        name="龙湾区委网信办", kind=DepartmentKind.DISTRICT_OFFICE, district=District.LONGWAN
    )


@pytest.fixture
def police(db):
    return Department.objects.create(
        name="市公安局网安支队", kind=DepartmentKind.SECTOR, email="police@example.org"
    )


@pytest.fixture
def market_regulator(db):
    return Department.objects.create(name="市市场监督管理局", kind=DepartmentKind.SECTOR)


@pytest.fixture
def lucheng_handler(make_staff, lucheng_office):
    """陈丽 handles reports at the Lucheng district office."""
    user = make_staff(
        "chen_li", Role.DEPARTMENT_HANDLER, first_name="陈丽", email="chen@example.org"
    )
    lucheng_office.members.add(user)
    return user


@pytest.fixture
def longwan_handler(make_staff, longwan_office):
    """赵强 handles reports at the Longwan district office."""
    user = make_staff("zhao_qiang", Role.DEPARTMENT_HANDLER, first_name="赵强")
    longwan_office.members.add(user)
    return user


@pytest.fixture
def police_handler(make_staff, police):
    user = make_staff("police_wu", Role.DEPARTMENT_HANDLER, first_name="吴警官")
    police.members.add(user)
    return user


@pytest.fixture
def district_rules(lucheng_office, longwan_office):
    """Anything about Lucheng goes to Lucheng, anything about Longwan to Longwan."""
    return [
        RoutingRule.objects.create(district=District.LUCHENG, lead_department=lucheng_office),
        RoutingRule.objects.create(district=District.LONGWAN, lead_department=longwan_office),
    ]


def report_input(**overrides) -> services.ReportInput:
    values = {
        "category": "rumor",
        "platform": "wechat",
        "content": "有人在微信群里说鹿城区自来水被污染了，不能喝。",
        "url": "https://mp.weixin.qq.com/s/abc123",
        "district": District.LUCHENG,
    }
    values.update(overrides)
    return services.ReportInput(**values)


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    """File a report as a citizen would and run what is queued after commit (routing)."""

    def run(route: bool = True, **overrides):
        with django_capture_on_commit_callbacks(execute=route):
            report = services.report_submit(data=report_input(**overrides))
        report.refresh_from_db()
        return report

    return run


@pytest.fixture
def debunk(office):
    """A draft debunk of the Lucheng water-cut rumor, with a source and where it circulated."""
    item = Debunk.objects.create(
        slug="water-cut-rumor",
        title="“鹿城区全面停水三天”系谣言",
        claim="微信群流传鹿城区下周全面停水三天。",
        verdict="false",
        summary="温州水务：鹿城区没有停水计划。",
        body="## 核实\n\n供水正常。<script>alert('x')</script> [点我](javascript:alert(1))",
        authority=office,
        keywords="停水,全面停水",
    )
    services.debunk_codes_set(
        debunk=item, districts=["330302"], categories=["rumor"], tags=["民生", "供水"]
    )
    DebunkSource.objects.create(debunk=item, title="温州水务公告", url="https://example.org/water")
    DebunkAppearance.objects.create(
        debunk=item, platform="wechat", url="https://mp.weixin.qq.com/s/water"
    )
    return item


@pytest.fixture
def routed(submit, district_rules):
    """A Lucheng report, routed to the Lucheng office, whose reporter consented to be told."""
    return submit(contact_email="citizen@example.org", contact_consent=True)


@pytest.fixture
def published_debunk(debunk, office_admin):
    """The water-cut debunk, published by the office."""
    services.debunk_publish(debunk_id=debunk.pk, actor=office_admin)
    debunk.refresh_from_db()
    return debunk


@pytest.fixture(autouse=True)
def _held_uploads_in_tmp(settings, tmp_path_factory):
    """Screenshots held for a corrected form (default_storage) stay out of the real media."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
