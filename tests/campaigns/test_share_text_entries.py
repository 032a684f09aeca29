"""A contest entry's link box takes what WeChat's or Douyin's share button copies."""

import pytest
from django.core.cache import cache

from campaigns.models import Candidate
from tests.campaigns.test_campaigns import make_campaign

pytestmark = pytest.mark.django_db

DOUYIN_SHARE = "7.43 复制打开抖音，看看【温州文明的作品】我们的城市 https://v.douyin.com/iRNBxyz/ a@B.xX 09/12 :/ "


@pytest.fixture(autouse=True)
def _cache():
    cache.clear()


def _enter(client, campaign, **data):
    return client.post(
        f"/campaigns/{campaign.slug}/enter/", {"name": "我们的城市", "story": "", **data}
    )


def test_a_pasted_douyin_share_text_gives_the_link_and_keeps_the_title(client):
    campaign = make_campaign("contest")
    response = _enter(client, campaign, link=DOUYIN_SHARE, story="航拍温州夜景。")
    assert response.status_code == 302
    entry = Candidate.objects.get()
    assert entry.link == "https://v.douyin.com/iRNBxyz/"
    assert entry.story.startswith("航拍温州夜景。")
    assert "【温州文明的作品】我们的城市" in entry.story
    assert "a@B.xX" not in entry.story


def test_the_share_title_can_stand_for_the_story(client):
    campaign = make_campaign("contest")
    assert _enter(client, campaign, link=DOUYIN_SHARE).status_code == 302
    assert "我们的城市" in Candidate.objects.get().story


def test_pasted_text_without_a_link_gets_one_clear_message_and_is_kept(client):
    campaign = make_campaign("contest")
    response = _enter(client, campaign, link="复制打开抖音，看看【温州文明的作品】", story="夜景")
    html = response.content.decode()
    assert response.status_code == 400
    assert html.count("这里没有找到作品的网址") == 2  # the summary at the top and the field
    assert "请输入合法" not in html
    assert "Enter a valid URL" not in html
    assert "复制打开抖音，看看【温州文明的作品】" in html  # what was pasted stays in the box
    assert not Candidate.objects.exists()


def test_a_link_typed_without_https_is_still_a_link(client):
    campaign = make_campaign("contest")
    assert _enter(client, campaign, link="v.douyin.com/iRNBxyz/", story="夜景").status_code == 302
    assert Candidate.objects.get().link == "https://v.douyin.com/iRNBxyz/"


def test_a_link_to_another_site_is_refused_once_in_plain_words(client):
    campaign = make_campaign("contest")
    response = _enter(client, campaign, link="看看 https://example.com/x 这个", story="夜景")
    html = response.content.decode()
    assert response.status_code == 400
    assert "请填写抖音、微信视频号或哔哩哔哩的作品链接" in html
    assert not Candidate.objects.exists()
