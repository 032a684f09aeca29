"""What an elderly citizen meets on campaign pages, and what an editor meets in admin."""

import re

import pytest
from django.core.cache import cache

from campaigns.admin import CampaignAdmin, CampaignForm
from campaigns.models import Campaign, CampaignTag, EventRegistration, Signature
from campaigns.slugs import slug_from_title, slug_unused
from tests.campaigns.test_audit_staff_writes import CHANGELIST, _action
from tests.campaigns.test_campaigns import make_campaign
from wenzhou_portal.sms import LocmemSMSBackend

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sms_and_cache(settings):
    settings.SMS_BACKEND = "wenzhou_portal.sms.LocmemSMSBackend"
    LocmemSMSBackend.outbox.clear()
    cache.clear()


def _code() -> str:
    return re.search(r"(\d{6})", LocmemSMSBackend.outbox[-1][1]).group(1)


# --- Phone numbers as people type them ------------------------------------------------


def test_a_number_typed_with_spaces_is_understood_and_shown_back_masked(client):
    campaign = make_campaign("pledge")
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert 'maxlength="11"' not in page
    response = client.post(f"/campaigns/{campaign.slug}/pledge/code/", {"phone": "138 1234 5678"})
    html = response.content.decode()
    assert response.status_code == 200
    assert LocmemSMSBackend.outbox[-1][0] == "13812345678"
    assert "验证码已发送到 138****5678" in html
    assert "将记录为：138****5678" in html
    assert html.index('id="outcome"') < html.index("<h1>")  # the answer comes first
    assert 'action="/campaigns/' + campaign.slug + '/pledge/sign/#outcome"' in html
    signed = client.post(
        f"/campaigns/{campaign.slug}/pledge/sign/",
        {"code": " ".join(_code()), "display_name": "周"},
    )
    assert signed.status_code == 302
    assert signed["Location"].endswith("#outcome")
    assert Signature.objects.count() == 1


def test_an_event_sign_up_with_spaces_in_the_number_and_the_code(client):
    campaign = make_campaign("event", capacity=5)
    response = client.post(
        f"/campaigns/{campaign.slug}/register/", {"name": "周阿姨", "phone": "139 0000 0001"}
    )
    assert "验证码已发送到 139****0001" in response.content.decode()
    code = _code()
    done = client.post(
        f"/campaigns/{campaign.slug}/register/confirm/", {"code": f"{code[:3]} {code[3:]}"}
    )
    assert done.status_code == 200
    assert EventRegistration.objects.get().phone_tail == "0001"


