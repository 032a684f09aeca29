"""English for what staff write: a debunk in English where translated, marked Chinese where not.

Debunks, their sources and tags, and departments have optional <field>_en siblings. An
English page shows them when filled in, and otherwise the Chinese with a visible "(中文)"
mark; the API gives both; admin edits them in one collapsed "English" fieldset.
"""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.test import Client

from rumors import services
from rumors.models import Debunk, DebunkSource, DebunkTag, Department

pytestmark = pytest.mark.django_db

FALLBACK_HTML = '<span class="zh-fallback">(中文)</span>'
CHINESE_PUNCTUATION = re.compile("[：，。；（）“”！？、《》【】]")


@pytest.fixture
def english(client):
    """A visitor who chose English with the language switch."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def translated(published_debunk, office):
    """The water-cut debunk with every public text in English too."""
    Debunk.objects.filter(pk=published_debunk.pk).update(
        title_en='"Lucheng water cut for three days" is a rumor',
        claim_en="WeChat groups say Lucheng's water will be cut for three days next week.",
        summary_en="Wenzhou Water: there is no plan to cut Lucheng's water.",
        body_en="## Checked\n\nSupply is normal.",
    )
    Department.objects.filter(pk=office.pk).update(name_en="Wenzhou Cyberspace Affairs Office")
    DebunkSource.objects.filter(debunk=published_debunk).update(title_en="Wenzhou Water notice")
    services.debunk_codes_set(
        debunk=published_debunk,
        districts=published_debunk.district_codes,
        categories=published_debunk.category_codes,
        tags=["民生", "供水"],
        tags_en={"民生": "Daily life", "供水": "Water supply"},
    )
    published_debunk.refresh_from_db()
    return published_debunk


def _main(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def test_an_english_page_shows_the_english_staff_wrote(english, translated):
    html = english.get(translated.get_absolute_url()).content.decode()
    main = _main(html)
    assert "&quot;Lucheng water cut for three days&quot; is a rumor" in main
    assert "Supply is normal." in main
    assert "Wenzhou Cyberspace Affairs Office" in main
    assert "Wenzhou Water notice" in main
    assert "Daily life" in main
    assert "Water supply" in main
    assert "Verdict: " in main
    assert "(中文)" not in html
    assert "鹿城区全面停水三天" not in html
    assert "<title>&quot;Lucheng water cut" in html


def test_an_english_page_shows_untranslated_text_in_chinese_with_a_mark(english, published_debunk):
    html = english.get(published_debunk.get_absolute_url()).content.decode()
    main = _main(html)
    # The HTML variant: the Chinese in lang="zh-Hans", then the mark.
    assert (
        f'<h1><span lang="zh-Hans">“鹿城区全面停水三天”系谣言</span> {FALLBACK_HTML}</h1>' in main
    )
    assert main.count(FALLBACK_HTML) >= 5  # title, claim, summary, body, authority, ...
    # The text variant where no HTML is allowed: <title>, meta, attributes.
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert "(中文)" in title
    assert "<span" not in title
    og_title = re.search(r'<meta property="og:title" content="([^"]*)"', html).group(1)
    assert og_title.startswith("[")
    assert og_title.endswith("(中文)")


def test_a_chinese_page_shows_chinese_without_a_mark(client, translated):
    html = client.get(translated.get_absolute_url()).content.decode()
    assert "鹿城区全面停水三天" in html
    assert "(中文)" not in html
    assert "Lucheng water cut" not in html
    assert "结论：" in html


def test_a_debunk_page_in_english_has_no_chinese_colon_or_punctuation(
    english, translated, office_admin
):
    services.debunk_correct(debunk_id=translated.pk, actor=office_admin, note="更正了日期。")
    Debunk.objects.filter(pk=translated.pk).update(correction_note_en="The date was corrected.")
    for path in (translated.get_absolute_url(), "/debunks/"):
        main = _main(english.get(path).content.decode())
        assert not CHINESE_PUNCTUATION.findall(main), (path, CHINESE_PUNCTUATION.findall(main))
    main = _main(english.get(translated.get_absolute_url()).content.decode())
    assert "The date was corrected." in main


def test_a_withdrawn_debunk_in_english_gives_the_english_reason(english, translated, office_admin):
    services.debunk_withdraw(
        debunk_id=translated.pk,
        actor=office_admin,
        reason="发布机关重新核实后撤回。",
        reason_en="Withdrawn by the issuing office after a second check.",
    )
    gone = english.get(f"/api/v1/debunks/{translated.slug}/")
    assert gone.status_code == 410
    assert gone.json()["withdrawal_reason_en"] == (
        "Withdrawn by the issuing office after a second check."
    )
    assert gone.json()["authority_en"] == "Wenzhou Cyberspace Affairs Office"
    response = english.get(translated.get_absolute_url())
    assert response.status_code == 410
    main = _main(response.content.decode())
    assert "Withdrawn by the issuing office after a second check." in main
    assert not CHINESE_PUNCTUATION.findall(main)


def test_the_list_and_search_work_in_english(english, translated):
    main = _main(english.get("/debunks/", {"q": "water cut"}).content.decode())
    assert "is a rumor" in main
    assert "no plan to cut Lucheng" in main
    assert "(中文)" not in main


def test_the_feed_and_claim_review_follow_the_page_language(english, published_debunk):
    feed = ET.fromstring(english.get("/debunks/feed/").content)
    ns = {"atom": "http://www.w3.org/2005/Atom"}
    title = feed.find("atom:entry/atom:title", ns).text
    assert title.startswith("[Rumor] ")
    assert title.endswith("(中文)")
    assert "<span" not in title
    html = english.get(published_debunk.get_absolute_url()).content.decode()
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1))
    assert ld["claimReviewed"] == f"{published_debunk.claim} (中文)"
    Debunk.objects.filter(pk=published_debunk.pk).update(claim_en="Water cut for three days.")
    html = english.get(published_debunk.get_absolute_url()).content.decode()
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1))
    assert ld["claimReviewed"] == "Water cut for three days."
    # Chinese visitors' feed is unchanged.
    chinese = ET.fromstring(Client().get("/debunks/feed/").content)
    assert chinese.find("atom:entry/atom:title", ns).text.startswith("【")


def test_the_api_gives_the_english_fields(client, translated):
    row = client.get("/api/v1/debunks/").json()["results"][0]
    assert row["title_en"] == translated.title_en
    assert row["summary_en"] == translated.summary_en
    assert row["authority_en"] == "Wenzhou Cyberspace Affairs Office"
    detail = client.get(f"/api/v1/debunks/{translated.slug}/").json()
    assert detail["claim_en"] == translated.claim_en
    assert detail["body_en"] == translated.body_en
    assert detail["correction_note_en"] == ""
    assert detail["tags"] == ["供水", "民生"]
    assert detail["tags_en"] == ["Water supply", "Daily life"]
    assert detail["sources"][0]["title_en"] == "Wenzhou Water notice"
    label = client.get("/api/v1/debunks/labels/").json()[0]
    assert label["claim_en"] == translated.claim_en
    assert label["authority_en"] == "Wenzhou Cyberspace Affairs Office"


def test_an_untranslated_debunk_gives_empty_english_in_the_api(client, published_debunk):
    detail = client.get(f"/api/v1/debunks/{published_debunk.slug}/").json()
    assert detail["title_en"] == ""
    assert detail["tags_en"] == ["", ""]


def _change_form(debunk, **overrides) -> dict:
    source = debunk.sources.get()
    data = {
        "title": debunk.title,
        "slug": debunk.slug,
        "claim": debunk.claim,
        "verdict": debunk.verdict,
        "summary": debunk.summary,
        "body": debunk.body,
        "authority": debunk.authority_id,
        "keywords": debunk.keywords,
        "district_choices": debunk.district_codes,
        "category_choices": debunk.category_codes,
        "tags_text": "民生，供水",
        "title_en": "Lucheng water cut: a rumor",
        "claim_en": "Water cut for three days.",
        "summary_en": "No water cut is planned.",
        "body_en": "Supply is **normal**.",
        "tags_text_en": "Daily life, Water supply",
        "sources-TOTAL_FORMS": "1",
        "sources-INITIAL_FORMS": "1",
        "sources-0-id": source.pk,
        "sources-0-debunk": debunk.pk,
        "sources-0-title": source.title,
        "sources-0-title_en": "Wenzhou Water notice",
        "sources-0-url": source.url,
        "appearances-TOTAL_FORMS": "0",
        "appearances-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_admin_saves_the_english_fields(client, debunk, office_admin):
    client.force_login(office_admin)
    form = client.get(f"/admin/rumors/debunk/{debunk.pk}/change/").content.decode()
    assert "English / 英文" in form
    response = client.post(f"/admin/rumors/debunk/{debunk.pk}/change/", _change_form(debunk))
    assert response.status_code == 302, response.content.decode()[:3000]
    debunk.refresh_from_db()
    assert debunk.title_en == "Lucheng water cut: a rumor"
    assert debunk.claim_en == "Water cut for three days."
    assert debunk.summary_en == "No water cut is planned."
    assert debunk.body_en == "Supply is **normal**."
    assert debunk.sources.get().title_en == "Wenzhou Water notice"
    assert dict(DebunkTag.objects.filter(debunk=debunk).values_list("name", "name_en")) == {
        "民生": "Daily life",
        "供水": "Water supply",
    }
    # Opened again, the English tags are shown in the order of the Chinese ones.
    form = client.get(f"/admin/rumors/debunk/{debunk.pk}/change/").content.decode()
    assert 'value="Water supply, Daily life"' in form


def test_admin_refuses_english_tags_that_do_not_pair_with_the_chinese(client, debunk, office_admin):
    client.force_login(office_admin)
    response = client.post(
        f"/admin/rumors/debunk/{debunk.pk}/change/",
        _change_form(debunk, tags_text_en="Daily life"),
    )
    assert response.status_code == 200
    assert "英文标签要与中文标签一一对应：中文 2 个，英文 1 个。" in response.content.decode()
    debunk.refresh_from_db()
    assert debunk.title_en == ""


def test_admin_clears_english_tags_left_empty(client, translated, office_admin):
    client.force_login(office_admin)
    Debunk.objects.filter(pk=translated.pk).update(is_published=False, published_at=None)
    translated.refresh_from_db()
    response = client.post(
        f"/admin/rumors/debunk/{translated.pk}/change/",
        _change_form(translated, tags_text_en=""),
    )
    assert response.status_code == 302
    assert set(translated.tag_links.values_list("name_en", flat=True)) == {""}


def test_admin_saves_a_departments_english_name(client, police, office_admin):
    client.force_login(office_admin)
    response = client.post(
        f"/admin/rumors/department/{police.pk}/change/",
        {
            "name": police.name,
            "name_en": "Wenzhou Public Security Bureau, Cyber Security Detachment",
            "kind": police.kind,
            "district": "",
            "email": police.email,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    police.refresh_from_db()
    assert police.name_en == "Wenzhou Public Security Bureau, Cyber Security Detachment"


def test_the_withdraw_form_takes_an_english_reason(client, translated, office_admin):
    client.force_login(office_admin)
    response = client.post(
        f"/admin/rumors/debunk/{translated.pk}/withdraw/",
        {"reason": "核实有误。", "reason_en": "Found to be wrong."},
    )
    assert response.status_code == 302
    translated.refresh_from_db()
    assert translated.withdrawal_reason_en == "Found to be wrong."


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_english_reader_on_a_phone_sees_which_text_is_still_chinese(
    live_server, phone_page, published_debunk
):
    from tests.browser import run_axe
    from tests.support import ARTIFACTS

    Debunk.objects.filter(pk=published_debunk.pk).update(
        title_en='"Lucheng water cut for three days" is a rumor'
    )
    page = phone_page
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    page.goto(live_server.url + published_debunk.get_absolute_url())
    assert page.locator("h1").inner_text() == '"Lucheng water cut for three days" is a rumor'
    assert page.locator(".verdict").inner_text() == "Verdict: Rumor"
    # The summary is still Chinese: shown, in lang="zh-Hans" (read-aloud picks a Chinese
    # voice), and marked so an English reader knows why.
    lead = page.locator(".lead")
    assert lead.inner_text() == "温州水务：鹿城区没有停水计划。 (中文)"
    assert lead.locator('[lang="zh-Hans"]').count() == 1
    labels = " ".join(page.locator(".verdict, .meta, main h1, main h2").all_inner_texts())
    assert "Issued by: " in labels
    assert "：" not in labels
    assert run_axe(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "debunk-english-fallback.png"), full_page=True)
