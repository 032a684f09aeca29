import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db

NAV_PATHS = ["/", "/reports/", "/debunks/", "/campaigns/", "/charity/", "/index/"]


@pytest.mark.parametrize("path", NAV_PATHS)
def test_every_section_has_a_landing_page_linked_from_the_navigation(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    for target in NAV_PATHS[1:]:
        assert f'href="{target}"' in html


def test_home_page_is_chinese_by_default(client):
    html = client.get("/").content.decode()
    assert '<html lang="zh-Hans"' in html
    assert "清朗温州" in html
    assert "我要举报" in html


def test_an_english_browser_still_gets_chinese_until_the_visitor_switches(client):
    html = client.get("/", headers={"accept-language": "en-US,en;q=0.9"}).content.decode()
    assert '<html lang="zh-Hans"' in html


def test_language_switch_serves_the_english_page(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en"' in html
    assert "Report" in html
    assert "我要举报" not in html


def test_english_pages_have_no_untranslated_chinese(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    import re

    from civility_index import services

    services.snapshot_compute(period=services.month_start(timezone.localdate()))
    pages = [*NAV_PATHS, "/reports/new/", "/reports/track/", "/reports/stats/"]
    pages += ["/index/methodology/", "/index/districts/330302/"]
    for path in pages:
        html = client.get(path).content.decode()
        # The only Chinese left on an English page is the switch back to Chinese.
        chinese = set(re.findall(r"[\u4e00-\u9fff]+", html)) - {"中文"}
        assert not chinese, (path, sorted(chinese)[:10])


def test_elder_mode_is_toggled_by_a_post_and_remembered_in_a_cookie(client):
    assert "elder-mode" not in client.get("/").content.decode().split("<head>")[0]
    response = client.post("/prefs/elder-mode/", {"next": "/reports/"})
    assert response.status_code == 302
    assert response["Location"] == "/reports/"
    assert response.cookies["elder_mode"].value == "1"
    assert response.cookies["elder_mode"]["max-age"] >= 3600 * 24 * 300
    html = client.get("/").content.decode()
    assert 'class="elder-mode text-normal"' in html
    client.post("/prefs/elder-mode/", {"next": "/"})
    assert "elder-mode" not in client.get("/").content.decode().split("<head>")[0]


def test_elder_mode_text_size_can_be_raised_and_rejects_unknown_sizes(client):
    client.post("/prefs/elder-mode/", {"next": "/"})
    assert client.post("/prefs/text-size/", {"size": "x-large"}).status_code == 302
    assert 'class="elder-mode text-x-large"' in client.get("/").content.decode()
    assert client.post("/prefs/text-size/", {"size": "gigantic"}).status_code == 400


def test_preference_redirects_never_leave_the_site(client):
    response = client.post("/prefs/elder-mode/", {"next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_every_page_carries_a_same_origin_content_security_policy(client):
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "http" not in csp


def test_api_docs_are_served_from_our_own_static_files(client):
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()
    assert client.get("/api/schema/").status_code == 200
