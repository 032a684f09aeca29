"""Campaigns: state from dates, pledges with phone verification, events, reach."""

import re
import threading
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from campaigns import selectors, services
from campaigns.certificates import certificate_lines
from campaigns.models import (
    Campaign,
    CampaignState,
    EventRegistration,
    PageViewDay,
    Signature,
)
from tests.support import require_service
from wenzhou_portal.models import PhoneVerification
from wenzhou_portal.sms import LocmemSMSBackend

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sms_and_cache(settings):
    settings.SMS_BACKEND = "wenzhou_portal.sms.LocmemSMSBackend"
    LocmemSMSBackend.outbox.clear()
    cache.clear()
    yield
    cache.clear()


def make_campaign(kind="pledge", *, starts=-1, ends=10, published=True, **extra) -> Campaign:
    now = timezone.now()
    extra.setdefault("title", f"{kind} 活动")
    return Campaign.objects.create(
        slug=f"{kind}-{Campaign.objects.count()}",
        kind=kind,
        summary="简介",
        starts_at=now + timedelta(days=starts),
        ends_at=now + timedelta(days=ends),
        is_published=published,
        **extra,
    )


def test_state_follows_from_the_dates():
    campaign = make_campaign(starts=1, ends=3)
    now = timezone.now()
    assert campaign.state_at(now) == CampaignState.UPCOMING
    assert campaign.state_at(now + timedelta(days=2)) == CampaignState.LIVE
    assert campaign.state_at(now + timedelta(days=3)) == CampaignState.CLOSED


def test_the_list_shows_live_then_upcoming_then_past_and_hides_unpublished(client):
    past = make_campaign("theme", starts=-20, ends=-10, title="往期活动")
    upcoming = make_campaign("theme", starts=5, ends=9, title="即将开始的活动")
    live = make_campaign("theme", starts=-1, ends=1, title="进行中的活动")
    hidden = make_campaign("theme", published=False, title="未发布的活动")
    assert list(selectors.campaigns_public()) == [live, upcoming, past]
    html = client.get("/campaigns/").content.decode()
    assert html.index(live.title) < html.index(upcoming.title) < html.index(past.title)
    assert hidden.title not in html
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get("/campaigns/", {"kind": "nonsense"}).status_code == 200


def _code() -> str:
    return re.search(r"(\d{6})", LocmemSMSBackend.outbox[-1][1]).group(1)


def test_a_citizen_signs_once_per_verified_number_and_gets_a_certificate(client):
    campaign = make_campaign()
    response = client.post(f"/campaigns/{campaign.slug}/pledge/code/", {"phone": "13812345678"})
    assert response.status_code == 200
    assert LocmemSMSBackend.outbox[-1][0] == "13812345678"
    response = client.post(
        f"/campaigns/{campaign.slug}/pledge/sign/",
        {"code": _code(), "display_name": "张三丰", "district": "330302"},
    )
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert (signature.number, signature.display_name) == (1, "张三丰")
    assert "13812345678" not in signature.phone_hash
    signed = client.get(response["Location"]).content.decode()
    certificate_url = re.search(r'href="([^"]+/certificate/[^"]+)"', signed).group(1)
    picture = client.get(certificate_url)
    assert picture["Content-Type"] == "image/png"
    assert picture.content.startswith(b"\x89PNG")
    lines = [line.text for line in certificate_lines(signature)]
    assert "张三丰" in lines
    assert "第 1 位签名者" in lines
    assert f"《{campaign.title}》" in lines
    wall = client.get(campaign.get_absolute_url()).content.decode()
    assert "张**" in wall
    assert "张三丰" not in wall
    # The same number again: refused, not counted.
    client.post(f"/campaigns/{campaign.slug}/pledge/code/", {"phone": "13812345678"})
    again = client.post(
        f"/campaigns/{campaign.slug}/pledge/sign/", {"code": _code(), "display_name": "张三"}
    )
    assert again.status_code == 400
    assert "已经签过名" in again.content.decode()
    assert Signature.objects.count() == 1


