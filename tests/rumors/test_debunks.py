"""Debunks: publishing closes linked reports, search, ClaimReview, feeds and labels."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.http import http_date

from rumors import selectors, services
from rumors.models import Debunk, EventKind, Report, Status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def publish(debunk, actor, capture):
    with capture(execute=True):
        services.debunk_publish(debunk_id=debunk.pk, actor=actor)
    debunk.refresh_from_db()
    return debunk


def test_publishing_closes_every_linked_report_with_a_link(
    client, submit, district_rules, debunk, office_admin, django_capture_on_commit_callbacks
):
    reports = [
        submit(
            contact_email=f"r{i}@example.org",
            contact_consent=True,
            content=f"第{i}条：鹿城区全面停水三天的消息",
        )
        for i in range(3)
    ]
    for report in reports:
        services.report_link_debunk(report_id=report.pk, actor=office_admin, debunk_id=debunk.pk)
    mail.outbox.clear()
    publish(debunk, office_admin, django_capture_on_commit_callbacks)
    for report in reports:
        report.refresh_from_db()
        assert report.status == Status.RESOLVED
        assert "/debunks/water-cut-rumor/" in report.public_feedback
        page = client.post("/reports/track/", {"code": report.tracking_code}).content.decode()
        assert "/debunks/water-cut-rumor/" in page
        assert report.events.filter(kind=EventKind.RESOLVED).count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == [f"r{i}@example.org" for i in range(3)]
    # A second run of the task (a redelivery) changes nothing.
    assert services.debunk_close_linked_reports(debunk_id=debunk.pk) == 0
    assert Report.objects.filter(events__kind=EventKind.RESOLVED).count() == 3


def test_a_report_linked_after_publication_closes_at_once(
    submit, district_rules, debunk, office_admin, django_capture_on_commit_callbacks
):
    publish(debunk, office_admin, django_capture_on_commit_callbacks)
    report = submit()
    services.report_link_debunk(report_id=report.pk, actor=office_admin, debunk_id=debunk.pk)
    report.refresh_from_db()
    assert report.status == Status.RESOLVED


def test_departments_draft_but_only_the_office_publishes(debunk, lucheng_handler):
    with pytest.raises(PermissionDenied):
        services.debunk_publish(debunk_id=debunk.pk, actor=lucheng_handler)
    debunk.refresh_from_db()
    assert not debunk.is_published


def test_a_correction_is_dated_and_tells_each_reporter_once(
    client, submit, district_rules, debunk, office_admin, django_capture_on_commit_callbacks
):
    report = submit(contact_email="r@example.org", contact_consent=True)
    services.report_link_debunk(report_id=report.pk, actor=office_admin, debunk_id=debunk.pk)
    publish(debunk, office_admin, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.debunk_correct(
            debunk_id=debunk.pk, actor=office_admin, note="停水范围应为部分街道。"
        )
    assert len(mail.outbox) == 1
    assert "更正" in mail.outbox[0].body
    assert services.debunk_tell_reporters_of_correction(debunk_id=debunk.pk) == 0
    # Staff read a sentence in the report's log, not the task's bookkeeping.
    told = report.events.exclude(once_key="").get()
    assert told.internal_text == "辟谣更正后，再次告知举报人。"
    assert not report.events.filter(internal_text__startswith="debunk-").exists()
    page = client.get("/debunks/water-cut-rumor/").content.decode()
    assert "停水范围应为部分街道。" in page
    assert timezone.localdate().isoformat() in page


def test_drafts_are_not_public(client, debunk):
    assert client.get("/debunks/water-cut-rumor/").status_code == 404
    assert "鹿城区全面停水" not in client.get("/debunks/").content.decode()


@pytest.fixture
def published(debunk, office_admin, django_capture_on_commit_callbacks):
    return publish(debunk, office_admin, django_capture_on_commit_callbacks)


@pytest.mark.parametrize(
    "q",
    [
        "",
        "停水",
        "x" * 10_000,
        "' OR 1=1; DROP TABLE rumors_report; --",
        ".*[(",
        "%_%",
        "😀🚰",
        "\\",
    ],
)
def test_search_answers_any_string_normally(client, published, q):
    response = client.get("/debunks/", {"q": q})
    assert response.status_code == 200


def test_search_finds_chinese_text_and_filters_narrow_it(client, published):
    assert "鹿城区全面停水三天" in client.get("/debunks/", {"q": "停水"}).content.decode()
    assert "鹿城区全面停水三天" not in client.get("/debunks/", {"q": "燃气"}).content.decode()
    assert "鹿城区全面停水三天" in client.get("/debunks/", {"district": "330302"}).content.decode()
    assert (
        "鹿城区全面停水三天" not in client.get("/debunks/", {"district": "330303"}).content.decode()
    )
    assert "鹿城区全面停水三天" not in client.get("/debunks/", {"verdict": "true"}).content.decode()
    assert "鹿城区全面停水三天" in client.get("/debunks/", {"category": "rumor"}).content.decode()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert (
        "鹿城区全面停水三天"
        not in client.get("/debunks/", {"date_from": tomorrow}).content.decode()
    )
    assert client.get("/debunks/", {"date_from": "not a date"}).status_code == 200


def test_search_paginates(client, office, published):
    for i in range(12):
        Debunk.objects.create(
            slug=f"d{i}",
            title=f"辟谣{i}",
            claim="c",
            verdict="false",
            summary="s",
            authority=office,
            is_published=True,
            published_at=timezone.now() - timedelta(days=i + 1),
        )
    first = client.get("/debunks/").content.decode()
    second = client.get("/debunks/", {"page": 2}).content.decode()
    assert "第 1 / 2 页" in first
    assert "辟谣11" in second
    assert client.get("/debunks/", {"page": "999"}).status_code == 200


def test_markdown_body_cannot_inject_script(client, published):
    html = client.get("/debunks/water-cut-rumor/").content.decode()
    body = html.split('class="body"', 1)[1].split("</div>", 1)[0]
    assert "<script" not in body
    assert "javascript:" not in body
    assert "<h2>核实</h2>" in body


def test_detail_carries_claimreview_jsonld_field_by_field(client, published):
    html = client.get("/debunks/water-cut-rumor/").content.decode()
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(raw)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "ClaimReview"
    assert data["claimReviewed"] == "微信群流传鹿城区下周全面停水三天。"
    assert data["url"].endswith("/debunks/water-cut-rumor/")
    assert data["datePublished"] == timezone.localtime(published.published_at).date().isoformat()
    assert data["author"] == {"@type": "Organization", "name": "温州市委网信办"}
    rating = data["reviewRating"]
    assert rating["@type"] == "Rating"
    assert rating["alternateName"] == "谣言"
    assert (rating["worstRating"], rating["ratingValue"], rating["bestRating"]) == (1, 1, 5)
    claim = data["itemReviewed"]
    assert claim["@type"] == "Claim"
    assert claim["appearance"] == [
        {"@type": "CreativeWork", "url": "https://mp.weixin.qq.com/s/water"}
    ]
    assert '<meta property="og:title"' in html
    assert "温州水务公告" in html  # sources
    assert "温州市委网信办" in html  # authority


def test_a_claim_with_script_closing_text_stays_inside_its_jsonld(client, published):
    Debunk.objects.filter(pk=published.pk).update(claim="</script><script>alert(1)</script>")
    html = client.get("/debunks/water-cut-rumor/").content.decode()
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert json.loads(raw)["claimReviewed"] == "</script><script>alert(1)</script>"


def test_related_debunks_share_a_category_or_district(client, office, published):
    other = Debunk.objects.create(
        slug="other",
        title="另一条供水谣言",
        claim="c",
        verdict="false",
        summary="s",
        authority=office,
        is_published=True,
        published_at=timezone.now(),
    )
    services.debunk_codes_set(debunk=other, districts=[], categories=["rumor"], tags=[])
    assert selectors.debunks_related(published) == [other]


def test_the_atom_feed_is_valid_and_lists_published_debunks(client, published):
    response = client.get("/debunks/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    entries = root.findall("a:entry", ns)
    assert len(entries) == 1
    assert "鹿城区全面停水三天" in entries[0].find("a:title", ns).text
    assert entries[0].find("a:id", ns).text
    assert entries[0].find("a:updated", ns).text


def test_the_label_feed_lists_what_platforms_need(client, published):
    body = client.get("/api/v1/debunks/labels/").json()
    assert len(body) == 1
    label = body[0]
    assert label["id"] == f"wenzhou-debunk-{published.pk}"
    assert label["claim"] == published.claim
    assert label["keywords"] == ["停水", "全面停水"]
    assert label["urls"] == ["https://mp.weixin.qq.com/s/water"]
    assert label["verdict"] == "false"
    assert label["authority"] == "温州市委网信办"
    assert label["valid_from"]


def test_the_label_feed_answers_conditional_requests(client, published, office):
    first = client.get("/api/v1/debunks/labels/")
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert client.get("/api/v1/debunks/labels/", headers={"if-none-match": etag}).status_code == 304
    assert (
        client.get(
            "/api/v1/debunks/labels/", headers={"if-modified-since": last_modified}
        ).status_code
        == 304
    )
    Debunk.objects.filter(pk=published.pk).update(updated_at=timezone.now() + timedelta(seconds=5))
    changed = client.get("/api/v1/debunks/labels/", headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    old = http_date((timezone.now() - timedelta(days=1)).timestamp())
    assert (
        client.get("/api/v1/debunks/labels/", headers={"if-modified-since": old}).status_code == 200
    )


def test_the_label_feed_gives_increments_since_a_time(client, published, office):
    cutoff = timezone.now() + timedelta(seconds=1)
    Debunk.objects.create(
        slug="newer",
        title="新辟谣",
        claim="新说法",
        verdict="misleading",
        summary="s",
        authority=office,
        is_published=True,
        published_at=timezone.now(),
    )
    Debunk.objects.filter(slug="newer").update(updated_at=cutoff + timedelta(seconds=1))
    body = client.get("/api/v1/debunks/labels/", {"since": cutoff.isoformat()}).json()
    assert [label["claim"] for label in body] == ["新说法"]
    bad = client.get("/api/v1/debunks/labels/", {"since": "yesterday"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "since"


def test_the_debunk_api_searches_and_details(client, published):
    rows = client.get("/api/v1/debunks/", {"q": "停水"}).json()["results"]
    assert [row["slug"] for row in rows] == ["water-cut-rumor"]
    assert client.get("/api/v1/debunks/", {"verdict": "true"}).json()["results"] == []
    detail = client.get("/api/v1/debunks/water-cut-rumor/").json()
    assert detail["sources"] == [
        {"title": "温州水务公告", "title_en": "", "url": "https://example.org/water"}
    ]
    assert client.get("/api/v1/debunks/", {"verdict": "nonsense"}).status_code == 400


def test_citizens_see_matching_debunks_before_and_after_reporting(
    client, published, district_rules, django_capture_on_commit_callbacks
):
    found = client.get("/debunks/suggest/", {"q": "听说鹿城区要全面停水三天"}).json()["results"]
    assert [item["url"] for item in found] == ["/debunks/water-cut-rumor/"]
    assert client.get("/debunks/suggest/", {"q": "直播间卖假货"}).json()["results"] == []
    from tests.rumors.test_citizen_pages import VALID

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/reports/new/",
            {**VALID, "category": "rumor", "content": "群里说鹿城区要全面停水三天，大家快囤水。"},
        )
    page = client.get("/reports/submitted/").content.decode()
    assert "这可能已经有答案了" in page
    assert "/debunks/water-cut-rumor/" in page


def test_a_slug_clash_is_refused_with_a_message(client, published, office_admin, office):
    client.force_login(office_admin)
    response = client.post(
        "/admin/rumors/debunk/add/",
        {
            "title": "另一条",
            "slug": "water-cut-rumor",
            "claim": "c",
            "verdict": "false",
            "summary": "s",
            "authority": office.pk,
            "sources-TOTAL_FORMS": "0",
            "sources-INITIAL_FORMS": "0",
            "appearances-TOTAL_FORMS": "0",
            "appearances-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "这个网址名已被其他辟谣使用" in response.content.decode()
    assert Debunk.objects.filter(slug="water-cut-rumor").count() == 1


def test_staff_publish_from_admin_and_linked_reports_close(
    client, submit, district_rules, debunk, office_admin, django_capture_on_commit_callbacks
):
    report = submit()
    client.force_login(office_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/admin/rumors/debunk/{debunk.pk}/change/",
            {
                "title": debunk.title,
                "slug": debunk.slug,
                "claim": debunk.claim,
                "verdict": "false",
                "summary": debunk.summary,
                "body": "",
                "authority": debunk.authority_id,
                "link_report_codes": report.formatted_tracking_code.lower(),
                "sources-TOTAL_FORMS": "0",
                "sources-INITIAL_FORMS": "0",
                "appearances-TOTAL_FORMS": "0",
                "appearances-INITIAL_FORMS": "0",
            },
        )
        client.post(f"/admin/rumors/debunk/{debunk.pk}/publish/")
    report.refresh_from_db()
    assert report.debunk == debunk
    assert report.status == Status.RESOLVED


def test_the_debunk_admin_list_costs_the_same_queries_for_many_debunks(
    client, office, office_admin
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(office_admin)
    Debunk.objects.create(
        slug="d0", title="辟谣0", claim="c", verdict="false", summary="s", authority=office
    )
    client.get("/admin/rumors/debunk/")
    with CaptureQueriesContext(connection) as one:
        client.get("/admin/rumors/debunk/")
    for i in range(1, 6):
        Debunk.objects.create(
            slug=f"d{i}",
            title=f"辟谣{i}",
            claim="c",
            verdict="false",
            summary="s",
            authority=office,
        )
    with CaptureQueriesContext(connection) as six:
        client.get("/admin/rumors/debunk/")
    assert len(six) == len(one)
