"""Public votes with a jury, vote-flooding defences, and contests with moderation."""

import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns import selectors, services
from campaigns.models import Candidate, JuryScore, Vote
from tests.campaigns.test_campaigns import make_campaign
from tests.rumors.images import image_bytes, upload
from wenzhou_portal.sms import LocmemSMSBackend

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sms_and_cache(settings):
    settings.SMS_BACKEND = "wenzhou_portal.sms.LocmemSMSBackend"
    LocmemSMSBackend.outbox.clear()
    cache.clear()


def nominees(campaign, *names):
    return [
        Candidate.objects.create(campaign=campaign, name=name, story="事迹", status="approved")
        for name in names
    ]


def verify(client, campaign, phone="13812345678"):
    client.post(f"/campaigns/{campaign.slug}/pledge/code/", {"phone": phone})
    code = re.search(r"(\d{6})", LocmemSMSBackend.outbox[-1][1]).group(1)
    return client.post(f"/campaigns/{campaign.slug}/vote/confirm/", {"code": code})


def test_a_verified_voter_votes_within_the_daily_allowance(client):
    campaign = make_campaign("vote", votes_per_day=2)
    alice, bob = nominees(campaign, "外卖骑手小王", "快递员老李")
    assert (
        client.post(f"/campaigns/{campaign.slug}/vote/{alice.pk}/").status_code == 400
    )  # not verified
    assert verify(client, campaign).status_code == 302
    assert (
        "投票成功" in client.post(f"/campaigns/{campaign.slug}/vote/{alice.pk}/").content.decode()
    )
    assert "投票成功" in client.post(f"/campaigns/{campaign.slug}/vote/{bob.pk}/").content.decode()
    third = client.post(f"/campaigns/{campaign.slug}/vote/{alice.pk}/")
    assert third.status_code == 400
    assert "2 票已经投完" in third.content.decode()
    assert Vote.objects.count() == 2


def test_no_votes_outside_the_window_or_for_unapproved_entries(client):
    closed = make_campaign("vote", starts=-10, ends=-1)
    (nominee,) = nominees(closed, "甲")
    with pytest.raises(services.ParticipationRefused):
        services.vote_cast(
            campaign=closed, candidate_id=nominee.pk, hashed_phone="h", client_key="c"
        )
    live = make_campaign("contest")
    pending = Candidate.objects.create(campaign=live, name="待审", story="s", status="pending")
    with pytest.raises(services.ParticipationRefused):
        services.vote_cast(campaign=live, candidate_id=pending.pk, hashed_phone="h", client_key="c")
    assert Vote.objects.count() == 0


def test_the_combined_result_matches_a_hand_computation(make_staff):
    from wenzhou_portal.roles import Role

    campaign = make_campaign("vote", public_weight=40, votes_per_day=10)
    a, b, c = nominees(campaign, "甲", "乙", "丙")
    for i, (candidate, count) in enumerate(((a, 10), (b, 5), (c, 0))):
        for n in range(count):
            Vote.objects.create(
                campaign=campaign,
                candidate=candidate,
                phone_hash=f"p{i}-{n}",
                client_key=f"k{i}-{n}",
                cast_on=timezone.localdate(),
                slot=1,
            )
    jurors = [make_staff(f"juror{n}", Role.CAMPAIGN_EDITOR) for n in range(2)]
    for candidate, scores in ((a, (60, 80)), (b, (90, 100)), (c, (50, 50))):
        for juror, score in zip(jurors, scores, strict=True):
            JuryScore.objects.create(candidate=candidate, juror=juror, score=score)
    results = {row["candidate"].name: row for row in selectors.vote_results(campaign)["rows"]}
    # Public: 甲 100 (10/10), 乙 50 (5/10), 丙 0. Jury means: 70, 95, 50.
    # Final = 0.4 × public + 0.6 × jury: 甲 40 + 42 = 82; 乙 20 + 57 = 77; 丙 0 + 30 = 30.
    assert results["甲"]["final"] == pytest.approx(82.0)
    assert results["乙"]["final"] == pytest.approx(77.0)
    assert results["丙"]["final"] == pytest.approx(30.0)
    assert [row["candidate"].name for row in selectors.vote_results(campaign)["rows"]] == [
        "甲",
        "乙",
        "丙",
    ]


def test_a_burst_from_few_clients_is_flagged_and_excluded_votes_are_stated(client, campaign_editor):
    campaign = make_campaign("vote", votes_per_day=1)
    (target,) = nominees(campaign, "目标")
    for n in range(services.VOTE_BURST_VOTES):
        services.vote_cast(
            campaign=campaign,
            candidate_id=target.pk,
            hashed_phone=f"p{n}",
            client_key="same-device",
        )
    assert Vote.objects.filter(is_flagged=True).count() == services.VOTE_BURST_VOTES
    flagged = list(Vote.objects.filter(is_flagged=True).values_list("pk", flat=True))
    assert services.votes_exclude(
        vote_ids=flagged, reason="同一设备短时间内大量投票", actor=campaign_editor
    ) == len(flagged)
    assert Vote.objects.count() == services.VOTE_BURST_VOTES  # excluded, not deleted
    result = selectors.vote_results(campaign)
    assert result["excluded_total"] == services.VOTE_BURST_VOTES
    assert result["rows"][0]["votes"] == 0
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert f"有 {services.VOTE_BURST_VOTES} 票因异常被剔除" in page
    with pytest.raises(ValidationError):
        services.votes_exclude(vote_ids=flagged, reason=" ", actor=campaign_editor)