def test_wrong_codes_lock_the_verification(client, settings):
    settings.PHONE_CODE_MAX_ATTEMPTS = 3
    campaign = make_campaign()
    client.post(f"/campaigns/{campaign.slug}/pledge/code/", {"phone": "13812345678"})
    real = _code()
    wrong = "000000" if real != "000000" else "111111"
    for _ in range(3):
        response = client.post(
            f"/campaigns/{campaign.slug}/pledge/sign/", {"code": wrong, "display_name": "李"}
        )
        assert "验证码不正确" in response.content.decode()
    locked = client.post(
        f"/campaigns/{campaign.slug}/pledge/sign/", {"code": real, "display_name": "李"}
    )
    assert "错误次数过多" in locked.content.decode()
    assert Signature.objects.count() == 0


def test_codes_are_limited_per_number_and_per_client(client, settings):
    settings.PHONE_CODE_LIMIT_PER_NUMBER = "2/d"
    campaign = make_campaign()
    for _ in range(2):
        assert (
            client.post(
                f"/campaigns/{campaign.slug}/pledge/code/", {"phone": "13812345678"}
            ).status_code
            == 200
        )
    refused = client.post(f"/campaigns/{campaign.slug}/pledge/code/", {"phone": "13812345678"})
    assert refused.status_code == 429
    assert len(LocmemSMSBackend.outbox) == 2


@pytest.mark.parametrize(
    ("campaign_kwargs", "message"),
    [
        ({"starts": -10, "ends": -1}, "活动已经结束"),
        ({"starts": 2, "ends": 5}, "活动尚未开始"),
        ({"kind": "event"}, "不接受这种参与方式"),
    ],
)
def test_closed_upcoming_or_wrong_kind_campaigns_refuse_and_record_nothing(
    client, campaign_kwargs, message
):
    campaign = make_campaign(**campaign_kwargs)
    response = client.post(f"/campaigns/{campaign.slug}/pledge/code/", {"phone": "13812345678"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert LocmemSMSBackend.outbox == []
    assert Signature.objects.count() == 0


def test_bad_phone_numbers_are_answered_in_the_form(client):
    campaign = make_campaign()
    response = client.post(f"/campaigns/{campaign.slug}/pledge/code/", {"phone": "12345"})
    assert response.status_code == 400
    assert "11 位" in response.content.decode()


def test_mask_name():
    from wenzhou_portal.templatetags.portal import mask_name

    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("李") == "李*"
    assert mask_name("") == "*"


@pytest.mark.django_db(transaction=True)
def test_one_signature_per_number_holds_under_concurrent_requests():
    require_service(
        connection.vendor == "postgresql", "concurrent writes need PostgreSQL (DATABASE_URL)"
    )
    campaign = make_campaign()
    hashed = services.phone_hash("13812345678")
    outcomes = []

    def sign():
        try:
            services.pledge_sign(campaign=campaign, hashed_phone=hashed, display_name="王")
            outcomes.append("signed")
        except services.ParticipationRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=sign) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "refused", "refused", "signed"]
    assert Signature.objects.filter(campaign=campaign).count() == 1


def proven(phone: str) -> PhoneVerification:
    """A number whose owner typed the code from the text message."""
    return PhoneVerification.objects.create(
        phone_hash=services.phone_hash(phone),
        phone_tail=phone[-4:],
        code_hash="test$",
        verified_at=timezone.now(),
    )


def test_event_waitlist_and_cancel_link_promotes_the_next(client):
    campaign = make_campaign("event", capacity=2)
    results = [
        services.event_register(
            campaign=campaign, name=f"人{i}", verification=proven(f"1390000000{i}")
        )
        for i in range(4)
    ]
    assert [r.status for r in results] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    with pytest.raises(services.ParticipationRefused):
        services.event_register(campaign=campaign, name="重复", verification=proven("13900000000"))
    page = client.get(f"/campaigns/cancel/{results[0].cancel_token}/")
    assert page.status_code == 200
    client.post(f"/campaigns/cancel/{results[0].cancel_token}/")
    statuses = dict(EventRegistration.objects.values_list("name", "status"))
    assert statuses == {
        "人0": "cancelled",
        "人1": "confirmed",
        "人2": "confirmed",
        "人3": "waitlisted",
    }
    again = client.post(f"/campaigns/cancel/{results[0].cancel_token}/")
    assert "已取消" in again.content.decode()
    assert client.get("/campaigns/cancel/not-a-token/").status_code == 404