def test_the_api_reads_a_number_with_spaces(client):
    campaign = make_campaign("pledge")
    response = client.post(
        f"/api/v1/campaigns/{campaign.slug}/phone-code/", {"phone": "138 1234 5678"}
    )
    assert response.status_code == 201
    assert LocmemSMSBackend.outbox[-1][0] == "13812345678"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"phone": ""}, "请填写手机号码。"),
        ({"phone": "12345"}, "请输入 11 位中国大陆手机号码"),
    ],
)
def test_phone_mistakes_are_told_in_plain_words_first(client, data, message):
    campaign = make_campaign("pledge")
    response = client.post(f"/campaigns/{campaign.slug}/pledge/code/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert html.index('id="outcome"') < html.index("error-summary") < html.index("<h1>")
    assert 'href="#id_phone"' in html


def test_wrong_looking_codes_and_long_names_get_human_messages(client):
    campaign = make_campaign("pledge")
    client.post(f"/campaigns/{campaign.slug}/pledge/code/", {"phone": "13812345678"})
    html = client.post(
        f"/campaigns/{campaign.slug}/pledge/sign/", {"code": "12ab", "display_name": "张" * 21}
    ).content.decode()
    assert "验证码是 6 位数字" in html
    assert "署名最多 20 个字" in html
    assert "确保该值" not in html


# --- Event sign-up result: a short code and a QR, nothing too wide --------------------


def _register(client, campaign, phone="13900000001"):
    client.post(f"/campaigns/{campaign.slug}/register/", {"name": "周阿姨", "phone": phone})
    return client.post(f"/campaigns/{campaign.slug}/register/confirm/", {"code": _code()})


def test_the_result_page_gives_a_short_code_and_a_qr_instead_of_a_long_link(client):
    campaign = make_campaign("event", capacity=5)
    html = _register(client, campaign).content.decode()
    registration = EventRegistration.objects.get()
    assert re.fullmatch(r"[34679ACDEFGHJKMNPQRTUVWXY]{6}", registration.short_code)
    assert f'<p class="short-code" lang="en">{registration.short_code}</p>' in html
    assert 'src="data:image/svg+xml;base64,' in html
    assert "/campaigns/cancel/" in html  # where to enter it
    # The long link is a button's target, never text to copy.
    assert f">http://testserver/campaigns/cancel/{registration.cancel_token}" not in html
    assert html.index('id="outcome"') < html.index("报名成功")


def test_cancelling_with_the_code_as_typed_on_a_phone(client):
    campaign = make_campaign("event", capacity=5)
    _register(client, campaign)
    registration = EventRegistration.objects.get()
    typed = " ".join(registration.short_code.lower())  # spaces, lower case
    typed = typed.replace("a", "ａ")  # a full-width letter from a Chinese keyboard
    found = client.post("/campaigns/cancel/", {"code": typed, "phone_tail": "0001"})
    assert found.status_code == 302
    assert found["Location"] == f"/campaigns/cancel/{registration.cancel_token}/#outcome"
    client.post(found["Location"].split("#")[0])
    registration.refresh_from_db()
    assert registration.status == EventRegistration.Status.CANCELLED


def test_a_wrong_code_or_tail_finds_nothing_and_says_what_to_check(client):
    campaign = make_campaign("event", capacity=5)
    _register(client, campaign)
    code = EventRegistration.objects.get().short_code
    for data in ({"code": code, "phone_tail": "9999"}, {"code": "XXXXXX", "phone_tail": "0001"}):
        response = client.post("/campaigns/cancel/", data)
        assert response.status_code == 400
        assert "没有找到这个报名" in response.content.decode()
    empty = client.post("/campaigns/cancel/", {"code": "", "phone_tail": ""})
    assert "请填写取消码" in empty.content.decode()


# --- Theme pages show only the figures they have --------------------------------------


def test_a_theme_page_shows_no_entries_or_votes(client):
    theme = make_campaign("theme")
    html = client.get(theme.get_absolute_url()).content.decode()
    assert "投稿数" not in html
    assert "有效票数" not in html
    assert "浏览量" in html
    contest = make_campaign("contest")
    html = client.get(contest.get_absolute_url()).content.decode()
    assert "投稿数" in html
    assert "有效票数" in html


# --- English texts --------------------------------------------------------------------


def test_english_pages_and_the_api_carry_the_english_texts(client):
    campaign = make_campaign(
        "pledge",
        title="文明上网",
        title_en="Civil online",
        summary_en="Sign the pledge",
        organiser_en="Wenzhou CAC",
    )
    CampaignTag.objects.create(campaign=campaign, name="青少年", name_en="Youth")
    client.cookies["django_language"] = "en"
    html = client.get(campaign.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Civil online" in html
    assert "Sign the pledge" in html
    assert "Youth" in html
    detail = client.get(f"/api/v1/campaigns/{campaign.slug}/").json()
    assert (detail["title_en"], detail["summary_en"], detail["organiser_en"]) == (
        "Civil online",
        "Sign the pledge",
        "Wenzhou CAC",
    )
    assert detail["tags_en"] == ["Youth"]


# --- Admin: slugs, parts by kind, publishing ------------------------------------------


def test_a_slug_is_made_from_a_chinese_title():
    assert slug_from_title("文明上网，从你我做起") == "wen-ming-shang-wang-cong-ni-wo-zuo-qi"
    assert slug_from_title("“最美IN温州”创意大赛") == "zui-mei-in-wen-zhou-chuang-yi-da-sai"
    assert slug_from_title("！！！") == "campaign"


def test_a_slug_clash_gets_a_number():
    Campaign.objects.create(title="a", slug="wen-ming", kind="theme", summary="s", **_dates())
    Campaign.objects.create(title="b", slug="wen-ming-2", kind="theme", summary="s", **_dates())
    assert slug_unused("wen-ming") == "wen-ming-3"
    assert slug_unused("fresh") == "fresh"


def _dates() -> dict:
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    return {"starts_at": now, "ends_at": now + timedelta(days=3)}


def _form_data(**changes) -> dict:
    data = {
        "title": "文明上网",
        "slug": "",
        "kind": "theme",
        "summary": "简介",
        "organiser": "温州市委网信办",
        "starts_at": "2026-12-01 09:00",
        "ends_at": "2026-12-31 18:00",
        "votes_per_day": 1,
        "public_weight": 40,
    }
    return {**data, **changes}


def test_the_admin_form_makes_the_slug_when_left_blank_and_numbers_a_clash():
    form = CampaignForm(data=_form_data())
    assert form.is_valid(), form.errors
    first = form.save()
    assert first.slug == "wen-ming-shang-wang"
    again = CampaignForm(data=_form_data())
    assert again.is_valid(), again.errors
    assert again.save().slug == "wen-ming-shang-wang-2"


def test_a_typed_slug_that_is_taken_or_chinese_is_explained():
    Campaign.objects.filter(pk=make_campaign("theme", title="先来的活动").pk).update(slug="taken")
    taken = CampaignForm(data=_form_data(slug="taken"))
    assert not taken.is_valid()
    assert "已被活动《先来的活动》使用" in taken.errors["slug"][0]
    chinese = CampaignForm(data=_form_data(slug="文明"))
    assert not chinese.is_valid()
    assert "留空" in chinese.errors["slug"][0]


def _fields(fieldsets) -> set[str]:
    return {name for _title, options in fieldsets for name in options["fields"]}


@pytest.mark.parametrize(
    ("kind", "shown", "hidden"),
    [
        ("theme", set(), {"votes_per_day", "public_weight", "capacity", "venue"}),
        ("pledge", set(), {"votes_per_day", "capacity"}),
        ("vote", {"votes_per_day", "public_weight", "vote_starts_at"}, {"capacity", "venue"}),
        ("contest", {"votes_per_day", "hide_tallies_while_open"}, {"capacity"}),
        ("event", {"capacity", "venue"}, {"votes_per_day", "public_weight"}),
    ],
)
def test_admin_shows_only_the_parts_a_kind_uses(rf, kind, shown, hidden):
    from django.contrib import admin

    model_admin = CampaignAdmin(Campaign, admin.site)
    every = _fields(model_admin.get_fieldsets(rf.get("/"), None))
    assert {"votes_per_day", "capacity", "title_en", "slug"} <= every  # a new one: all
    fields = _fields(model_admin.get_fieldsets(rf.get("/"), make_campaign(kind)))
    assert shown <= fields
    assert not hidden & fields


def test_publishing_says_so_and_names_the_public_page(client, campaign_editor):
    draft = make_campaign("theme", published=False, title="草稿活动")
    client.force_login(campaign_editor)
    response = _action(client, CHANGELIST, "publish", draft)
    shown = [str(m) for m in response.wsgi_request._messages]
    assert any("《草稿活动》已发布" in m and draft.get_absolute_url() in m for m in shown)


def test_the_change_page_offers_save_and_publish_for_a_draft(client, campaign_editor):
    from tests.campaigns.test_audit_staff_writes import _campaign_form

    draft = make_campaign("theme", published=False, title="草稿活动")
    client.force_login(campaign_editor)
    url = f"{CHANGELIST}{draft.pk}/change/"
    assert 'name="_publish"' in client.get(url).content.decode()
    response = client.post(url, _campaign_form(draft, _publish="保存并发布"), follow=True)
    draft.refresh_from_db()
    assert draft.is_published
    assert "《草稿活动》已发布" in response.content.decode()
    assert 'name="_publish"' not in client.get(url).content.decode()


def test_the_add_page_shows_every_part_and_a_vote_change_page_its_own(client, campaign_editor):
    client.force_login(campaign_editor)
    add = client.get(f"{CHANGELIST}add/").content.decode()
    for part in ("英文（选填）", "投票与评审", "报名（宣讲活动）", "留空则按标题自动生成"):
        assert part in add
    vote = make_campaign("vote")
    change = client.get(f"{CHANGELIST}{vote.pk}/change/").content.decode()
    assert "投票与评审" in change
    assert 'name="capacity"' not in change
    assert 'name="candidates-TOTAL_FORMS"' in change
    theme = make_campaign("theme")
    change = client.get(f"{CHANGELIST}{theme.pk}/change/").content.decode()
    assert 'name="votes_per_day"' not in change
    assert 'name="candidates-TOTAL_FORMS"' not in change


def test_an_english_page_marks_chinese_staff_text_that_has_no_english(client):
    campaign = make_campaign("pledge", title="文明上网")
    client.cookies["django_language"] = "en"
    html = client.get(campaign.get_absolute_url()).content.decode()
    assert '<span lang="zh-Hans">文明上网</span> <span class="zh-fallback">(中文)</span>' in html
    assert "<title>文明上网 (中文)" in html  # plain text where no HTML is allowed