def test_votes_from_many_clients_are_not_flagged():
    campaign = make_campaign("vote")
    (target,) = nominees(campaign, "受欢迎的人")
    for n in range(services.VOTE_BURST_VOTES):
        services.vote_cast(
            campaign=campaign, candidate_id=target.pk, hashed_phone=f"p{n}", client_key=f"device{n}"
        )
    assert not Vote.objects.filter(is_flagged=True).exists()


def test_flooding_from_one_client_is_answered_with_429(client, settings):
    settings.VOTE_LIMIT_PER_CLIENT = "2/h"
    campaign = make_campaign("vote", votes_per_day=5)
    (nominee,) = nominees(campaign, "甲")
    verify(client, campaign)
    for _ in range(2):
        client.post(f"/campaigns/{campaign.slug}/vote/{nominee.pk}/")
    assert client.post(f"/campaigns/{campaign.slug}/vote/{nominee.pk}/").status_code == 429
    assert Vote.objects.count() == 2


def test_tallies_can_be_hidden_while_voting_is_open(client):
    campaign = make_campaign("vote", hide_tallies_while_open=True)
    nominees(campaign, "甲")
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert "投票期间不公布票数" in page
    assert "公众投票 40% + 专家评审 60%" in page  # weights published before voting


def test_a_contest_entry_is_moderated_then_shown_in_the_gallery(
    client, settings, tmp_path, campaign_editor
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    campaign = make_campaign("contest")
    response = client.post(
        f"/campaigns/{campaign.slug}/enter/",
        {
            "name": "最美温州江心屿",
            "story": "航拍江心屿日出。",
            "image": upload("e.png", image_bytes("PNG")),
            "contact": "微信 abc",
        },
    )
    assert response.status_code == 302
    entry = Candidate.objects.get()
    status_page = client.get(response["Location"]).content.decode()
    assert "待审核" in status_page
    assert "最美温州江心屿" not in client.get(campaign.get_absolute_url()).content.decode()
    assert client.get(f"/campaigns/entry-images/{entry.pk}/").status_code == 404
    services.entry_moderate(candidate_id=entry.pk, approve=True, actor=campaign_editor)
    assert "最美温州江心屿" in client.get(campaign.get_absolute_url()).content.decode()
    assert client.get(f"/campaigns/entry-images/{entry.pk}/").status_code == 200
    assert "微信 abc" not in client.get(campaign.get_absolute_url()).content.decode()


def test_a_rejected_entry_shows_the_reason_to_the_entrant(client, campaign_editor):
    campaign = make_campaign("contest")
    entry = services.contest_entry_submit(
        campaign=campaign, name="作品", story="介绍", link="https://www.douyin.com/video/1"
    )
    with pytest.raises(ValidationError):
        services.entry_moderate(candidate_id=entry.pk, approve=False, actor=campaign_editor)
    services.entry_moderate(
        candidate_id=entry.pk, approve=False, reason="与活动主题无关", actor=campaign_editor
    )
    page = client.get(f"/campaigns/entries/{entry.status_token}/").content.decode()
    assert "与活动主题无关" in page


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "作品", "story": "介绍"}, "link"),
        ({"name": "作品", "story": "介绍", "link": "https://evil.example/video"}, "link"),
        (
            {
                "name": "作品",
                "story": "介绍",
                "image": upload("x.png", b"not an image at all", "image/png"),
            },
            "image",
        ),
        ({"name": "", "story": "介绍", "link": "https://www.bilibili.com/video/BV1"}, "name"),
    ],
)
def test_bad_entries_are_refused_with_a_message_and_nothing_recorded(client, data, field):
    campaign = make_campaign("contest")
    response = client.post(f"/campaigns/{campaign.slug}/enter/", data)
    assert response.status_code == 400
    assert "errorlist" in response.content.decode().split(f'id="field-{field}"', 1)[1][:2000]
    assert Candidate.objects.count() == 0


def test_entries_to_a_closed_contest_are_refused(client):
    campaign = make_campaign("contest", starts=-10, ends=-1)
    response = client.post(
        f"/campaigns/{campaign.slug}/enter/",
        {"name": "作品", "story": "介绍", "link": "https://www.bilibili.com/video/BV1"},
    )
    assert response.status_code == 400
    assert "活动已经结束" in response.content.decode()
    assert Candidate.objects.count() == 0


def test_a_client_flooding_entries_is_refused_with_429_before_its_upload_is_read(client, settings):
    settings.CAMPAIGN_FORM_LIMIT = "1/h"  # an hour: a minute could turn over mid-test
    campaign = make_campaign("contest")
    entry = {"name": "作品", "story": "介绍", "link": "https://www.bilibili.com/video/BV1"}
    assert client.post(f"/campaigns/{campaign.slug}/enter/", entry).status_code == 302
    refused = client.post(
        f"/campaigns/{campaign.slug}/enter/",
        {**entry, "image": upload("x.png", b"not an image at all", "image/png")},
    )
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    html = refused.content.decode()
    assert "提交太频繁了" in html
    assert "errorlist" not in html  # refused before the form (and its image) was read
    assert Candidate.objects.count() == 1


def test_results_after_closing(client):
    campaign = make_campaign("vote", starts=-10, ends=-1, hide_tallies_while_open=True)
    nominees(campaign, "甲")
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert "评选结果" in page