def test_registering_over_the_web_shows_the_cancel_link(client):
    campaign = make_campaign("event", capacity=1)
    client.post(f"/campaigns/{campaign.slug}/register/", {"name": "周", "phone": "13900000001"})
    response = client.post(f"/campaigns/{campaign.slug}/register/confirm/", {"code": _code()})
    assert "报名成功" in response.content.decode()
    token = EventRegistration.objects.get().cancel_token
    assert f"/campaigns/cancel/{token}/" in response.content.decode()
    bad = client.post(f"/campaigns/{campaign.slug}/register/", {"name": "", "phone": "1"})
    assert bad.status_code == 400


def test_views_are_counted_without_a_database_write_and_flushed(client, django_assert_num_queries):
    campaign = make_campaign("theme")
    for _ in range(3):
        client.get(campaign.get_absolute_url())
    other = client.__class__(REMOTE_ADDR="10.1.1.1")
    other.get(campaign.get_absolute_url())
    assert PageViewDay.objects.count() == 0
    assert services.page_views_flush() == 1
    row = PageViewDay.objects.get()
    assert (row.views, row.unique_visitors) == (4, 2)
    assert services.page_views_flush() == 1  # idempotent: absolute values
    assert PageViewDay.objects.get().views == 4


def test_reach_figures_are_defined_once_and_add_up(client):
    campaign = make_campaign("theme")
    PageViewDay.objects.create(
        campaign=campaign, day=timezone.localdate(), views=100, unique_visitors=60
    )
    campaign.external_reach.create(platform="douyin", day=timezone.localdate(), reads=5000)
    reach = selectors.campaign_reach(campaign)
    assert reach["reach"]["value"] == 5100
    assert all(figure["definition"] for figure in reach.values())
    html = client.get(campaign.get_absolute_url()).content.decode()
    assert str(reach["reach"]["definition"]) in html
    assert "分享本页不会解锁任何内容" in html
    assert 'property="og:title"' in html


def test_participation_by_district_for_the_index():
    campaign = make_campaign()
    for i, district in enumerate(["330302", "330302", "330303"]):
        services.pledge_sign(
            campaign=campaign, hashed_phone=f"h{i}", display_name="王", district=district
        )
    now = timezone.now()
    assert selectors.participants_by_district(
        start=now - timedelta(days=1), end=now + timedelta(days=1)
    ) == {
        "330302": 2,
        "330303": 1,
    }


def test_editors_export_attendees_and_cannot_see_reports(client, make_staff):
    from wenzhou_portal.roles import Role

    editor = make_staff("lin_jing", Role.CAMPAIGN_EDITOR)
    campaign = make_campaign("event", capacity=5)
    services.event_register(campaign=campaign, name="周同学", verification=proven("13900000001"))
    client.force_login(editor)
    response = client.post(
        "/admin/campaigns/eventregistration/",
        {
            "action": "export_csv",
            "_selected_action": list(EventRegistration.objects.values_list("pk", flat=True)),
        },
    )
    body = response.content.decode("utf-8-sig")
    assert "周同学" in body
    assert "0001" in body
    assert "13900000001" not in body
    assert client.get("/admin/rumors/report/").status_code == 403


def test_editors_see_participation_over_time_and_export_masked_signers(client, make_staff):
    from wenzhou_portal.roles import Role

    editor = make_staff("lin_jing2", Role.CAMPAIGN_EDITOR)
    campaign = make_campaign()
    services.pledge_sign(campaign=campaign, hashed_phone="h1", display_name="张三丰")
    assert selectors.participation_by_day(campaign)[0]["signatures"] == 1
    client.force_login(editor)
    page = client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/").content.decode()
    assert "每日参与情况" in page
    response = client.post(
        "/admin/campaigns/signature/",
        {
            "action": "export_csv",
            "_selected_action": list(Signature.objects.values_list("pk", flat=True)),
        },
    )
    body = response.content.decode("utf-8-sig")
    assert "张**" in body
    assert "张三丰" not in body


