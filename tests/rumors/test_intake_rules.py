"""The intake rules live in one service; the page (and the API) only shape input."""

import pytest
from django.core.exceptions import ValidationError

from rumors import services
from rumors.models import Report
from tests.rumors.test_citizen_pages import VALID

pytestmark = pytest.mark.django_db


def test_a_phone_number_typed_with_spaces_and_country_code_is_stored_as_11_digits(
    client, district_rules
):
    response = client.post(
        "/reports/new/",
        {**VALID, "contact_phone": "+86 138 0013 8000", "contact_consent": "on"},
    )
    assert response.status_code == 302
    assert Report.objects.get().contact_phone == "13800138000"


def test_a_landline_is_refused_on_its_field_with_everything_kept(client, district_rules):
    response = client.post(
        "/reports/new/", {**VALID, "contact_phone": "0577-8888 8888", "contact_consent": "on"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "11 位中国大陆手机号码" in html
    assert VALID["content"] in html
    assert not Report.objects.exists()


def test_every_broken_rule_is_named_at_once():
    with pytest.raises(ValidationError) as refused:
        services.report_input_validate(
            services.ReportInput(
                category="gossip",
                platform="wechat",
                content="短",
                contact_email="a@example.org",
                district="110101",
            )
        )
    assert set(refused.value.message_dict) == {
        "category",
        "content",
        "url",
        "district",
        "contact_consent",
    }


def test_the_service_refuses_what_an_edge_forgot_to_check(district_rules):
    with pytest.raises(ValidationError) as refused:
        services.report_submit(
            data=services.ReportInput(category="rumor", platform="wechat", content="x" * 20)
        )
    assert "url" in refused.value.message_dict
    assert not Report.objects.exists()


def test_a_refused_report_does_not_use_up_the_budget(client, settings, district_rules):
    settings.REPORT_RATE_LIMIT_MINUTE = "1/m"
    landline = {**VALID, "contact_phone": "0577-8888 8888", "contact_consent": "on"}
    assert client.post("/reports/new/", landline).status_code == 400
    assert client.post("/reports/new/", VALID).status_code == 302
