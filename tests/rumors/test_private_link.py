"""A private link follows one report; the confirmation page helps keep it (issue 12)."""

import re
from urllib.parse import quote

import pytest
from django.core import mail

from rumors import services
from rumors.models import Report
from rumors.views import REFERRER_POLICY, SUBMITTED_SESSION_KEY
from wenzhou_portal.models import Notification
from wenzhou_portal.qr import qr_svg_data_uri
from wenzhou_portal.sms import LocmemSMSBackend

pytestmark = pytest.mark.django_db

SITE = "https://ql.wenzhou.example.gov.cn"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.SMS_BACKEND = "wenzhou_portal.sms.LocmemSMSBackend"
    LocmemSMSBackend.outbox.clear()
    yield
    LocmemSMSBackend.outbox.clear()


def _without_tokens(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'value="[^"]*"', "", html)


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


# --- The private link ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "as_typed",
    [
        lambda code: code,
        lambda code: code.lower(),
        lambda code: "-".join(code[i : i + 4] for i in range(0, 16, 4)),
        lambda code: "-".join(code[i : i + 4] for i in range(0, 16, 4)).lower(),
        _full_width,
        lambda code: quote(_full_width(code.lower())),
    ],
    ids=["as-given", "lower", "dashes", "lower-dashes", "full-width", "percent-encoded"],
)
def test_the_private_link_opens_the_tracking_page_with_the_code_filled_in(
    client, submit, district_rules, as_typed
):
    report = submit()
    response = client.get(f"/reports/track/{as_typed(report.tracking_code)}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "鹿城区委网信办" in html
    assert f'value="{report.formatted_tracking_code}"' in html
    assert "分办" in html


def test_the_private_link_is_not_indexed_cached_or_passed_on(client, submit, district_rules):
    report = submit()
    response = client.get(f"/reports/track/{report.tracking_code}/")
    assert "noindex" in response["X-Robots-Tag"]
    assert '<meta name="robots" content="noindex' in response.content.decode()
    # Never a policy that sends the path (and so the code) anywhere.
    assert response["Referrer-Policy"] == REFERRER_POLICY
    assert REFERRER_POLICY in {"no-referrer", "strict-origin", "origin"}
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control
    assert "private" in cache_control


@pytest.mark.parametrize(
    "code",
    ["0000000000000000", "not-a-code", "ABCD", "x" * 200, "%E4%B8%AD%E6%96%87", "rate-ish"],
)
def test_a_mistyped_private_link_is_a_404_with_the_lookup_wording(client, code):
    response = client.get(f"/reports/track/{code}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "没有找到与该查询码对应的举报。请核对查询码后重新输入。" in html
    assert "noindex" in response["X-Robots-Tag"]


def test_every_miss_of_the_private_link_looks_the_same(client, submit, district_rules):
    submit()
    pages = [
        client.get(f"/reports/track/{code}/")
        for code in (services.tracking_code_generate(), "nonsense", "0000-0000-0000-000O")
    ]
    assert {page.status_code for page in pages} == {404}
    assert len({_without_tokens(page.content.decode()) for page in pages}) == 1


def test_private_links_are_rate_limited_like_lookups(client, submit, district_rules, settings):
    report = submit()
    settings.TRACK_RATE_LIMIT = "2/m"
    client.post("/reports/track/", {"code": "x"})
    assert client.get(f"/reports/track/{report.tracking_code}/").status_code == 200
    refused = client.get(f"/reports/track/{report.tracking_code}/")
    assert refused.status_code == 429
    assert refused["Retry-After"]


def test_the_fixed_steps_are_not_taken_for_codes(client):
    assert client.get("/reports/track/rate/").status_code == 405
    assert client.get("/reports/track/answer/").status_code == 405
    assert client.get("/reports/track/review/").status_code == 405


def test_notices_to_the_reporter_carry_the_private_link(routed):
    body = Notification.objects.filter(channel="email", body__contains="查询码").first().body
    assert f"{SITE}/reports/track/{routed.tracking_code}/" in body


# --- Keeping the code on the confirmation page ---------------------------------------------


@pytest.fixture
def filed(client, submit, district_rules):
    """A report just filed in this browser session, without contact details."""
    report = submit()
    session = client.session
    session[SUBMITTED_SESSION_KEY] = report.tracking_code
    session.save()
    return report


def test_the_confirmation_page_shows_the_private_link_its_qr_and_a_plain_warning(client, filed):
    response = client.get("/reports/submitted/")
    html = response.content.decode()
    private_url = f"{SITE}/reports/track/{filed.tracking_code}/"
    assert f'href="{private_url}"' in html
    assert qr_svg_data_uri(private_url) in html
    assert "丢了也无法找回" in html
    assert "复制链接" in html
    # The button that follows the report opens the private link.
    assert re.search(
        rf'<a class="btn[^"]*" href="/reports/track/{filed.tracking_code}/">查询处理进度</a>', html
    )
    assert "noindex" in response["X-Robots-Tag"]
    assert 'action="/reports/submitted/send-link/#outcome"' in html


def test_the_copy_button_is_hidden_until_the_script_can_copy(client, filed):
    html = client.get("/reports/submitted/").content.decode()
    button = re.search(r"<button[^>]*data-copy-target[^>]*>", html).group(0)
    assert " hidden" in button
    assert "js/copy-link" in html


def test_the_link_is_texted_without_keeping_the_number(client, filed):
    response = client.post("/reports/submitted/send-link/", {"address": "+86 138-0013-8000"})
    assert response.status_code == 302
    assert response["Location"] == "/reports/submitted/"
    [(phone, text)] = LocmemSMSBackend.outbox
    assert phone == "13800138000"
    assert f"{SITE}/reports/track/{filed.tracking_code}/" in text
    assert "已发送到您的手机" in client.get("/reports/submitted/").content.decode()
    filed.refresh_from_db()
    assert filed.contact_phone == ""
    assert filed.contact_consent is False
    assert not Notification.objects.filter(body__contains="13800138000").exists()


def test_the_link_is_emailed_without_keeping_the_address(client, filed):
    response = client.post("/reports/submitted/send-link/", {"address": " Li.Ayi@Example.org "})
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["Li.Ayi@Example.org"]
    assert f"{SITE}/reports/track/{filed.tracking_code}/" in message.body
    assert "无法找回" in message.body
    filed.refresh_from_db()
    assert filed.contact_email == ""


@pytest.mark.parametrize(
    "address", ["", "12345", "12345678901", "not an email@", "a@b", "x" * 300 + "@example.org"]
)
def test_a_bad_address_is_refused_in_the_form(client, filed, address):
    response = client.post("/reports/submitted/send-link/", {"address": address})
    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()
    assert LocmemSMSBackend.outbox == []
    assert mail.outbox == []


def test_sending_the_link_is_rate_limited_per_report(client, filed, settings):
    settings.PHONE_CODE_LIMIT_PER_NUMBER = "2/d"
    for number in ("13800138000", "13900139000"):
        assert client.post("/reports/submitted/send-link/", {"address": number}).status_code == 302
    refused = client.post("/reports/submitted/send-link/", {"address": "13700137000"})
    assert refused.status_code == 429
    assert refused["Retry-After"]
    assert "发送次数过多" in refused.content.decode()
    assert len(LocmemSMSBackend.outbox) == 2


def test_sending_the_link_is_rate_limited_per_client(client, filed, settings):
    settings.PHONE_CODE_LIMIT_PER_CLIENT = "1/h"
    assert (
        client.post("/reports/submitted/send-link/", {"address": "a@example.org"}).status_code
        == 302
    )
    assert (
        client.post("/reports/submitted/send-link/", {"address": "b@example.org"}).status_code
        == 429
    )


def test_a_gateway_failure_is_said_plainly(client, filed, settings):
    settings.SMS_BACKEND = "tests.rumors.test_private_link.BrokenSMSBackend"
    response = client.post("/reports/submitted/send-link/", {"address": "13800138000"})
    assert response.status_code == 400
    assert "发送失败" in response.content.decode()


class BrokenSMSBackend:
    def send(self, phone: str, text: str) -> None:
        raise ConnectionError("gateway down")


def test_without_a_report_in_this_session_nothing_is_sent(client):
    response = client.post("/reports/submitted/send-link/", {"address": "13800138000"})
    assert response.status_code == 302
    assert response["Location"] == "/reports/new/"
    assert LocmemSMSBackend.outbox == []


def test_a_consenting_reporter_is_told_the_link_comes_with_each_notice(
    client, submit, district_rules
):
    report = submit(contact_email="li@example.org", contact_consent=True)
    session = client.session
    session[SUBMITTED_SESSION_KEY] = report.tracking_code
    session.save()
    assert (
        "每次有新进展我们都会把链接一起发给您" in client.get("/reports/submitted/").content.decode()
    )


def test_filing_through_the_page_leads_to_the_private_link(client, district_rules):
    client.post(
        "/reports/new/",
        {
            "category": "fraud",
            "platform": "douyin",
            "url": "https://www.douyin.com/video/123",
            "content": "直播间冒充客服，要求观众加微信退款并提供验证码。",
            "district": "330302",
        },
    )
    report = Report.objects.get()
    html = client.get("/reports/submitted/").content.decode()
    assert f"/reports/track/{report.tracking_code}/" in html


def test_the_private_link_page_reads_a_bounded_number_of_rows(
    client, submit, district_rules, lucheng_handler, django_assert_max_num_queries
):
    report = submit()
    services.report_accept(report_id=report.pk, actor=lucheng_handler)
    services.report_pause(report_id=report.pk, actor=lucheng_handler, request_text="请补充截图。")
    client.get(f"/reports/track/{report.tracking_code}/")  # warm the content-type cache
    with django_assert_max_num_queries(3):
        response = client.get(f"/reports/track/{report.tracking_code}/")
    assert "请补充截图。" in response.content.decode()


@pytest.mark.parametrize(
    "typed",
    ["ｋ７ｑｈ－３ｍ９ｘ－ｔｒ２ｐ－ｚ８ｗｄ", "K7QH 3M9X TR2P Z8WD", "k7qh-3m9x-tr2p-z8wd"],
)
def test_the_one_normaliser_reads_a_code_as_people_type_it(typed):
    from rumors.services import tracking_code_normalise

    assert tracking_code_normalise(typed) == "K7QH3M9XTR2PZ8WD"
