"""The campaigns API: the same rules and limits as the pages, errors naming the field."""

import re

import pytest
from django.core.cache import cache

from campaigns.models import Candidate, EventRegistration, Signature, Vote
from tests.campaigns.test_campaigns import make_campaign
from wenzhou_portal.sms import LocmemSMSBackend

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.SMS_BACKEND = "wenzhou_portal.sms.LocmemSMSBackend"
    LocmemSMSBackend.outbox.clear()
    cache.clear()


def _code() -> str:
    return re.search(r"(\d{6})", LocmemSMSBackend.outbox[-1][1]).group(1)


def test_list_and_detail_with_filters(client):
    live = make_campaign("pledge", title="签名活动")
    make_campaign("theme", title="未发布", published=False)
    rows = client.get("/api/v1/campaigns/").json()["results"]
    assert [row["slug"] for row in rows] == [live.slug]
    assert client.get("/api/v1/campaigns/", {"kind": "vote"}).json()["results"] == []
    assert client.get("/api/v1/campaigns/", {"kind": "nonsense"}).status_code == 400
    detail = client.get(f"/api/v1/campaigns/{live.slug}/").json()
    assert detail["reach"]["participants"]["definition"]


def test_pledge_over_the_api_once_per_number(client):
    campaign = make_campaign("pledge")
    verification = client.post(
        f"/api/v1/campaigns/{campaign.slug}/phone-code/", {"phone": "13812345678"}
    ).json()
    signed = client.post(
        f"/api/v1/campaigns/{campaign.slug}/pledge/",
        {"verification_id": verification["verification_id"], "code": _code(), "display_name": "王"},
    )
    assert signed.status_code == 201
    assert signed.json() == {"number": 1}
    again_id = client.post(
        f"/api/v1/campaigns/{campaign.slug}/phone-code/", {"phone": "13812345678"}
    ).json()
    again = client.post(
        f"/api/v1/campaigns/{campaign.slug}/pledge/",
        {"verification_id": again_id["verification_id"], "code": _code(), "display_name": "王"},
    )
    assert again.status_code == 400
    assert Signature.objects.count() == 1


