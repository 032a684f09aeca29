"""Two languages done properly: staff text falls back visibly, labels use each language's
punctuation, and the admin's third-party sections speak Chinese."""

import re
from io import StringIO

import pytest
from babel.messages.pofile import read_po
from django.core.management import call_command
from django.template import Context, Template
from django.utils import translation
from django.utils.safestring import SafeString

from tests.support import REPO_ROOT
from wenzhou_portal.templatetags.portal import localized, localized_markdown, localized_text

CHINESE_PUNCTUATION = re.compile("[：，。；（）“”！？、《》【】]")


class Indicator:
    """Any model with a <field>_en sibling, as the filters see it."""

    def __init__(self, title: str, title_en: str = "") -> None:
        self.title, self.title_en = title, title_en


def _render(source: str, **context) -> str:
    return Template("{% load portal %}" + source).render(Context(context))


# --- The filters ---------------------------------------------------------------------


def test_chinese_pages_show_the_chinese_whatever_english_exists():
    with translation.override("zh-hans"):
        assert localized(Indicator("停水谣言", "Water rumor"), "title") == "停水谣言"
        assert localized_text(Indicator("停水谣言", "Water rumor"), "title") == "停水谣言"


def test_english_pages_show_the_english_when_it_is_written():
    with translation.override("en"):
        assert localized(Indicator("停水谣言", "Water rumor"), "title") == "Water rumor"
        assert localized_text(Indicator("停水谣言", "Water rumor"), "title") == "Water rumor"
        assert localized({"title": "停水谣言", "title_en": "Water rumor"}, "title") == (
            "Water rumor"
        )


def test_english_pages_mark_the_chinese_standing_in_for_missing_english():
    with translation.override("en"):
        shown = localized(Indicator("停水谣言", "  "), "title")
        assert isinstance(shown, SafeString)
        assert shown == (
            '<span lang="zh-Hans">停水谣言</span> <span class="zh-fallback">(中文)</span>'
        )
        assert localized_text(Indicator("停水谣言"), "title") == "停水谣言 (中文)"
        assert localized({"title": "停水谣言"}, "title").startswith('<span lang="zh-Hans">')


def test_text_that_is_not_chinese_is_not_marked_as_chinese():
    with translation.override("en"):
        assert localized({"unit": "%"}, "unit") == "%"
        assert localized_text({"unit": "km/h"}, "unit") == "km/h"
        assert localized({"unit": "２０％"}, "unit").endswith("(中文)</span>")


def test_nothing_written_in_either_language_shows_nothing():
    with translation.override("en"):
        assert localized(Indicator(""), "title") == ""
        assert localized_text(Indicator(""), "title") == ""
        assert localized(None, "title") == ""
        assert localized({}, "title") == ""


def test_the_fallback_escapes_what_staff_typed():
    typed = Indicator('<script>alert("x")</script> & 停水')
    with translation.override("en"):
        html = _render('{{ item|localized:"title" }}', item=typed)
        text = _render('<meta content="{{ item|localized_text:"title" }}">', item=typed)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 停水" in html
    assert html.endswith('<span class="zh-fallback">(中文)</span>')
    # The text variant is plain: escaped once by the template, no markup of its own.
    assert text == (
        '<meta content="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 停水 (中文)">'
    )


def test_english_text_is_escaped_like_any_text():
    typed = Indicator("停水", '<b onclick="x()">Water</b>')
    with translation.override("en"):
        html = _render('{{ item|localized:"title" }}', item=typed)
    assert html == "&lt;b onclick=&quot;x()&quot;&gt;Water&lt;/b&gt;"


def test_markdown_falls_back_marked_and_sanitised():
    class Page:
        body = "## 核实\n\n<script>alert(1)</script>供水正常。"
        body_en = ""

    with translation.override("en"):
        html = localized_markdown(Page(), "body")
    assert html.startswith('<div lang="zh-Hans"><h2>核实</h2>')
    assert "<script>" not in html
    assert html.endswith('<p class="zh-fallback">(中文)</p>')
    Page.body_en = "Supply is **normal**."
    with translation.override("en"):
        assert localized_markdown(Page(), "body") == "<p>Supply is <strong>normal</strong>.</p>"


