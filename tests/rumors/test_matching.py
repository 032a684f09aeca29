"""Recognising the same thing: links, accounts and Chinese text."""

import pytest

from rumors import selectors, services
from rumors.matching import account_normalise, text_similarity, url_normalise
from rumors.models import Report, Status
from wenzhou_portal.districts import District


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("https://WWW.Douyin.com/video/123", "douyin.com/video/123"),
        ("http://m.weibo.cn/status/456/", "weibo.cn/status/456"),
        ("https://weibo.cn/status/456?utm_source=wechat&utm_medium=share", "weibo.cn/status/456"),
        (
            "https://www.xiaohongshu.com/explore/abc?xsec_token=zz&share_token=yy",
            "xiaohongshu.com/explore/abc",
        ),
        ("https://mp.weixin.qq.com/s/abc?from=groupmessage&scene=1#rd", "mp.weixin.qq.com/s/abc"),
        (
            "https://item.example.com/p?id=7&spm=a1.b2&color=red",
            "item.example.com/p?color=red&id=7",
        ),
        ("douyin.com/video/123", "douyin.com/video/123"),
        ("https://example.com:8443/a", "example.com:8443/a"),
        ("", ""),
    ],
)
def test_urls_are_normalised_so_shares_of_one_post_match(raw, normalised):
    assert url_normalise(raw) == normalised


def test_m_and_www_are_folded_only_as_a_prefix():
    assert url_normalise("https://www.m.example.com/x") == "m.example.com/x"
    assert url_normalise("https://m.com/x") == "m.com/x"


def test_accounts_fold_case_spaces_and_at_signs():
    assert account_normalise(" @Wenzhou News ") == account_normalise("wenzhounews")


def test_chinese_near_duplicates_score_high_and_unrelated_texts_low():
    first = "有人在微信群里说鹿城区自来水被污染了，不能喝。"
    near = "微信群说鹿城区的自来水被污染了，千万不能喝"
    unrelated = "直播间主播卖假冒电器，评论区投诉都被删除"
    assert text_similarity(first, near) >= 0.3
    assert text_similarity(first, unrelated) < 0.1


pytestmark = pytest.mark.django_db


def test_a_report_of_the_same_link_is_linked_to_the_earlier_one(submit, district_rules):
    first = submit(
        url="https://m.weibo.cn/status/99?utm_source=a", content="第一条举报内容，关于停水谣言。"
    )
    second = submit(url="https://weibo.cn/status/99/", content="完全不同的描述文字，但链接相同。")
    assert second.duplicate_of == first
    assert first.duplicate_of is None


def test_similar_chinese_text_is_suggested_and_unrelated_text_is_not(submit, district_rules):
    first = submit(
        url="",
        account="",
        place_description="家族群",
        content="有人在微信群里说鹿城区自来水被污染了，不能喝。",
    )
    similar = submit(
        url="",
        account="",
        place_description="小区群",
        content="微信群说鹿城区的自来水被污染了，千万不能喝",
    )
    unrelated = submit(
        url="",
        account="",
        place_description="直播间",
        content="直播间主播卖假冒电器，评论区投诉都被删除",
    )
    found = [match.report for match in selectors.report_duplicate_candidates(similar)]
    assert found == [first]
    assert selectors.report_duplicate_candidates(unrelated) == []


def test_staff_can_undo_an_automatic_link(submit, district_rules, office_admin):
    first = submit()
    second = submit()
    assert second.duplicate_of == first
    services.report_unlink_duplicate(report_id=second.pk, actor=office_admin)
    second.refresh_from_db()
    assert second.duplicate_of is None
    with pytest.raises(services.TransitionError):
        services.report_unlink_duplicate(report_id=second.pk, actor=office_admin)


def test_triage_can_order_by_heat(client, submit, district_rules, office_admin):
    hot = submit()
    submit()
    submit()
    cold = submit(
        url="https://example.org/other", content="另一件完全不同的事情，关于快递信息泄露。"
    )
    heats = {r.pk: r.heat for r in selectors.reports_with_heat(Report.objects.all())}
    assert heats[hot.pk] == 3
    assert heats[cold.pk] == 1
    client.force_login(office_admin)
    heat_column = 9  # after the action checkbox: code, category, ..., overdue, heat
    listing = client.get("/admin/rumors/report/", {"o": f"-{heat_column}"}).content.decode()
    assert listing.index(hot.formatted_tracking_code) < listing.index(cold.formatted_tracking_code)


def test_merging_from_the_candidates_follows_the_primary(
    client, submit, district_rules, office_admin
):
    first = submit()
    second = submit()
    client.force_login(office_admin)
    page = client.get(f"/admin/rumors/report/{second.pk}/change/").content.decode()
    assert first.formatted_tracking_code in page
    assert "合并到这条" in page
    client.post(
        f"/admin/rumors/report/{second.pk}/act/",
        {"action": "merge", "merge-primary_code": first.tracking_code},
    )
    second.refresh_from_db()
    assert second.status == Status.MERGED
    assert second.merged_into == first
    assert second.district == District.LUCHENG
