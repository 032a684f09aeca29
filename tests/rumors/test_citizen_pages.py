"""A citizen files a report in the browser's plain HTML form and follows it by code."""

import re

import pytest
from django.core.cache import cache

from rumors import services
from rumors.models import Evidence, Report, RoutingState, Status
from tests.rumors.images import bomb_png, image_bytes, noisy_png, upload

pytestmark = pytest.mark.django_db

VALID = {
    "category": "fraud",
    "platform": "douyin",
    "url": "https://www.douyin.com/video/123",
    "content": "直播间冒充客服，要求观众加微信退款并提供验证码。",
    "district": "330302",
}


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def _code_from(html: str) -> str:
    paragraph = re.search(r'<p class="tracking-code"[^>]*>(.*?)</p>', html).group(1)
    return re.sub(r"<[^>]+>", "", paragraph)


def test_a_citizen_files_a_report_and_sees_a_tracking_code(
    client, district_rules, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/new/", VALID)
    assert response.status_code == 302
    assert response["Location"] == "/reports/submitted/"
    page = client.get("/reports/submitted/")
    assert "no-store" in page["Cache-Control"] or "no-cache" in page["Cache-Control"]
    code = _code_from(page.content.decode())
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}", code)
    report = Report.objects.get()
    assert report.formatted_tracking_code == code
    assert report.routing_state == RoutingState.DONE
    assert report.contact_phone == ""


def test_the_form_page_warns_about_110_and_12377_before_anything_is_sent(client):
    html = client.get("/reports/new/").content.decode()
    assert "110" in html
    assert "12377" in html
    assert "冒充客服" in html  # one plain example per category


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"category": ""}, "category", "必填"),
        ({"platform": "myspace"}, "platform", ""),
        ({"content": "太短了"}, "content", ""),
        ({"content": "长" * 2001}, "content", ""),
        ({"url": "", "account": "", "place_description": ""}, "url", "至少填写"),
        ({"url": "not a url at all"}, "url", ""),
        ({"seen_at": "2999-01-01T10:00"}, "seen_at", "不能晚于现在"),
        ({"contact_phone": "12345"}, "contact_phone", "11 位"),
        ({"contact_email": "someone@example.org"}, "contact_consent", "勾选同意"),
        ({"district": "999999"}, "district", ""),
    ],
)
def test_bad_input_is_answered_in_the_form_and_keeps_what_was_typed(
    client, changes, field, message
):
    data = {**VALID, **changes}
    response = client.post("/reports/new/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="field-{field}"' in html
    field_html = html.split(f'id="field-{field}"', 1)[1].split("</div>", 1)[0]
    assert "errorlist" in field_html
    assert message in field_html
    assert "https://www.douyin.com/video/123" in html or field == "url"  # nothing typed is lost
    assert Report.objects.count() == 0


def test_the_honeypot_refuses_bots_without_saving(client):
    response = client.post("/reports/new/", {**VALID, "website": "http://spam.example"})
    assert response.status_code == 400
    assert Report.objects.count() == 0


def test_evidence_is_validated_by_decoding_not_by_name(client, district_rules, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    good = upload("screen.gif", image_bytes("PNG"), content_type="application/pdf")
    response = client.post("/reports/new/", {**VALID, "images": [good]})
    assert response.status_code == 302
    item = Evidence.objects.get()
    assert item.original_format == "PNG"
    assert (tmp_path / item.original_path).exists()
    assert "screen" not in item.original_path


@pytest.mark.parametrize(
    "files",
    [
        [upload("fake.jpg", b"this is not an image at all" * 10, "image/jpeg")],
        [upload("bomb.png", bomb_png())],
        [upload(f"s{i}.png", image_bytes()) for i in range(6)],
    ],
    ids=["text-posing-as-jpeg", "decompression-bomb", "sixth-image"],
)
def test_bad_evidence_is_refused_with_a_message(client, files, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    response = client.post("/reports/new/", {**VALID, "images": files})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode().split('id="field-images"', 1)[1]
    assert Report.objects.count() == 0
    assert not list(tmp_path.rglob("*.*"))


def test_too_big_an_image_is_refused(client, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    settings.REPORT_EVIDENCE_MAX_BYTES = 10_000
    data = noisy_png()
    assert len(data) > 10_000
    response = client.post("/reports/new/", {**VALID, "images": [upload("big.png", data)]})
    assert response.status_code == 400
    assert "不能超过" in response.content.decode()
    assert Report.objects.count() == 0


def test_a_refused_submission_keeps_the_form_and_says_when_to_try_again(
    client, settings, district_rules
):
    settings.REPORT_RATE_LIMIT_MINUTE = "2/m"
    assert client.post("/reports/new/", VALID).status_code == 302
    assert client.post("/reports/new/", VALID).status_code == 302
    response = client.post("/reports/new/", VALID)
    html = response.content.decode()
    assert response.status_code == 429
    assert "提交太频繁" in html
    assert "后再提交" in html
    assert 0 < int(response["Retry-After"]) <= 60
    assert VALID["content"] in html  # what the citizen wrote is still in the form
    assert Report.objects.count() == 2


def test_tracking_accepts_the_code_in_lower_case_without_dashes(client, submit, district_rules):
    report = submit()
    response = client.post("/reports/track/", {"code": report.tracking_code.lower()})
    html = response.content.decode()
    assert response.status_code == 200
    assert "分办" in html
    assert "鹿城区委网信办" in html
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_tracking_misses_are_indistinguishable(client, submit, district_rules):
    report = submit()
    unknown = services.tracking_code_generate()
    assert unknown != report.tracking_code
    pages = [
        client.post("/reports/track/", {"code": code})
        for code in (unknown, "not-a-code", report.tracking_code[:-1] + "!")
    ]
    bodies = {
        re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", p.content.decode()) for p in pages
    }
    bodies = {re.sub(r'value="[^"]*"', "", body) for body in bodies}
    assert {p.status_code for p in pages} == {200}
    assert len(bodies) == 1
    assert "没有找到" in bodies.pop()


def test_tracking_lookups_are_rate_limited(client, settings):
    settings.TRACK_RATE_LIMIT = "3/m"
    for _ in range(3):
        assert client.post("/reports/track/", {"code": "x"}).status_code == 200
    assert client.post("/reports/track/", {"code": "x"}).status_code == 429


def test_the_reporter_rates_the_handling_on_the_tracking_page(
    client, submit, district_rules, lucheng_handler
):
    report = submit()
    services.report_resolve(report_id=report.pk, actor=lucheng_handler, feedback="已删除该视频。")
    html = client.post("/reports/track/", {"code": report.tracking_code}).content.decode()
    assert "已删除该视频。" in html
    assert "满意" in html
    response = client.post(
        "/reports/track/rate/",
        {"code": report.tracking_code, "rating": "satisfied", "comment": "谢谢"},
    )
    assert response.status_code == 200
    assert "谢谢您的评价" in response.content.decode()
    report.refresh_from_db()
    assert report.rating == "satisfied"
    again = client.post(
        "/reports/track/rate/", {"code": report.tracking_code, "rating": "unsatisfied"}
    )
    assert "已经评价过" in again.content.decode()
    report.refresh_from_db()
    assert report.rating == "satisfied"
    assert report.status == Status.RESOLVED
