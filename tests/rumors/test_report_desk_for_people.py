"""The report desk as an elderly citizen meets it (issue 14): nothing typed or chosen is
lost, every refusal is in plain words, pasted share text and spaced phone numbers work."""

import re
from html import unescape
from pathlib import Path

import pytest
from django.core.cache import cache

from rumors.models import Evidence, Report
from rumors.views import SUBMITTED_SESSION_KEY
from tests.rumors.images import image_bytes, upload
from wenzhou_portal import held_uploads

pytestmark = pytest.mark.django_db

VALID = {
    "category": "fraud",
    "platform": "douyin",
    "url": "https://www.douyin.com/video/123",
    "content": "直播间冒充客服，要求观众加微信退款并提供验证码。",
    "district": "330302",
}
DOUYIN = (
    "7.43 复制打开抖音，看看【温州文明的作品】我们的城市 https://v.douyin.com/iRNBxyz/ "
    "a@B.xX 09/12 :/ "
)
# What Django says when nobody wrote the message for people.
DJANGO_DEFAULTS = ["确保该值", "确保该变量", "输入一个有效的", "这个字段是必填项", "Enter a valid"]


@pytest.fixture(autouse=True)
def _fresh_limits(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    cache.clear()
    yield
    cache.clear()


def _page(response) -> str:
    return unescape(response.content.decode())


def _held_token(html: str) -> str:
    found = re.search(r'name="held_images" value="([^"]*)"', html)
    return found.group(1) if found else ""


def _held_keys(html: str) -> list[str]:
    return re.findall(r'name="held_remove" value="([0-9a-f]+)"', html)


def _content_start(html: str) -> str:
    """The page's content from the start of <main>, without the messages region."""
    return html.split('<main id="main"', 1)[1]


# --- The outcome comes first ------------------------------------------------------------


def test_the_form_posts_to_its_outcome_and_answers_with_the_error_summary_first(client):
    form_page = _page(client.get("/reports/new/"))
    assert 'action="/reports/new/#outcome"' in form_page
    assert 'id="outcome"' not in form_page  # nothing to report before a submission

    html = _page(client.post("/reports/new/", {**VALID, "content": "太短了"}))
    content = _content_start(html)
    assert content.index('id="outcome"') < content.index("<h1>")
    assert content.count('id="outcome"') == 1
    summary = content.split('id="outcome"', 1)[1].split("<h1>", 1)[0]
    assert "请修改以下问题后再提交" in summary
    assert 'href="#id_content"' in summary
    assert "请至少写 10 个字，说清楚看到了什么" in summary
    assert "您已填写的内容都还在" in summary


def test_every_field_of_the_report_form_is_answered_in_plain_words(client):
    bad = {
        "category": "nonsense",
        "platform": "",
        "url": "not a url at all",
        "content": "短",
        "seen_at": "yesterday",
        "district": "999999",
        "contact_phone": "12345",
        "contact_email": "not-an-email",
    }
    html = _page(client.post("/reports/new/", bad))
    for default in DJANGO_DEFAULTS:
        assert default not in html
    for plain in [
        "请从列表里选择一项",
        "请选择在哪个平台看到",
        "这里没有找到网址",
        "请至少写 10 个字",
        "请填写正确的日期和时间",
        "请输入 11 位中国大陆手机号码",
        "请填写正确的电子邮箱",
    ]:
        assert plain in html


def test_a_long_text_is_kept_whole_and_answered_with_the_count(client):
    html = _page(client.post("/reports/new/", {**VALID, "content": "长" * 2050}))
    assert "最多 2000 个字，现在有 2050 个字" in html
    assert "长" * 2050 in html  # nothing cut


def test_no_box_on_the_report_form_cuts_what_is_typed(client):
    html = client.get("/reports/new/").content.decode()
    assert "maxlength" not in html


# --- Phone numbers as people type them ---------------------------------------------------


def test_a_phone_number_typed_with_spaces_is_kept_and_shown_as_it_will_be_stored(client):
    typed = {**VALID, "content": "短", "contact_phone": "138 1234 5678"}
    html = _page(client.post("/reports/new/", typed))
    assert 'value="138 1234 5678"' in html  # the box keeps what was typed
    assert "我们会记下的号码：138 1234 5678" in html


def test_the_confirmation_page_says_which_number_will_be_used(client, district_rules):
    filed = {**VALID, "contact_phone": "+86 138-1234-5678", "contact_consent": "on"}
    response = client.post("/reports/new/", filed)
    assert response.status_code == 302
    assert Report.objects.get().contact_phone == "13812345678"
    html = _page(client.get("/reports/submitted/"))
    assert "我们将用 138****5678 联系您" in html
    assert "13812345678" not in html


# --- Share text in the link box -----------------------------------------------------------


def test_a_douyin_share_text_in_the_link_box_files_the_link_and_keeps_the_title(
    client, district_rules
):
    response = client.post("/reports/new/", {**VALID, "url": DOUYIN})
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.url == "https://v.douyin.com/iRNBxyz/"
    assert report.content.startswith(VALID["content"])
    assert "【温州文明的作品】我们的城市" in report.content
    told = _page(client.get("/reports/submitted/"))
    assert "我们从您粘贴的文字中取出了链接 https://v.douyin.com/iRNBxyz/" in told


def test_after_a_failed_submission_the_page_says_what_was_done_with_the_share_text(client):
    html = _page(client.post("/reports/new/", {**VALID, "url": DOUYIN, "content": "短"}))
    assert "已从您粘贴的文字中取出链接：https://v.douyin.com/iRNBxyz/" in html
    assert "【温州文明的作品】我们的城市" in html
    field = html.split('id="field-url"', 1)[1].split("</div>", 1)[0]
    assert "errorlist" not in field  # no contradictory errors about the pasted text
    assert DOUYIN.strip() in html  # the box keeps the whole paste


def test_text_without_a_link_gets_one_clear_message(client):
    html = _page(client.post("/reports/new/", {**VALID, "url": "抖音上看到的，没有链接"}))
    field = html.split('id="field-url"', 1)[1].split("</div>", 1)[0]
    assert field.count("<li>") == 1
    assert "这里没有找到网址" in field


def test_a_link_without_its_scheme_is_still_a_link(client, district_rules):
    assert (
        client.post("/reports/new/", {**VALID, "url": "www.douyin.com/video/9"}).status_code == 302
    )
    assert Report.objects.get().url == "https://www.douyin.com/video/9"


def test_the_debunk_search_reads_a_pasted_share_text(client, published_debunk):
    pasted = "2.05 复制打开抖音，看看【鹿城小李的作品】全面停水 https://v.douyin.com/ikQ2/"
    html = _page(client.get("/debunks/", {"q": pasted}))
    assert published_debunk.title in html


# --- Screenshots kept across a failed submission ------------------------------------------


def test_one_bad_file_does_not_discard_the_good_one_and_is_named_with_its_reason(client):
    files = [upload("photo1.png", image_bytes()), upload("photo3.heic", b"not an image" * 20)]
    response = client.post("/reports/new/", {**VALID, "content": "短", "images": files})
    html = _page(response)
    assert response.status_code == 400
    assert "已保留：photo1.png" in html
    assert "photo3.heic：" in html
    assert "JPEG、PNG 或 WebP" in html.split("photo3.heic：", 1)[1][:80]
    assert "已选的 1 张图片也保留着" in html
    assert _held_token(html)


def test_the_kept_screenshot_is_filed_with_the_corrected_report(client, district_rules):
    files = [upload("photo1.png", image_bytes()), upload("photo3.heic", b"not an image" * 20)]
    html = _page(client.post("/reports/new/", {**VALID, "content": "短", "images": files}))
    corrected = {**VALID, "held_images": _held_token(html)}
    assert client.post("/reports/new/", corrected).status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.original_format == "PNG"
    assert evidence.report == Report.objects.get()


def test_kept_and_new_screenshots_are_filed_together(client, district_rules):
    first = [upload("a.png", image_bytes())]
    html = _page(client.post("/reports/new/", {**VALID, "content": "短", "images": first}))
    again = {**VALID, "held_images": _held_token(html), "images": [upload("b.png", image_bytes())]}
    assert client.post("/reports/new/", again).status_code == 302
    assert Evidence.objects.count() == 2


def test_a_kept_screenshot_can_be_taken_off(client, district_rules):
    files = [upload("a.png", image_bytes()), upload("b.png", image_bytes(color=(0, 0, 200)))]
    html = _page(client.post("/reports/new/", {**VALID, "content": "短", "images": files}))
    keys = _held_keys(html)
    assert len(keys) == 2
    corrected = {**VALID, "held_images": _held_token(html), "held_remove": [keys[0]]}
    assert client.post("/reports/new/", corrected).status_code == 302
    assert Evidence.objects.count() == 1


def test_kept_screenshots_stay_through_a_second_mistake(client):
    files = [upload("a.png", image_bytes())]
    html = _page(client.post("/reports/new/", {**VALID, "content": "短", "images": files}))
    html = _page(
        client.post("/reports/new/", {**VALID, "content": "短", "held_images": _held_token(html)})
    )
    assert "已保留：a.png" in html


def test_more_than_five_screenshots_keep_five_and_name_the_rest(client):
    files = [upload(f"s{i}.png", image_bytes()) for i in range(6)]
    html = _page(client.post("/reports/new/", {**VALID, "images": files}))
    assert len(_held_keys(html)) == 5
    assert "s5.png：最多 5 张截图，这张没有加上" in html


def test_a_forged_token_brings_back_nothing(client, district_rules):
    forged = {**VALID, "held_images": "held-uploads/../../etc/passwd"}
    assert client.post("/reports/new/", forged).status_code == 302
    assert Evidence.objects.count() == 0


def test_the_held_copies_are_deleted_once_the_report_is_filed(client, district_rules, settings):
    files = [upload("a.png", image_bytes())]
    html = _page(client.post("/reports/new/", {**VALID, "content": "短", "images": files}))
    held_dir = settings.MEDIA_ROOT / held_uploads.HELD_PREFIX
    assert any(path.is_file() for path in held_dir.rglob("*"))
    client.post("/reports/new/", {**VALID, "held_images": _held_token(html)})
    assert not any(path.is_file() for path in held_dir.rglob("*"))


# --- Refused by the rate limit -------------------------------------------------------------


def test_the_sixth_report_in_a_minute_keeps_everything_and_says_when_to_try_again(
    client, district_rules
):
    for _ in range(5):
        assert client.post("/reports/new/", VALID).status_code == 302
    sixth = {
        **VALID,
        "url": DOUYIN,
        "contact_phone": "138 1234 5678",
        "contact_consent": "on",
        "images": [upload("a.png", image_bytes())],
    }
    response = client.post("/reports/new/", sixth)
    html = _page(response)
    assert response.status_code == 429
    assert re.search(r"请在 1 分钟后再提交，您填写的内容都还在", html)
    assert VALID["content"] in html
    assert 'value="138 1234 5678"' in html
    assert "已保留：a.png" in html
    assert _content_start(html).index('id="outcome"') < _content_start(html).index("<h1>")
    assert Report.objects.count() == 5


# --- Tracking ---------------------------------------------------------------------------------


def test_a_code_typed_full_width_with_chinese_dashes_finds_the_report(client, submit):
    report = submit()
    code = report.tracking_code
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    typed = f"{full_width[:4]}－{full_width[4:8]}一{full_width[8:12]}　—{full_width[12:]}"
    html = _page(client.post("/reports/track/", {"code": typed}))
    assert 'id="status-heading"' in html
    assert re.search(r'class="track-result" id="outcome"', html)


def test_the_tracking_and_rating_forms_use_the_portals_messages_not_the_browsers(client):
    html = _page(client.get("/reports/track/"))
    assert re.search(r'<form[^>]*action="/reports/track/#outcome"[^>]*novalidate', html)
    blank = _page(client.post("/reports/track/", {"code": ""}))
    assert "请输入查询码" in blank
    assert _content_start(blank).index('id="outcome"') < _content_start(blank).index("<h1>")


def test_a_miss_is_the_outcome(client):
    html = _page(client.post("/reports/track/", {"code": "0000-0000-0000-0000"}))
    outcome = html.split('id="outcome"', 1)[1][:300]
    assert "没有找到与该查询码对应的举报" in outcome


def test_a_rating_without_a_choice_is_answered_first(client, submit):
    from rumors.models import Status

    report = submit()
    Report.objects.filter(pk=report.pk).update(status=Status.RESOLVED)
    response = client.post("/reports/track/rate/", {"code": report.tracking_code})
    html = _page(response)
    assert response.status_code == 400
    outcome = _content_start(html).split('id="outcome"', 1)[1].split("<h1>", 1)[0]
    assert "请选择满意、基本满意或不满意" in outcome
    assert re.search(r'action="/reports/track/rate/#outcome"[^>]*novalidate', html)


# --- Debunk suggestions open in place ---------------------------------------------------------


def test_suggestions_carry_their_summary_so_they_open_in_place(client, published_debunk):
    data = client.get("/debunks/suggest/", {"q": "鹿城区下周全面停水三天"}).json()
    assert data["results"][0]["summary"] == published_debunk.summary
    script = Path("static/js/report-form.js").read_text(encoding="utf-8")
    assert "_blank" not in script
    assert "details" in script


def test_the_submitted_session_key_is_unchanged():
    # Other pages (the link send) find the report just filed by this key.
    assert SUBMITTED_SESSION_KEY == "rumors_submitted_code"


def test_without_javascript_a_refused_form_shows_matching_debunks_in_place(
    client, published_debunk
):
    typed = {**VALID, "content": "微信群流传鹿城区下周全面停水三天。", "platform": ""}
    html = _page(client.post("/reports/new/", typed))
    box = html.split('id="debunk-suggestions"', 1)[1].split("</div>", 1)[0]
    assert "hidden" not in box.split(">", 1)[0]
    assert "<details" in box
    assert published_debunk.summary in box
    assert "_blank" not in box


def test_the_private_link_sent_to_a_phone_says_to_which_number(client, district_rules, settings):
    settings.SMS_BACKEND = "wenzhou_portal.sms.LocmemSMSBackend"
    assert client.post("/reports/new/", VALID).status_code == 302
    sent = client.post("/reports/submitted/send-link/", {"address": "138 1234 5678"})
    assert sent.status_code == 302
    html = _page(client.get("/reports/submitted/"))
    assert "查询链接已发送到您的手机 138****5678" in html


# --- The reporter's answer keeps its good screenshots too -------------------------------------


@pytest.fixture
def waiting(routed, lucheng_handler):
    from rumors import services

    services.report_accept(report_id=routed.pk, actor=lucheng_handler)
    services.report_pause(report_id=routed.pk, actor=lucheng_handler, request_text="请提供截图。")
    return routed


def test_an_answer_with_one_bad_file_keeps_the_good_one_for_the_retry(client, waiting):
    files = [upload("shot.png", image_bytes()), upload("photo3.heic", b"not an image" * 20)]
    answer = {"code": waiting.tracking_code, "text": "截图在这里。", "images": files}
    html = _page(client.post("/reports/track/answer/", answer))
    assert "photo3.heic：" in html
    assert "已保留：shot.png" in html
    retry = {
        "code": waiting.tracking_code,
        "text": "截图在这里。",
        "held_images": _held_token(html),
    }
    assert client.post("/reports/track/answer/", retry).status_code == 302
    assert Evidence.objects.filter(report=waiting).count() == 1


def test_a_flood_refusal_keeps_what_was_already_held_without_reading_new_files(client, settings):
    settings.REPORT_FLOOD_LIMIT = "1/m"
    files = [upload("a.png", image_bytes())]
    html = _page(client.post("/reports/new/", {**VALID, "content": "短", "images": files}))
    again = {
        **VALID,
        "held_images": _held_token(html),
        "images": [upload("b.png", image_bytes())],
    }
    response = client.post("/reports/new/", again)
    page = _page(response)
    assert response.status_code == 429
    assert "已保留：a.png" in page
    assert "已保留：b.png" not in page  # a flood is refused before its uploads are decoded
    assert VALID["content"] in page
