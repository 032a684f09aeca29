"""The public pages of 乐善365 say only what is true, and the forms answer at #outcome."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from charity import services
from charity.models import Organisation, PactSignature
from tests.charity import makers

pytestmark = pytest.mark.django_db


def test_landing_lists_projects_raising_now_filtered_by_district_and_cause(client):
    org = makers.organisation()
    makers.project(org, status="fundraising", title="文成助老", district="330328")
    makers.project(
        org, status="fundraising", title="泰顺助学", district="330329", cause="education"
    )
    makers.project(org, status="draft", title="草稿项目")
    makers.project(org, status="closed", title="已结项项目")
    page = client.get(reverse("charity:landing")).content.decode()
    assert "文成助老" in page
    assert "泰顺助学" in page
    assert "草稿项目" not in page
    assert "已结项项目" not in page
    assert "本平台不经手善款" in page
    filtered = client.get(reverse("charity:landing"), {"district": "330329"}).content.decode()
    assert "泰顺助学" in filtered
    assert "文成助老" not in filtered
    by_cause = client.get(reverse("charity:landing"), {"cause": "education"}).content.decode()
    assert "泰顺助学" in by_cause
    assert "文成助老" not in by_cause


def test_landing_no_longer_claims_what_is_not_true(client):
    page = client.get(reverse("charity:landing")).content.decode()
    assert "每一笔善款" not in page
    assert "平台上的公益组织均已登记" not in page


def test_landing_reads_in_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    for number in range(1, 6):
        org = makers.organisation(number)
        makers.project(org, status="fundraising")
    with django_assert_max_num_queries(8):
        client.get(reverse("charity:landing"))


def test_project_page_shows_filing_number_check_link_and_next_disclosure(client):
    org = makers.organisation()
    today = timezone.localdate()
    project = makers.project(
        org,
        status="fundraising",
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=60),
    )
    page = client.get(project.get_absolute_url()).content.decode()
    assert project.filing_number in page
    assert 'href="https://cszg.mca.gov.cn/"' in page
    assert "下次信息公开截止" in page
    final_due = services.selectors.project_calendar(project).next_due.obligation.due
    assert final_due.strftime("%Y-%m-%d") in page
    assert "200,000 元" in page
    assert org.get_absolute_url() in page


def test_project_page_shows_disclosures_and_corrections(client, charity_reviewer):
    org = makers.organisation()
    project = makers.project(org, status="fundraising")
    disclosure = services.disclosure_publish(
        organisation_id=org.pk,
        project_id=project.pk,
        kind="periodic",
        title="第一季度执行情况",
        summary="已送餐 90 天。",
        document_date=timezone.localdate(),
        upload=makers.pdf(),
        actor=charity_reviewer,
    )
    services.project_correct(
        project_id=project.pk,
        changes={"title": "山区留守老人助餐（二期）"},
        note="项目名称写错，更正。",
        actor=charity_reviewer,
    )
    page = client.get(project.get_absolute_url()).content.decode()
    assert "第一季度执行情况" in page
    assert reverse("charity:disclosure_document", args=[disclosure.pk]) in page
    assert "项目名称写错，更正。" in page
    document = client.get(reverse("charity:disclosure_document", args=[disclosure.pk]))
    assert document["Content-Type"] == "application/pdf"
    assert b"".join(document.streaming_content) == makers.PDF


def test_drafts_applications_and_their_files_are_not_public(client):
    applied = makers.organisation(1, status="applied")
    draft = makers.project(makers.organisation(2))
    assert client.get(applied.get_absolute_url()).status_code == 404
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("charity:project_cover", args=[draft.pk])).status_code == 404


def test_organisation_page_shows_verification_qualification_pact_and_projects(client):
    pact = makers.pact()
    org = makers.organisation(signed=pact)
    makers.project(org, status="fundraising", title="文成助老")
    page = client.get(org.get_absolute_url()).content.decode()
    assert org.credit_code in page
    assert "已核验" in page
    assert "浙民募字[2024]001" in page
    assert "已签署第 1 版" in page
    assert "文成助老" in page
    assert "不能开设新项目" not in page


def test_an_overdue_organisation_page_says_it_cannot_open_projects_and_why(client):
    pact = makers.pact()
    org = makers.organisation(signed=pact)
    today = timezone.localdate()
    makers.project(
        org,
        status="completed",
        title="台风救灾",
        starts_on=today - timedelta(days=300),
        ends_on=today - timedelta(days=120),
    )
    page = client.get(org.get_absolute_url()).content.decode()
    assert "该组织目前不能开设新项目" in page
    assert "项目“台风救灾”的结项信息公开应在" in page
    assert "逾期未公开 2 项" in page


def test_a_suspended_organisation_page_says_so_and_why(client):
    org = makers.organisation(status="suspended", status_changed_at=timezone.now())
    page = client.get(org.get_absolute_url()).content.decode()
    assert "该组织已被暂停" in page
    assert "测试原因" in page


def _form(**changes) -> dict:
    return {
        "name": "温州市瓯海区 春晖 助学促进会",
        "credit_code": makers.code_for(42),
        "registering_authority": "瓯海区民政局",
        "district": "330304",
        "contact_name": "周老师",
        "contact_phone": "0577-86660000",
        "signer_name": "周明",
        "signer_title": "会长",
        "agree": "on",
        **changes,
    }


def test_an_organisation_applies_and_gets_the_outcome_first(client):
    makers.pact()
    response = client.post(reverse("charity:apply"), _form())
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("<main") < page.index('id="outcome"') < page.index("<h1>申请已提交")
    org = Organisation.objects.get()
    assert org.status == "applied"
    assert PactSignature.objects.filter(organisation=org).exists()


def test_a_mistyped_code_is_refused_with_a_clear_message_and_nothing_lost(client):
    makers.pact()
    good = makers.code_for(42)
    typo = good[:5] + ("1" if good[5] != "1" else "2") + good[6:]
    response = client.post(reverse("charity:apply"), _form(credit_code=typo))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="outcome"' in page
    assert "校验码" in page
    assert "温州市瓯海区 春晖 助学促进会" in page  # what was typed is still there
    assert 'action="/charity/apply/#outcome"' in page
    assert not Organisation.objects.exists()


def test_a_flood_of_applications_is_refused_with_everything_typed_kept(client, settings):
    settings.CHARITY_FORM_LIMIT = "2/m"
    makers.pact()
    for number in (1, 2):
        assert client.post(reverse("charity:apply"), _form(credit_code=makers.code_for(number)))
    response = client.post(reverse("charity:apply"), _form(credit_code=makers.code_for(3)))
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    page = response.content.decode()
    assert page.index('id="outcome"') < page.index("提交太频繁了")
    assert "您填写的内容都还在" in page
    assert "温州市瓯海区 春晖 助学促进会" in page
    assert Organisation.objects.count() == 2


def test_the_pact_must_be_agreed_to(client):
    makers.pact()
    response = client.post(reverse("charity:apply"), _form(agree=""))
    assert response.status_code == 400
    assert "请勾选" in response.content.decode()


def test_an_organisation_signs_a_new_pact_through_its_link(client):
    first = makers.pact(1)
    org = makers.organisation(signed=first)
    second = makers.pact(2)
    url = reverse("charity:pact_sign", args=[services.pact_sign_token(org, second)])
    assert "第 2 版" in client.get(url).content.decode()
    response = client.post(url, {"signer_name": "陈明", "signer_title": "理事长", "agree": "on"})
    assert 'id="outcome"' in response.content.decode()
    assert org.pact_signatures.filter(version=second).exists()
    assert client.get(reverse("charity:pact_sign", args=["forged"])).status_code == 404


def test_project_and_organisation_pages_read_in_a_fixed_number_of_queries(
    client, charity_reviewer, django_assert_max_num_queries
):
    pact = makers.pact()
    org = makers.organisation(signed=pact)
    projects = [makers.project(org, status="fundraising") for _ in range(4)]
    for project in projects:
        for _ in range(2):
            services.disclosure_publish(
                organisation_id=org.pk,
                project_id=project.pk,
                kind="periodic",
                title="季度公开",
                summary="s",
                document_date=timezone.localdate(),
                upload=makers.pdf(),
                actor=charity_reviewer,
            )
    with django_assert_max_num_queries(10):
        client.get(projects[0].get_absolute_url())
    with django_assert_max_num_queries(14):
        client.get(org.get_absolute_url())