def test_bad_input_names_the_field(client):
    campaign = make_campaign("pledge")
    bad = client.post(f"/api/v1/campaigns/{campaign.slug}/phone-code/", {"phone": "123"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "phone"
    wrong = client.post(
        f"/api/v1/campaigns/{campaign.slug}/pledge/",
        {"verification_id": 999, "code": "123456", "display_name": "王"},
    )
    assert wrong.status_code == 400
    closed = make_campaign("pledge", starts=-10, ends=-1)
    refused = client.post(f"/api/v1/campaigns/{closed.slug}/phone-code/", {"phone": "13812345678"})
    assert refused.status_code == 400
    assert "活动已经结束" in refused.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "typed",
    [
        "138 0013 8000",
        "+86 138-0013-8000",
        "0086 13800138000",
        "１３８００１３８０００",  # full-width digits from a Chinese input method
        "手机：13800138000",
    ],
)
def test_a_number_typed_as_people_type_it_is_understood_over_the_api(client, typed):
    campaign = make_campaign("pledge")
    sent = client.post(f"/api/v1/campaigns/{campaign.slug}/phone-code/", {"phone": typed})
    assert sent.status_code == 201, sent.json()
    assert LocmemSMSBackend.outbox[-1][0] == "13800138000"
    signed = client.post(
        f"/api/v1/campaigns/{campaign.slug}/pledge/",
        {"verification_id": sent.json()["verification_id"], "code": _code(), "display_name": "王"},
        content_type="application/json",
    )
    assert signed.status_code == 201


@pytest.mark.parametrize(
    "typed",
    [
        "12345678901",
        "0577 8888 8888",
        "138 0013 800",
        "+1 415 555 2671",
        "",
        "1" * 41,
        "１３８\x00",
    ],
)
def test_a_number_that_is_no_mainland_mobile_is_refused_naming_the_field(client, typed):
    campaign = make_campaign("pledge")
    refused = client.post(
        f"/api/v1/campaigns/{campaign.slug}/phone-code/",
        {"phone": typed},
        content_type="application/json",
    )
    assert refused.status_code == 400
    errors = refused.json()["errors"]
    assert [error["field"] for error in errors] == ["phone"]
    assert errors[0]["message"]
    if typed:
        assert errors[0]["message"] == "请输入 11 位中国大陆手机号码，例如 138 0013 8000。"
    assert LocmemSMSBackend.outbox == []


def test_the_api_and_the_page_read_a_number_the_same_way(client):
    campaign = make_campaign("pledge")
    client.post(f"/campaigns/{campaign.slug}/pledge/code/", {"phone": "+86 138-0013-8000"})
    client.post(f"/api/v1/campaigns/{campaign.slug}/phone-code/", {"phone": "+86 138-0013-8000"})
    assert [sent[0] for sent in LocmemSMSBackend.outbox] == ["13800138000", "13800138000"]


def test_vote_with_a_voter_token_and_the_daily_limit(client):
    campaign = make_campaign("vote", votes_per_day=1)
    nominee = Candidate.objects.create(campaign=campaign, name="甲", story="s", status="approved")
    verification = client.post(
        f"/api/v1/campaigns/{campaign.slug}/phone-code/", {"phone": "13812345678"}
    ).json()
    token = client.post(
        f"/api/v1/campaigns/{campaign.slug}/voter-token/",
        {"verification_id": verification["verification_id"], "code": _code()},
    ).json()["voter_token"]
    assert (
        client.post(
            f"/api/v1/campaigns/{campaign.slug}/vote/",
            {"voter_token": token, "candidate": nominee.pk},
        ).status_code
        == 201
    )
    second = client.post(
        f"/api/v1/campaigns/{campaign.slug}/vote/", {"voter_token": token, "candidate": nominee.pk}
    )
    assert second.status_code == 400
    assert Vote.objects.count() == 1
    forged = client.post(
        f"/api/v1/campaigns/{campaign.slug}/vote/",
        {"voter_token": "forged", "candidate": nominee.pk},
    )
    assert forged.json()["errors"][0]["field"] == "voter_token"


def test_code_flooding_answers_429(client, settings):
    settings.PHONE_CODE_LIMIT_PER_NUMBER = "1/d"
    campaign = make_campaign("pledge")
    client.post(f"/api/v1/campaigns/{campaign.slug}/phone-code/", {"phone": "13812345678"})
    refused = client.post(
        f"/api/v1/campaigns/{campaign.slug}/phone-code/", {"phone": "13812345678"}
    )
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["message"]
    # The number's day is what is full: wait until local midnight, at most a day.
    assert 0 < int(refused["Retry-After"]) <= 24 * 3600


def test_a_client_voting_too_often_is_told_when_to_come_back(client, settings):
    settings.VOTE_LIMIT_PER_CLIENT = "1/h"
    campaign = make_campaign("vote", votes_per_day=5)
    nominee = Candidate.objects.create(campaign=campaign, name="甲", story="s", status="approved")
    tokens = []
    for phone in ("13812345678", "13812345679"):
        sent = client.post(f"/api/v1/campaigns/{campaign.slug}/phone-code/", {"phone": phone})
        tokens.append(
            client.post(
                f"/api/v1/campaigns/{campaign.slug}/voter-token/",
                {"verification_id": sent.json()["verification_id"], "code": _code()},
            ).json()["voter_token"]
        )
    vote = f"/api/v1/campaigns/{campaign.slug}/vote/"
    assert client.post(vote, {"voter_token": tokens[0], "candidate": nominee.pk}).status_code == 201
    refused = client.post(vote, {"voter_token": tokens[1], "candidate": nominee.pk})
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert Vote.objects.count() == 1


def test_event_sign_ups_over_the_api_are_limited_per_client(client, settings):
    settings.CAMPAIGN_FORM_LIMIT = "2/h"  # an hour: a minute could turn over mid-test
    settings.PHONE_CODE_LIMIT_PER_CLIENT = "100/h"
    campaign = make_campaign("event", capacity=100)
    assert _register(client, campaign, "甲", "13900000001").status_code == 201
    # A wrong code is an attempt too: the guard counts before the input is read.
    sent = client.post(f"/api/v1/campaigns/{campaign.slug}/phone-code/", {"phone": "13900000002"})
    wrong = "000000" if _code() != "000000" else "111111"
    register = f"/api/v1/campaigns/{campaign.slug}/register/"
    body = {"name": "乙", "verification_id": sent.json()["verification_id"], "code": wrong}
    assert client.post(register, body).status_code == 400

    refused = client.post(register, {**body, "code": _code()})

    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/json"
    answer = refused.json()
    assert 0 < answer["retry_after"] <= 3600
    assert int(refused["Retry-After"]) == answer["retry_after"]
    assert answer["errors"][0]["field"] == "non_field"
    assert "提交太频繁了" in answer["errors"][0]["message"]
    assert EventRegistration.objects.count() == 1


def test_every_429_of_the_campaigns_api_says_when_to_come_back_in_the_body(client, settings):
    settings.PHONE_CODE_LIMIT_PER_NUMBER = "1/d"
    campaign = make_campaign("pledge")
    client.post(f"/api/v1/campaigns/{campaign.slug}/phone-code/", {"phone": "13812345678"})
    refused = client.post(
        f"/api/v1/campaigns/{campaign.slug}/phone-code/", {"phone": "13812345678"}
    )
    assert refused.status_code == 429
    assert refused.json()["retry_after"] == int(refused["Retry-After"])


def test_the_schema_documents_the_sign_up_limit(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    refused = schema["paths"]["/api/v1/campaigns/{slug}/register/"]["post"]["responses"]["429"]
    assert "Retry-After" in refused["headers"]
    body = refused["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert "retry_after" in schema["components"]["schemas"][body]["properties"]


def test_a_slug_the_router_would_not_match_gets_the_api_404(client):
    response = client.get("/api/v1/campaigns/no.such.campaign/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["message"]


def _register(client, campaign, name: str, phone: str):
    sent = client.post(f"/api/v1/campaigns/{campaign.slug}/phone-code/", {"phone": phone})
    assert sent.status_code == 201
    return client.post(
        f"/api/v1/campaigns/{campaign.slug}/register/",
        {"name": name, "verification_id": sent.json()["verification_id"], "code": _code()},
    )


def test_register_for_an_event_over_the_api_with_a_proven_number(client):
    campaign = make_campaign("event", capacity=1)
    first = _register(client, campaign, "甲", "13900000001")
    second = _register(client, campaign, "乙", "13900000002")
    assert (first.json()["status"], second.json()["status"]) == ("confirmed", "waitlisted")


def test_an_event_registration_without_a_code_is_refused_over_the_api(client):
    campaign = make_campaign("event", capacity=10)
    response = client.post(
        f"/api/v1/campaigns/{campaign.slug}/register/", {"name": "甲", "phone": "13900000001"}
    )
    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"verification_id", "code"} <= fields
    assert not EventRegistration.objects.exists()


def test_a_wrong_code_takes_no_place_over_the_api(client):
    campaign = make_campaign("event", capacity=10)
    sent = client.post(f"/api/v1/campaigns/{campaign.slug}/phone-code/", {"phone": "13900000001"})
    wrong = "000000" if _code() != "000000" else "111111"
    response = client.post(
        f"/api/v1/campaigns/{campaign.slug}/register/",
        {"name": "甲", "verification_id": sent.json()["verification_id"], "code": wrong},
    )
    assert response.status_code == 400
    assert not EventRegistration.objects.exists()


def test_the_schema_documents_participation(client):
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    assert "/api/v1/campaigns/{slug}/vote/" in paths
    assert "/api/v1/campaigns/{slug}/pledge/" in paths