def _export(client, admin_path: str, model) -> list[list[str]]:
    import csv
    import io

    response = client.post(
        admin_path,
        {
            "action": "export_csv",
            "_selected_action": list(model.objects.values_list("pk", flat=True)),
        },
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_attendee_export_writes_a_formula_typed_as_a_name_as_text(client, make_staff):
    from wenzhou_portal.roles import Role

    campaign = make_campaign("event", capacity=5, title="@SUM(A1:A9) 读书会")
    for tail, name in (("0001", "=1+2"), ("0002", "-2+3+cmd|' /C calc'!A0"), ("0003", "\t=1")):
        EventRegistration.objects.create(
            campaign=campaign,
            name=name,
            phone_hash=f"hash-{tail}",
            phone_tail=tail,
            status=EventRegistration.Status.CONFIRMED,
            cancel_token=f"token-{tail}",
        )
    client.force_login(make_staff("lin_jing4", Role.CAMPAIGN_EDITOR))

    header, *rows = _export(client, "/admin/campaigns/eventregistration/", EventRegistration)

    assert header[1] == "姓名"
    assert [row[1] for row in rows] == ["'=1+2", "'-2+3+cmd|' /C calc'!A0", "'\t=1"]
    assert {row[0] for row in rows} == {"'@SUM(A1:A9) 读书会"}
    assert [row[2] for row in rows] == ["0001", "0002", "0003"]


def test_the_signature_export_keeps_numbers_and_escapes_formula_names(client, make_staff):
    from wenzhou_portal.roles import Role

    campaign = make_campaign(title='=HYPERLINK("https://evil.example")')
    services.pledge_sign(campaign=campaign, hashed_phone="h1", display_name="=1+2")
    services.pledge_sign(campaign=campaign, hashed_phone="h2", display_name="+王")
    client.force_login(make_staff("lin_jing5", Role.CAMPAIGN_EDITOR))

    _header, *rows = _export(client, "/admin/campaigns/signature/", Signature)

    assert [row[1] for row in rows] == ["1", "2"]
    assert [row[2] for row in rows] == ["'=***", "'+*"]
    assert {row[0] for row in rows} == {'\'=HYPERLINK("https://evil.example")'}


def test_an_editor_uploads_a_cover_and_picks_districts(client, make_staff, settings, tmp_path):
    from tests.rumors.images import image_bytes, upload
    from wenzhou_portal.roles import Role

    settings.PRIVATE_MEDIA_ROOT = tmp_path
    editor = make_staff("lin_jing3", Role.CAMPAIGN_EDITOR)
    client.force_login(editor)
    now = timezone.localtime()
    response = client.post(
        "/admin/campaigns/campaign/add/",
        {
            "title": "封面测试",
            "slug": "cover-test",
            "kind": "theme",
            "summary": "简介",
            "organiser": "温州市委网信办",
            "starts_at_0": now.strftime("%Y-%m-%d"),
            "starts_at_1": "00:00:00",
            "ends_at_0": (now + timedelta(days=5)).strftime("%Y-%m-%d"),
            "ends_at_1": "00:00:00",
            "votes_per_day": "1",
            "public_weight": "40",
            "district_choices": ["330302", "330381"],
            "upload": upload("cover.png", image_bytes("PNG", size=(640, 360))),
            "candidates-TOTAL_FORMS": "0",
            "candidates-INITIAL_FORMS": "0",
            "external_reach-TOTAL_FORMS": "0",
            "external_reach-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    campaign = Campaign.objects.get(slug="cover-test")
    assert not campaign.is_published  # published by the action, not by the form
    client.post(
        "/admin/campaigns/campaign/",
        {"action": "publish", "_selected_action": [campaign.pk], "index": 0},
    )
    campaign.refresh_from_db()
    assert campaign.is_published
    assert campaign.district_codes == ["330302", "330381"]
    assert campaign.cover_path.startswith("campaigns/")
    assert client.get("/campaigns/cover-test/cover/").status_code == 200
    assert "/campaigns/cover-test/cover/" in client.get("/campaigns/cover-test/").content.decode()
    bad = client.post(
        f"/admin/campaigns/campaign/{campaign.pk}/change/",
        {"upload": upload("fake.png", b"no image", "image/png")},
    )
    assert bad.status_code == 200


def test_editors_preview_drafts_that_the_public_cannot_see(client, make_staff):
    from wenzhou_portal.roles import Role

    draft = make_campaign("theme", published=False, title="草稿活动")
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(make_staff("lin_jing4", Role.CAMPAIGN_EDITOR))
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "预览" in page
    assert "草稿活动" in page
    assert not PageViewDay.objects.exists()
