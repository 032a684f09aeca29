"""Public pages from the shared cache (wenzhou_portal/page_cache.py), as a visitor meets them.

Anonymous readers share one copy per language and senior-mode setting; a visitor with a
session, a form with a CSRF token and a flash message are never shared; a change to what a
page shows is served as soon as the per-process window has passed (here set to 0, so at
once; tests/reliability/test_multi_node.py checks the 5 s bound across two real nodes).
"""

import pytest
from django.core.cache import cache
from django.test import Client

from rumors import services as rumor_services
from rumors.models import Debunk
from wenzhou_portal import page_cache


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PUBLIC_PAGE_CACHE = True
    settings.PUBLIC_PAGE_CACHE_LOCAL_SECONDS = 5
    cache.clear()
    page_cache.local_clear()
    yield
    page_cache.local_clear()


@pytest.fixture
def debunk(db, make_staff):
    from wenzhou_portal.roles import Role

    item = Debunk.objects.create(
        slug="water-cut",
        title="“鹿城区全面停水三天”系谣言",
        claim="微信群流传鹿城区下周全面停水三天。",
        verdict="false",
        summary="温州水务：鹿城区没有停水计划。",
        body="供水正常。",
        authority=rumor_services.office_department(),
    )
    admin = make_staff("office_admin_pc", Role.OFFICE_ADMIN)
    rumor_services.debunk_publish(debunk_id=item.pk, actor=admin)
    item.refresh_from_db()
    return item


def test_a_second_anonymous_reader_gets_the_copy_without_a_database_query(
    client, debunk, django_assert_num_queries
):
    first = client.get("/debunks/")
    assert first.status_code == 200
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = Client().get("/debunks/")
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert "全面停水三天" in second.content.decode()


def test_a_public_page_carries_no_per_visitor_token(client, debunk):
    for path in ("/", "/debunks/", f"/debunks/{debunk.slug}/", "/index/", "/campaigns/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"csrfmiddlewaretoken" not in response.content, path
        assert "csrftoken" not in response.cookies, path
        assert response["X-Page-Cache"] == "miss", path


def test_a_change_to_the_debunk_is_served_once_the_window_has_passed(client, debunk, settings):
    assert "没有停水计划" in client.get(f"/debunks/{debunk.slug}/").content.decode()
    debunk.summary = "更正：仅两个小区短时检修停水。"
    debunk.save()
    # Inside the window this process still trusts its copy: that is the stated bound.
    assert "没有停水计划" in client.get(f"/debunks/{debunk.slug}/").content.decode()
    settings.PUBLIC_PAGE_CACHE_LOCAL_SECONDS = 0
    fresh = client.get(f"/debunks/{debunk.slug}/")
    assert fresh["X-Page-Cache"] == "miss"
    assert "仅两个小区短时检修停水" in fresh.content.decode()


def test_a_withdrawn_debunk_leaves_the_list_at_once_on_a_process_without_a_copy(
    client, debunk, settings, make_staff
):
    from wenzhou_portal.roles import Role

    assert debunk.title in client.get("/debunks/").content.decode()
    # Another process: its own memory is empty, the shared copy is keyed by the old version.
    page_cache.local_clear()
    admin = make_staff("office_admin_wd", Role.OFFICE_ADMIN)
    rumor_services.debunk_withdraw(debunk_id=debunk.pk, actor=admin, reason="来源已更正，撤回。")
    assert debunk.title not in client.get("/debunks/").content.decode()


@pytest.mark.parametrize(
    ("cookies", "expected", "unexpected"),
    [
        ({"django_language": "en"}, "Official debunks", "官方辟谣</h1>"),
        ({"elder_mode": "1"}, 'class="elder-mode', "Official debunks"),
        ({"elder_mode": "1", "text_size": "x-large"}, "text-x-large", "Official debunks"),
    ],
)
def test_each_language_and_senior_mode_setting_has_its_own_copy(
    client, debunk, cookies, expected, unexpected
):
    plain = client.get("/debunks/").content.decode()
    assert expected not in plain
    other = Client()
    for name, value in cookies.items():
        other.cookies[name] = value
    page = other.get("/debunks/")
    assert page["X-Page-Cache"] == "miss"
    assert expected in page.content.decode()
    assert unexpected not in page.content.decode()


def test_a_visitor_with_a_session_is_never_served_a_shared_copy(client, debunk, make_staff):
    Client().get("/debunks/")
    from wenzhou_portal.roles import Role

    client.force_login(make_staff("reader_with_session", Role.OFFICE_ADMIN))
    response = client.get("/debunks/")
    assert response.status_code == 200
    assert "X-Page-Cache" not in response


def test_a_page_with_a_form_is_rendered_for_each_visitor(client, db):
    for _ in range(2):
        response = Client().get("/reports/new/")
        assert response.status_code == 200
        assert "X-Page-Cache" not in response
        assert b"csrfmiddlewaretoken" in response.content


def test_a_search_has_its_own_copy(client, debunk):
    assert debunk.title in client.get("/debunks/?q=停水").content.decode()
    assert debunk.title not in client.get("/debunks/?q=疫苗").content.decode()


@pytest.mark.parametrize("path", ["/debunks/", "/", "/api/v1/index/latest/", "/api/v1/debunks/"])
def test_a_reader_holding_the_page_is_told_304_not_modified(client, debunk, path):
    first = client.get(path)
    assert first.status_code in (200, 404), path
    if first.status_code == 404:  # no snapshot yet: nothing to revalidate
        return
    etag = first["ETag"]
    again = Client().get(path, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""


def test_the_cache_off_renders_every_time(client, debunk, settings):
    settings.PUBLIC_PAGE_CACHE = False
    assert "X-Page-Cache" not in client.get("/debunks/")


# --- The switches: GET, no token, back where the visitor was ---------------------------


def test_the_language_switch_is_a_link_that_sets_the_cookie_and_returns(client, db):
    response = client.get("/i18n/setlang/", {"language": "en", "next": "/debunks/?q=停水"})
    assert response.status_code == 302
    assert response["Location"] == "/debunks/?q=%E5%81%9C%E6%B0%B4"
    assert response.cookies["django_language"].value == "en"
    assert "Official debunks" in client.get("/debunks/").content.decode()


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/i18n/setlang/", {"language": "fr"}),
        ("/prefs/text-size/", {"size": "huge"}),
        ("/prefs/elder-mode/", {"on": "yes"}),
    ],
)
def test_a_switch_with_an_unknown_value_is_refused_clearly(client, db, path, params):
    response = client.get(path, params)
    assert response.status_code == 400
    assert not response.cookies


