"""Staff see hidden and direction-changing characters in citizens' text as markers (item 12)."""

import pytest

from rumors import services
from rumors.models import DebunkAppearance, Report

pytestmark = pytest.mark.django_db

RLO = "\u202e"  # right-to-left override: "gpj.exe" reads as "exe.jpg"
ZWSP = "\u200b"  # zero-width space: two account names look the same


@pytest.fixture
def spoofed(submit, district_rules):
    """A report whose text hides an executable behind a reversed file name."""
    return submit(
        content=f"正常文字{RLO}gpj.exe",
        account=f"温州{ZWSP}官方客服",
        place_description=f"鹿城区{RLO}某小区群",
        url=f"https://example.org/{RLO}gpj.exe",
        contact_email="citizen@example.org",
        contact_consent=True,
    )


def test_the_report_list_shows_hidden_characters_as_markers_with_a_badge(
    client, spoofed, office_admin
):
    client.force_login(office_admin)
    page = client.get("/admin/rumors/report/").content.decode()
    assert "正常文字" in page
    assert "⟦U+202E⟧" in page
    assert "含隐藏字符" in page
    assert RLO not in page
    assert ZWSP not in page


def test_the_report_page_shows_content_url_account_and_place_neutralised(
    client, spoofed, office_admin
):
    client.force_login(office_admin)
    page = client.get(f"/admin/rumors/report/{spoofed.pk}/change/").content.decode()
    assert "正常文字<mark" in page
    assert "⟦U+202E⟧</mark>gpj.exe" in page
    assert "温州<mark" in page
    assert "⟦U+200B⟧" in page
    assert page.count("⟦U+202E⟧") >= 3  # content, url and place
    assert RLO not in page
    assert ZWSP not in page


def test_a_handler_sees_the_same_markers(client, spoofed, lucheng_handler):
    client.force_login(lucheng_handler)
    page = client.get(f"/admin/rumors/report/{spoofed.pk}/change/").content.decode()
    assert "⟦U+202E⟧" in page
    assert RLO not in page


def test_ordinary_text_has_no_badge_and_no_markers(client, submit, district_rules, office_admin):
    plain = submit(content="有人在微信群里说鹿城区自来水被污染了，不能喝。")
    client.force_login(office_admin)
    listing = client.get("/admin/rumors/report/").content.decode()
    assert "含隐藏字符" not in listing
    page = client.get(f"/admin/rumors/report/{plain.pk}/change/").content.decode()
    assert "⟦U+" not in page
    assert "有人在微信群里说鹿城区自来水被污染了" in page


def test_the_contact_page_shows_contact_fields_neutralised(client, spoofed, office_admin):
    Report.objects.filter(pk=spoofed.pk).update(contact_email=f"citizen{ZWSP}@example.org")
    client.force_login(office_admin)
    page = client.post(f"/admin/rumors/report/{spoofed.pk}/contact/").content.decode()
    assert "citizen<mark" in page
    assert "⟦U+200B⟧" in page
    assert ZWSP not in page


def test_a_duplicates_excerpt_and_the_rating_comment_are_neutralised(
    client, submit, district_rules, spoofed, office_admin
):
    later = submit(content=f"正常文字{RLO}gpj.exe 又发了一遍")
    Report.objects.filter(pk=later.pk).update(duplicate_of=None)
    Report.objects.filter(pk=spoofed.pk).update(
        status="resolved", rating="unsatisfied", rating_comment=f"不满意{RLO}moc.elpmaxe"
    )
    client.force_login(office_admin)
    page = client.get(f"/admin/rumors/report/{later.pk}/change/").content.decode()
    assert spoofed.formatted_tracking_code in page  # listed as a likely duplicate
    assert RLO not in page
    rated = client.get(f"/admin/rumors/report/{spoofed.pk}/change/").content.decode()
    assert "不满意<mark" in rated
    assert RLO not in rated


def test_the_debunk_page_shows_linked_reports_and_copied_accounts_neutralised(
    client, spoofed, debunk, office_admin
):
    services.report_link_debunk(report_id=spoofed.pk, actor=office_admin, debunk_id=debunk.pk)
    DebunkAppearance.objects.create(debunk=debunk, platform="wechat", account=f"温州{RLO}服客")
    client.force_login(office_admin)
    page = client.get(f"/admin/rumors/debunk/{debunk.pk}/change/").content.decode()
    linked = page.split("关联举报</h2>", 1)[1]
    assert spoofed.formatted_tracking_code in linked
    assert "正常文字<mark" in linked
    assert RLO not in linked
    # The form keeps the real value to edit; beside it, what it hides is spelled out.
    assert "温州<mark" in page
    assert "含隐藏字符" in page
