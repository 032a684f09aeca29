"""A signature or a vote can be taken back within 10 minutes, from the browser that gave it."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns import selectors, services
from campaigns.models import Signature, Vote
from tests.campaigns.test_campaigns import make_campaign
from tests.campaigns.test_votes_and_contests import nominees, verify
from wenzhou_portal.sms import LocmemSMSBackend

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sms_and_cache(settings):
    settings.SMS_BACKEND = "wenzhou_portal.sms.LocmemSMSBackend"
    LocmemSMSBackend.outbox.clear()
    cache.clear()


def _code() -> str:
    return re.search(r"(\d{6})", LocmemSMSBackend.outbox[-1][1]).group(1)


def sign(client, campaign, *, phone="13812345678", name="张三丰"):
    client.post(f"/campaigns/{campaign.slug}/pledge/code/", {"phone": phone})
    response = client.post(
        f"/campaigns/{campaign.slug}/pledge/sign/", {"code": _code(), "display_name": name}
    )
    assert response.status_code == 302
    return response["Location"].split("#")[0]


def _withdraw_url(signed_url: str) -> str:
    return signed_url.replace("/pledge/signed/", "/pledge/withdraw/")


def _certificate_urls(signed_url: str) -> list[str]:
    png = signed_url.replace("/pledge/signed/", "/pledge/certificate/")
    return [png, png + "pdf/"]


def _age(model, pk: int, field: str, minutes: int) -> None:
    model.objects.filter(pk=pk).update(**{field: timezone.now() - timedelta(minutes=minutes)})


def test_a_signer_is_asked_to_confirm_then_the_signature_leaves_wall_counts_and_certificate(
    client,
):
    campaign = make_campaign("pledge")
    signed_url = sign(client, campaign)
    signed_page = client.get(signed_url).content.decode()
    assert "撤回签名" in signed_page
    assert "只能在签名的这部手机（同一个浏览器）上操作" in signed_page

    confirm = client.get(_withdraw_url(signed_url)).content.decode()
    assert "确定撤回吗？" in confirm
    assert 'method="post"' in confirm
    assert Signature.objects.get().withdrawn_at is None  # asking changes nothing

    done = client.post(_withdraw_url(signed_url))
    assert done.status_code == 200
    assert "您的签名已撤回" in done.content.decode()
    signature = Signature.objects.get()
    assert signature.withdrawn_at is not None
    assert selectors.signature_wall(campaign) == []
    assert selectors.campaign_reach(campaign)["participants"]["value"] == 0
    for url in _certificate_urls(signed_url):
        gone = client.get(url)
        assert gone.status_code == 410
        assert "证书已作废" in gone.content.decode()
    assert "这个签名已经撤回" in client.get(signed_url).content.decode()


def test_after_ten_minutes_the_offer_is_gone_and_a_late_post_is_refused(client):
    campaign = make_campaign("pledge")
    signed_url = sign(client, campaign)
    signature = Signature.objects.get()
    _age(Signature, signature.pk, "signed_at", 11)

    assert "撤回签名" not in client.get(signed_url).content.decode()
    offer = client.get(_withdraw_url(signed_url)).content.decode()
    assert "确定撤回" not in offer
    assert "已经超过 10 分钟，不能再撤回了" in offer
    late = client.post(_withdraw_url(signed_url))
    assert late.status_code == 409
    assert "已经超过 10 分钟，不能再撤回了" in late.content.decode()
    signature.refresh_from_db()
    assert signature.withdrawn_at is None
    assert client.get(_certificate_urls(signed_url)[0]).status_code == 200


def test_only_the_browser_that_signed_may_withdraw(client):
    from django.test import Client

    campaign = make_campaign("pledge")
    signed_url = sign(client, campaign)
    stranger = Client()
    refused = stranger.post(_withdraw_url(signed_url))
    assert refused.status_code == 403
    assert "只有签名时使用的这部手机" in refused.content.decode()
    assert Signature.objects.get().withdrawn_at is None


def test_a_withdrawn_signer_may_sign_again_with_a_new_number(client):
    campaign = make_campaign("pledge")
    signed_url = sign(client, campaign)
    client.post(_withdraw_url(signed_url))
    sign(client, campaign, name="张三")
    assert list(Signature.objects.order_by("number").values_list("number", "withdrawn_at")) == [
        (1, Signature.objects.get(number=1).withdrawn_at),
        (2, None),
    ]
    assert [s.display_name for s in selectors.signature_wall(campaign)] == ["张三"]


def test_a_withdrawn_vote_is_kept_marked_left_out_of_tallies_and_gives_its_slot_back(client):
    campaign = make_campaign("vote", votes_per_day=1)
    alice, bob = nominees(campaign, "外卖骑手小王", "快递员老李")
    verify(client, campaign)
    voted = client.post(f"/campaigns/{campaign.slug}/vote/{alice.pk}/").content.decode()
    assert "投票成功" in voted
    vote = Vote.objects.get()
    withdraw_url = f"/campaigns/{campaign.slug}/vote/withdraw/{vote.pk}/"
    assert withdraw_url in voted
    # The slot is used: a second vote today is refused.
    assert "明天再来" in client.post(f"/campaigns/{campaign.slug}/vote/{bob.pk}/").content.decode()

    assert "确定撤回吗？" in client.get(withdraw_url).content.decode()
    done = client.post(withdraw_url).content.decode()
    assert "这一票已撤回" in done
    vote.refresh_from_db()
    assert vote.withdrawn_at is not None  # kept, marked, with its time
    rows = {row["candidate"].pk: row["votes"] for row in selectors.vote_results(campaign)["rows"]}
    assert rows[alice.pk] == 0
    assert selectors.campaign_reach(campaign)["votes"]["value"] == 0

    again = client.post(f"/campaigns/{campaign.slug}/vote/{bob.pk}/")
    assert "投票成功" in again.content.decode()
    assert Vote.objects.count() == 2
    rows = {row["candidate"].pk: row["votes"] for row in selectors.vote_results(campaign)["rows"]}
    assert rows == {alice.pk: 0, bob.pk: 1}


def test_a_vote_cannot_be_withdrawn_after_ten_minutes_or_twice(client):
    campaign = make_campaign("vote")
    (alice,) = nominees(campaign, "外卖骑手小王")
    verify(client, campaign)
    client.post(f"/campaigns/{campaign.slug}/vote/{alice.pk}/")
    vote = Vote.objects.get()
    withdraw_url = f"/campaigns/{campaign.slug}/vote/withdraw/{vote.pk}/"
    _age(Vote, vote.pk, "cast_at", 10)
    late = client.post(withdraw_url)
    assert late.status_code == 409
    assert "已经超过 10 分钟" in late.content.decode()
    vote.refresh_from_db()
    assert vote.withdrawn_at is None

    Vote.objects.filter(pk=vote.pk).update(cast_at=timezone.now())
    assert client.post(withdraw_url).status_code == 200
    twice = client.post(withdraw_url)
    assert twice.status_code == 409
    assert "已经撤回" in twice.content.decode()


def test_another_browser_cannot_withdraw_a_vote(client):
    from django.test import Client

    campaign = make_campaign("vote")
    (alice,) = nominees(campaign, "外卖骑手小王")
    verify(client, campaign)
    client.post(f"/campaigns/{campaign.slug}/vote/{alice.pk}/")
    vote = Vote.objects.get()
    refused = Client().post(f"/campaigns/{campaign.slug}/vote/withdraw/{vote.pk}/")
    assert refused.status_code == 403
    vote.refresh_from_db()
    assert vote.withdrawn_at is None


def test_the_daily_slot_constraint_ignores_withdrawn_votes():
    campaign = make_campaign("vote")
    (alice,) = nominees(campaign, "外卖骑手小王")
    today = timezone.localdate()
    fields = {
        "campaign": campaign,
        "candidate": alice,
        "phone_hash": "h",
        "client_key": "c",
        "cast_on": today,
        "slot": 1,
    }
    Vote.objects.create(**fields, withdrawn_at=timezone.now())
    Vote.objects.create(**fields)  # the withdrawn vote's slot is free
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(**fields)


def test_the_services_refuse_a_late_withdrawal_with_a_clear_reason():
    campaign = make_campaign("vote")
    (alice,) = nominees(campaign, "外卖骑手小王")
    vote = services.vote_cast(
        campaign=campaign, candidate_id=alice.pk, hashed_phone="h", client_key="c"
    )
    later = timezone.now() + timedelta(minutes=10, seconds=1)
    with pytest.raises(services.ParticipationRefused) as refused:
        services.vote_withdraw(vote_id=vote.pk, now=later)
    assert refused.value.code == "withdraw_too_late"
    assert "不能再撤回" in refused.value.messages[0]