def test_a_switch_never_sends_the_visitor_to_another_site(client, db):
    response = client.get("/prefs/elder-mode/", {"on": "1", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies["elder_mode"].value == "1"


def test_senior_mode_is_switched_on_and_off_by_get_forms_in_the_page(client, db):
    page = client.get("/").content.decode()
    assert 'method="get" action="/prefs/elder-mode/"' in page
    client.get("/prefs/elder-mode/", {"on": "1", "next": "/"})
    senior = client.get("/").content.decode()
    assert 'class="elder-mode' in senior
    assert 'method="get" action="/prefs/text-size/"' in senior
    client.get("/prefs/elder-mode/", {"on": "0", "next": "/"})
    assert 'class="elder-mode' not in client.get("/").content.decode()


def test_the_empty_report_form_is_cached_as_a_fragment_per_language(client, db):
    chinese = client.get("/reports/new/").content.decode()
    english_reader = Client()
    english_reader.cookies["django_language"] = "en"
    english = english_reader.get("/reports/new/").content.decode()
    assert "1. 看到了什么" in chinese
    assert "1. 看到了什么" not in english
    assert "csrfmiddlewaretoken" in english
    # A second visitor gets the same fields and a token of their own.
    again = Client().get("/reports/new/")
    assert "1. 看到了什么" in again.content.decode()
    assert again.cookies["csrftoken"].value


def test_a_sent_form_shows_its_own_values_and_errors_not_the_cached_fields(client, db):
    client.get("/reports/new/")
    sent = client.post("/reports/new/", {"category": "fraud", "content": "冒充客服退款诈骗"})
    assert sent.status_code == 400
    page = sent.content.decode()
    assert "冒充客服退款诈骗" in page
    assert 'aria-invalid="true"' in page


def test_an_api_read_keeps_a_copy_per_format_asked_for(client, db):
    from django.utils import timezone

    from civility_index.defaults import ensure_default_method
    from civility_index.services import month_start, previous_month, snapshot_compute

    ensure_default_method()
    snapshot_compute(period=previous_month(month_start(timezone.localdate())))
    as_json = Client().get("/api/v1/index/snapshots/", HTTP_ACCEPT="application/json")
    assert as_json["Content-Type"] == "application/json"
    assert (
        Client().get("/api/v1/index/snapshots/", HTTP_ACCEPT="application/json")["X-Page-Cache"]
        == "hit"
    )
    # A browser asking for HTML gets the browsable page, never the JSON copy.
    as_html = Client().get("/api/v1/index/snapshots/", HTTP_ACCEPT="text/html")
    assert as_html["Content-Type"].startswith("text/html")
