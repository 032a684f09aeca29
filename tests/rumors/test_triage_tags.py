"""Staff mark reports with triage tags; citizens never see them."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rumors import services
from rumors.models import EventKind, ReportEvent, ReportTag, RoutingRule, TriageTag
from wenzhou_portal.districts import District
from wenzhou_portal.models import AuditEvent, Notification

pytestmark = pytest.mark.django_db

SMEAR, AI = TriageTag.SMEARING_COMPANY, TriageTag.MISSING_AI_LABEL


def tags_of(report) -> set[str]:
    return set(ReportTag.objects.filter(report=report).values_list("tag", flat=True))


def tag_notes(report):
    return ReportEvent.objects.filter(report=report, kind=EventKind.NOTE, actor__isnull=False)


def tag_audits():
    return AuditEvent.objects.filter(action="rumors.report_tags_set")


# --- The service --------------------------------------------------------------------------


def test_the_lead_handler_tags_a_report_with_one_note_and_one_audit_record(
    routed, lucheng_handler, lucheng_office
):
    notices_before = Notification.objects.count()
    result = services.report_tags_set(
        report_id=routed.pk, actor=lucheng_handler, tags=[SMEAR, AI, SMEAR]
    )
    assert result == {SMEAR, AI}
    assert tags_of(routed) == {SMEAR, AI}
    assert set(ReportTag.objects.values_list("added_by", flat=True)) == {lucheng_handler.pk}
    [note] = tag_notes(routed)
    assert note.public_text == ""
    assert "抹黑企业" in note.internal_text
    assert "未按规定标识AI生成内容" in note.internal_text
    assert note.department == lucheng_office
    [audit] = tag_audits()
    assert audit.actor == lucheng_handler
    assert audit.target == f"rumors.report:{routed.pk}"
    assert routed.tracking_code not in audit.target
    assert audit.detail == {"added": sorted([AI, SMEAR]), "removed": []}
    assert Notification.objects.count() == notices_before  # nobody is told


def test_clearing_and_swapping_tags_records_what_changed(routed, lucheng_handler):
    services.report_tags_set(report_id=routed.pk, actor=lucheng_handler, tags=[SMEAR, AI])
    services.report_tags_set(
        report_id=routed.pk, actor=lucheng_handler, tags=[AI, TriageTag.POSING_AS_PARTY]
    )
    assert tags_of(routed) == {AI, TriageTag.POSING_AS_PARTY}
    assert tag_audits().order_by("-pk").first().detail == {
        "added": [TriageTag.POSING_AS_PARTY],
        "removed": [SMEAR],
    }
    services.report_tags_set(report_id=routed.pk, actor=lucheng_handler, tags=[])
    assert tags_of(routed) == set()
    assert "移除研判标签" in tag_notes(routed).order_by("-pk").first().internal_text
    assert tag_audits().count() == 3


def test_setting_the_same_tags_again_records_nothing(routed, lucheng_handler):
    services.report_tags_set(report_id=routed.pk, actor=lucheng_handler, tags=[SMEAR])
    services.report_tags_set(report_id=routed.pk, actor=lucheng_handler, tags=(SMEAR,))
    services.report_tags_set(report_id=routed.pk, actor=lucheng_handler, tags=set())
    services.report_tags_set(report_id=routed.pk, actor=lucheng_handler, tags=[])
    assert tag_audits().count() == 2
    assert tag_notes(routed).count() == 2


@pytest.mark.parametrize(
    "tags",
    [
        ["no_such_tag"],
        [SMEAR, "no_such_tag"],
        ["SMEARING_COMPANY"],
        ["抹黑企业"],
        [""],
        [7],
        "smearing_company",  # a bare string, not a list of codes
        None,
        42,
        [["smearing_company"]],
    ],
    ids=repr,
)
def test_bad_tags_are_refused_on_the_tags_field_and_nothing_is_written(
    routed, lucheng_handler, tags
):
    with pytest.raises(ValidationError) as refused:
        services.report_tags_set(report_id=routed.pk, actor=lucheng_handler, tags=tags)
    assert list(refused.value.message_dict) == ["tags"]
    assert tags_of(routed) == set()
    assert not tag_audits().exists()
    assert not tag_notes(routed).exists()


def test_another_department_cannot_tag(routed, longwan_handler):
    with pytest.raises(PermissionDenied):
        services.report_tags_set(report_id=routed.pk, actor=longwan_handler, tags=[SMEAR])
    assert tags_of(routed) == set()
    assert not tag_audits().exists()


def test_an_auditor_reads_but_does_not_tag(routed, auditor):
    with pytest.raises(PermissionDenied):
        services.report_tags_set(report_id=routed.pk, actor=auditor, tags=[SMEAR])


def test_a_citizen_account_cannot_tag(routed, citizen):
    with pytest.raises(PermissionDenied):
        services.report_tags_set(report_id=routed.pk, actor=citizen, tags=[SMEAR])


def test_a_co_handler_and_the_office_may_tag(
    submit, lucheng_office, police, police_handler, office_admin
):
    rule = RoutingRule.objects.create(district=District.LUCHENG, lead_department=lucheng_office)
    rule.co_handlers.add(police)
    report = submit()
    services.report_tags_set(report_id=report.pk, actor=police_handler, tags=[SMEAR])
    assert tag_notes(report).get().department == police
    services.report_tags_set(report_id=report.pk, actor=office_admin, tags=[SMEAR, AI])
    assert tags_of(report) == {SMEAR, AI}


def test_a_closed_report_can_still_be_tagged(routed, lucheng_handler):
    services.report_resolve(report_id=routed.pk, actor=lucheng_handler, feedback="已删除。")
    services.report_tags_set(report_id=routed.pk, actor=lucheng_handler, tags=[SMEAR])
    assert tags_of(routed) == {SMEAR}


# --- Admin ------------------------------------------------------------------------------


def change_url(report) -> str:
    return f"/admin/rumors/report/{report.pk}/change/"


def tags_url(report) -> str:
    return f"/admin/rumors/report/{report.pk}/tags/"


def test_the_report_page_offers_the_tags_to_who_may_set_them(client, routed, lucheng_handler):
    client.force_login(lucheng_handler)
    html = client.get(change_url(routed)).content.decode()
    assert f'action="{tags_url(routed)}"' in html
    for value, label in TriageTag.choices:
        assert f'value="{value}"' in html
        assert str(label) in html


def test_ticking_boxes_sets_the_tags(client, routed, lucheng_handler):
    client.force_login(lucheng_handler)
    response = client.post(tags_url(routed), {"tags": [SMEAR, AI]}, follow=True)
    assert "研判标签已保存" in response.content.decode()
    assert tags_of(routed) == {SMEAR, AI}
    html = client.get(change_url(routed)).content.decode()
    assert f'value="{SMEAR}" checked' in html
    assert f'value="{TriageTag.POSING_AS_PARTY}">' in html
    client.post(tags_url(routed), {})  # every box cleared
    assert tags_of(routed) == set()


def test_a_forged_tag_is_refused_with_a_message(client, routed, lucheng_handler):
    client.force_login(lucheng_handler)
    response = client.post(tags_url(routed), {"tags": [SMEAR, "drop_table"]}, follow=True)
    assert "请从列表中选择研判标签" in response.content.decode()
    assert tags_of(routed) == set()


def test_tags_of_a_report_out_of_scope_are_not_found(client, routed, longwan_handler):
    client.force_login(longwan_handler)
    assert client.post(tags_url(routed), {"tags": [SMEAR]}).status_code == 404
    assert tags_of(routed) == set()


def test_an_auditor_sees_the_tags_but_no_form(client, routed, lucheng_handler, auditor):
    services.report_tags_set(report_id=routed.pk, actor=lucheng_handler, tags=[SMEAR])
    client.force_login(auditor)
    html = client.get(change_url(routed)).content.decode()
    assert "抹黑企业" in html
    assert f'action="{tags_url(routed)}"' not in html
    assert client.post(tags_url(routed), {"tags": []}).status_code == 403
    assert tags_of(routed) == {SMEAR}


def test_a_get_changes_nothing(client, routed, lucheng_handler):
    client.force_login(lucheng_handler)
    assert client.get(tags_url(routed), {"tags": [SMEAR]}).status_code == 302
    assert tags_of(routed) == set()


def test_the_list_shows_tags_and_filters_by_them(client, submit, district_rules, office_admin):
    smeared = submit(url="https://example.org/smear", content="某企业产品致癌，大家不要买了。")
    plain = submit(url="https://example.org/plain", content="另一件完全不同的事情发生了。")
    services.report_tags_set(report_id=smeared.pk, actor=office_admin, tags=[SMEAR])
    client.force_login(office_admin)
    listing = client.get("/admin/rumors/report/").content.decode()
    row = listing.split(smeared.formatted_tracking_code, 1)[1].split("</tr>")[0]
    assert "抹黑企业" in row
    filtered = client.get("/admin/rumors/report/", {"tag": SMEAR}).content.decode()
    assert smeared.formatted_tracking_code in filtered
    assert plain.formatted_tracking_code not in filtered
    other = client.get("/admin/rumors/report/", {"tag": AI}).content.decode()
    assert smeared.formatted_tracking_code not in other
    nonsense = client.get("/admin/rumors/report/", {"tag": "nonsense"})
    assert nonsense.status_code == 200
    assert smeared.formatted_tracking_code not in nonsense.content.decode()


def test_the_tags_column_costs_one_query_per_page(
    client, submit, district_rules, office_admin, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = submit(url="https://example.org/1", content="第一条举报，内容各不相同一。")
    services.report_tags_set(report_id=first.pk, actor=office_admin, tags=[SMEAR])
    client.force_login(office_admin)
    client.get("/admin/rumors/report/")
    with CaptureQueriesContext(connection) as one:
        client.get("/admin/rumors/report/")
    for i in range(6):
        report = submit(url=f"https://example.org/n{i}", content=f"另一条举报，编号{i}，各不相同。")
        services.report_tags_set(report_id=report.pk, actor=office_admin, tags=[SMEAR, AI])
    with django_assert_max_num_queries(len(one)):
        client.get("/admin/rumors/report/")


# --- Citizens never see them -----------------------------------------------------------------


TAG_WORDS = [str(label) for label in TriageTag.labels] + list(TriageTag.values) + ["研判标签"]


def test_the_tracking_page_api_and_open311_do_not_show_tags(client, routed, lucheng_handler):
    services.report_tags_set(
        report_id=routed.pk, actor=lucheng_handler, tags=list(TriageTag.values)
    )
    page = client.post("/reports/track/", {"code": routed.tracking_code}).content.decode()
    assert routed.formatted_tracking_code in page  # the right page, found
    api = client.get(f"/api/v1/reports/track/{routed.tracking_code}/")
    assert api.status_code == 200
    body = json.dumps(api.json(), ensure_ascii=False)
    open311 = json.dumps(client.get("/open311/v2/requests.json").json(), ensure_ascii=False)
    assert str(routed.public_id) in open311  # the report is listed there
    for word in TAG_WORDS:
        assert word not in page
        assert word not in body
        assert word not in open311
