"""Li Ayi signs in with her mobile number on a phone in senior mode.

She types the number as she says it, with spaces; she mistypes the code once and is told so
on the first screen; then the right code signs her in. A screen reader is pointed from
each field to its error.
"""

import re
from html.parser import HTMLParser

import pytest

from tests.journeys.support import assert_on_first_screen, assert_senior_page
from wenzhou_portal.sms import LocmemSMSBackend

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.SMS_BACKEND = "wenzhou_portal.sms.LocmemSMSBackend"
    LocmemSMSBackend.outbox.clear()


def _code() -> str:
    return re.search(r"(\d{6})", LocmemSMSBackend.outbox[-1][1]).group(1)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


@pytest.mark.browser
def test_a_citizen_signs_in_with_a_number_typed_with_spaces_after_one_wrong_code(
    senior_page, live_server
):
    page = senior_page
    page.goto(live_server.url + "/account/sign-in/")
    assert_senior_page(page, shot="sign-in-number")

    page.get_by_label("手机号").fill("138 0013 8000")
    page.get_by_role("button", name="获取验证码").click()
    page.wait_for_url("**/account/sign-in/code/#outcome")
    assert LocmemSMSBackend.outbox[-1][0] == "13800138000"
    # "Code sent" is the first thing she sees, and where a screen reader starts.
    assert "138****8000" in page.locator("#outcome").inner_text()
    assert_senior_page(page, "#outcome", shot="sign-in-code-sent")

    page.get_by_label("短信验证码").fill(_wrong(_code()))
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    summary = page.locator("#outcome .error-summary")
    assert "验证码不正确" in summary.inner_text()
    assert_senior_page(page, "#outcome", shot="sign-in-wrong-code")
    # The summary links to the field, and the field is described by its error.
    summary.get_by_role("link").first.click()
    code_box = page.get_by_label("短信验证码")
    assert page.evaluate("document.activeElement.id") == "id_code"
    described_by = code_box.get_attribute("aria-describedby").split()
    assert "id_code_error" in described_by
    assert "验证码不正确" in page.locator("#id_code_error").inner_text()

    code_box.fill(_code())
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/reports/mine/**")
    assert page.locator("h1").first.is_visible()
    page.locator("summary.menu-button").click()
    assert page.locator(".menu-links a[href='/reports/mine/']").is_visible()
    assert page.get_by_role("button", name="退出登录").is_visible()
    assert_senior_page(page, shot="sign-in-done")

    # Saving how to be told answers with a message: the page opens at it.
    page.goto(live_server.url + "/account/notify/")
    page.get_by_label("短信", exact=True).check()
    page.get_by_role("button", name="保存通知方式").click()
    page.wait_for_url("**/reports/mine/#messages")
    assert "通知方式已保存" in page.locator("#messages").inner_text()
    assert_senior_page(page, "#messages", shot="sign-in-notify-saved")


@pytest.mark.browser
def test_a_number_that_is_no_mobile_number_is_said_first_and_kept_as_typed(
    senior_page, live_server
):
    page = senior_page
    page.goto(live_server.url + "/account/sign-in/")
    page.get_by_label("手机号").fill("138 0013 800")
    page.get_by_role("button", name="获取验证码").click()
    page.wait_for_load_state()
    assert_on_first_screen(page, "#outcome")
    assert_senior_page(page, "#outcome", shot="sign-in-bad-number")
    assert page.get_by_label("手机号").input_value() == "138 0013 800"
    assert LocmemSMSBackend.outbox == []


class _Ids(HTMLParser):
    """Every id on a page, and every id a field's aria-describedby points to."""

    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.described_by: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        for target in (attrs.get("aria-describedby") or "").split():
            self.described_by.append((attrs.get("id") or attrs.get("name") or tag, target))


def _dangling_descriptions(html: str) -> list[tuple[str, str]]:
    page = _Ids()
    page.feed(html)
    return [(field, target) for field, target in page.described_by if target not in page.ids]


def test_every_field_error_and_help_a_field_names_in_aria_describedby_exists(client):
    response = client.post("/account/sign-in/", {"phone": "12345"})
    html = response.content.decode()
    assert 'aria-describedby="id_phone_error"' in html
    assert 'id="id_phone_error"' in html
    assert _dangling_descriptions(html) == []

    client.post("/account/sign-in/", {"phone": "13800138000"})
    html = client.post("/account/sign-in/code/", {"code": "1"}).content.decode()
    assert "id_code_error" in html
    assert _dangling_descriptions(html) == []


def test_a_group_of_radios_is_described_by_its_error_on_the_fieldset(client):
    client.post("/account/sign-in/", {"phone": "13800138000"})
    assert client.post("/account/sign-in/code/", {"code": _code()}).status_code == 302
    html = client.post("/account/notify/", {"channel": "pigeon"}).content.decode()
    assert re.search(r'<fieldset aria-describedby="id_channel_error">', html)
    assert 'id="id_channel_error"' in html
    # The summary's link lands on the first radio, which exists.
    assert 'href="#id_channel_0"' in html
    assert 'id="id_channel_0"' in html
    assert _dangling_descriptions(html) == []