# --- The catalogs --------------------------------------------------------------------


def _catalog(language: str):
    with (REPO_ROOT / "locale" / language / "LC_MESSAGES" / "django.po").open("rb") as handle:
        return read_po(handle)


def test_the_english_catalog_uses_english_punctuation():
    offending = {
        message.id if isinstance(message.id, str) else message.id[0]: text
        for message in _catalog("en")
        if message.id
        for text in (message.string if isinstance(message.string, tuple) else (message.string,))
        if CHINESE_PUNCTUATION.search(text or "")
    }
    assert offending == {}


def test_the_chinese_catalog_translates_every_entry_it_holds():
    catalog = _catalog("zh_Hans")
    assert catalog.locale_identifier == "zh_Hans"
    untranslated = [
        message.id
        for message in catalog
        if message.id
        and not (all(message.string) if isinstance(message.string, tuple) else message.string)
    ]
    assert untranslated == []
    assert not [message.id for message in catalog if message.fuzzy and message.id]


def test_make_compilemessages_compiles_every_language():
    makefile = (REPO_ROOT / "Makefile").read_text()
    assert "pybabel compile -d locale -D django" in makefile
    languages = {path.parent.parent.name for path in (REPO_ROOT / "locale").glob("*/*/django.po")}
    assert languages == {"en", "zh_Hans"}


# --- The admin's third-party sections ------------------------------------------------


@pytest.fixture
def superuser(django_user_model):
    """张主任 is the portal's superuser."""
    return django_user_model.objects.create_superuser("admin_zhang", password="x" * 16)


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


THIRD_PARTY_SECTIONS_ZH = [
    "登录防护（失败锁定）",
    "登录尝试",
    "登录日志",
    "登录失败记录",
    "双重验证：验证器",
    "验证器设备",
    "双重验证：备用码",
    "备用码",
]
UNTRANSLATED = [
    "Axes",
    "Otp_Totp",
    "Otp_Static",
    "Access attempts",
    "TOTP devices",
    # Django 5.2's own, which its Chinese catalog lacks (read by screen readers).
    "Model name",
    "Change or view list link",
]


@pytest.mark.django_db
def test_the_chinese_admin_index_shows_axes_and_otp_in_chinese(superuser_client):
    html = superuser_client.get("/admin/").content.decode()
    for label in THIRD_PARTY_SECTIONS_ZH:
        assert label in html
    for label in UNTRANSLATED:
        assert f">{label}<" not in html


@pytest.mark.django_db
def test_the_axes_and_otp_lists_have_chinese_columns(superuser_client, superuser):
    from axes.models import AccessAttempt
    from django_otp.plugins.otp_totp.models import TOTPDevice

    AccessAttempt.objects.create(
        user_agent="Mozilla/5.0",
        ip_address="203.0.113.9",
        username="wang_xiaoming",
        http_accept="text/html",
        path_info="/admin/login/",
        get_data="",
        post_data="",
        failures_since_start=2,
    )
    TOTPDevice.objects.create(user=superuser, name="手机")
    attempts = superuser_client.get("/admin/axes/accessattempt/").content.decode()
    for label in ["IP 地址", "用户名", "尝试时间", "失败次数"]:
        assert label in attempts
    assert "Attempt Time" not in attempts
    devices = superuser_client.get("/admin/otp_totp/totpdevice/").content.decode()
    for label in ["账号", "设备名称", "已确认", "最近使用时间"]:
        assert label in devices


@pytest.mark.django_db
def test_the_english_admin_index_names_them_in_english(superuser_client):
    from django.conf import settings

    superuser_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = superuser_client.get("/admin/").content.decode()
    assert "Two-factor: authenticator apps" in html
    assert "Sign-in protection (lockout)" in html


@pytest.mark.django_db
def test_renaming_third_party_labels_needs_no_migration():
    out = StringIO()
    call_command(
        "makemigrations", "axes", "otp_totp", "otp_static", check=True, dry_run=True, stdout=out
    )
    assert "No changes detected" in out.getvalue()
