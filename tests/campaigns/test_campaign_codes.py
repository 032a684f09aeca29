"""A campaign's districts and tags are rows, not comma-packed text."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from campaigns import selectors, services
from campaigns.models import Campaign, CampaignDistrict, CampaignTag
from tests.campaigns.test_campaigns import make_campaign

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/campaigns/campaign/"


def _campaign_form(**changes) -> dict:
    now = timezone.localtime()
    data = {
        "title": "青少年网络素养宣讲",
        "slug": "youth-literacy",
        "kind": "event",
        "summary": "走进学校讲防诈骗。",
        "organiser": "温州市委网信办",
        "starts_at_0": now.strftime("%Y-%m-%d"),
        "starts_at_1": "00:00:00",
        "ends_at_0": (now + timedelta(days=5)).strftime("%Y-%m-%d"),
        "ends_at_1": "00:00:00",
        "votes_per_day": "1",
        "public_weight": "40",
        "candidates-TOTAL_FORMS": "0",
        "candidates-INITIAL_FORMS": "0",
        "external_reach-TOTAL_FORMS": "0",
        "external_reach-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


def _with_codes(kind: str, *, districts=(), tags=(), **extra) -> Campaign:
    campaign = make_campaign(kind, **extra)
    services.campaign_codes_set(campaign=campaign, districts=districts, tags=tags)
    return campaign


def test_the_editor_saves_one_row_per_district_and_tag(client, campaign_editor):
    client.force_login(campaign_editor)
    response = client.post(
        f"{CHANGELIST}add/",
        _campaign_form(
            district_choices=["330381", "330302"],
            # Full-width and ASCII commas, spaces and a repeat, as staff really type.
            tags_text=" 青少年，网络素养,  青少年 ,,防 诈骗",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    campaign = Campaign.objects.get(slug="youth-literacy")
    assert sorted(
        CampaignDistrict.objects.filter(campaign=campaign).values_list("district", flat=True)
    ) == ["330302", "330381"]
    assert list(
        CampaignTag.objects.filter(campaign=campaign).order_by("pk").values_list("name", flat=True)
    ) == ["青少年", "网络素养", "防 诈骗"]
    assert campaign.district_codes == ["330302", "330381"]


def test_the_change_form_shows_the_rows_and_an_edit_replaces_them(client, campaign_editor):
    campaign = _with_codes("event", districts=["330302"], tags=["青少年", "网络素养"])
    client.force_login(campaign_editor)
    form = client.get(f"{CHANGELIST}{campaign.pk}/change/").context["adminform"].form
    assert form["district_choices"].value() == ["330302"]
    assert form["tags_text"].value() == "青少年，网络素养"

    response = client.post(
        f"{CHANGELIST}{campaign.pk}/change/",
        _campaign_form(
            slug=campaign.slug,
            district_choices=["330303"],
            tags_text="网络素养，防诈骗",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    campaign = Campaign.objects.get(pk=campaign.pk)
    assert campaign.district_codes == ["330303"]
    assert campaign.tag_list == ["网络素养", "防诈骗"]
    assert CampaignDistrict.objects.count() == 1


def test_a_tag_too_long_is_refused_in_the_form_and_nothing_is_saved(client, campaign_editor):
    client.force_login(campaign_editor)
    response = client.post(f"{CHANGELIST}add/", _campaign_form(tags_text="青少年，" + "长" * 31))
    assert response.status_code == 200
    assert "每个标签最多 30 个字" in response.content.decode()
    assert not Campaign.objects.exists()
    assert not CampaignTag.objects.exists()


def test_tags_are_parsed_from_what_staff_type():
    assert services.tags_parse("网络文明，青少年,青少年、 共同  富裕 ,") == [
        "网络文明",
        "青少年",
        "共同 富裕",
    ]
    assert services.tags_parse("") == []
    assert services.tags_parse(" ，, ") == []
    with pytest.raises(ValidationError):
        services.tags_parse("长" * 31)


def test_the_service_refuses_an_unknown_district_and_writes_nothing():
    campaign = make_campaign("theme")
    with pytest.raises(ValidationError):
        services.campaign_codes_set(campaign=campaign, districts=["330302", "110101"], tags=[])
    assert not CampaignDistrict.objects.exists()


def test_setting_the_same_codes_twice_keeps_one_row_each():
    campaign = _with_codes("theme", districts=["330302"], tags=["民生"])
    services.campaign_codes_set(campaign=campaign, districts=["330302", "330302"], tags=["民生"])
    assert CampaignDistrict.objects.filter(campaign=campaign).count() == 1
    assert CampaignTag.objects.filter(campaign=campaign).count() == 1


def test_filtering_by_district_and_tag_uses_the_rows(client):
    lucheng = _with_codes("event", districts=["330302"], tags=["青少年", "网络素养"])
    both = _with_codes("theme", districts=["330302", "330303"], tags=["共同富裕"])
    citywide = _with_codes("pledge", tags=["网络文明"])

    assert set(selectors.campaigns_public(district="330302")) == {lucheng, both}
    assert list(selectors.campaigns_public(district="330303")) == [both]
    assert list(selectors.campaigns_public(district="330381")) == []
    # A tag filter matches within one tag, never across two ("年,网" is in no tag).
    assert set(selectors.campaigns_public(tag="网络")) == {citywide, lucheng}
    assert list(selectors.campaigns_public(tag="年,网")) == []

    page = client.get("/campaigns/", {"district": "330303"}).content.decode()
    assert both.title in page
    assert lucheng.get_absolute_url() not in page
    api = client.get("/api/v1/campaigns/", {"district": "330302", "tag": "青少年"}).json()
    assert [(row["slug"], row["tags"]) for row in api["results"]] == [
        (lucheng.slug, ["青少年", "网络素养"])
    ]


def test_the_detail_page_shows_the_tags_in_the_order_typed(client):
    campaign = _with_codes("theme", tags=["网络文化节", "短视频"])
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert page.index("网络文化节") < page.index("短视频")


def _list_queries(client, django_assert_max_num_queries, url: str, most: int) -> None:
    with django_assert_max_num_queries(most):
        assert client.get(url).status_code == 200


def test_lists_read_districts_and_tags_in_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    for n in range(6):
        _with_codes("theme", districts=["330302", "330303"], tags=[f"标签{n}", "共同富裕"])
    # Count, page, districts, tags (and a session or two): not one query per campaign.
    _list_queries(client, django_assert_max_num_queries, "/api/v1/campaigns/", 5)
    _list_queries(client, django_assert_max_num_queries, "/campaigns/?district=330302", 6)


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_packed_text_into_rows_and_back():
    executor = MigrationExecutor(connection)
    before = [("campaigns", "0007_phone_verification_moved")]
    after = [("campaigns", "0008_campaign_codes_as_rows")]
    latest = executor.loader.graph.leaf_nodes("campaigns")
    try:
        executor.migrate(before)
        old = MigrationExecutor(connection).loader.project_state(before).apps
        now = timezone.now()
        campaign = old.get_model("campaigns", "Campaign").objects.create(
            title="宣讲",
            slug="packed",
            kind="event",
            summary="简介",
            districts=",330302,330303,,330302,",
            tags="青少年，网络素养, 青少年,," + "长" * 40,
            starts_at=now,
            ends_at=now + timedelta(days=1),
        )

        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps
        districts = new.get_model("campaigns", "CampaignDistrict").objects
        tags = new.get_model("campaigns", "CampaignTag").objects
        assert sorted(
            districts.filter(campaign_id=campaign.pk).values_list("district", flat=True)
        ) == ["330302", "330303"]
        assert list(
            tags.filter(campaign_id=campaign.pk).order_by("pk").values_list("name", flat=True)
        ) == ["青少年", "网络素养", "长" * 30]

        executor = MigrationExecutor(connection)
        executor.migrate(before)
        back = old.get_model("campaigns", "Campaign").objects.get(pk=campaign.pk)
        assert back.districts == ",330302,330303,"
        assert back.tags == "青少年,网络素养," + "长" * 30
    finally:
        MigrationExecutor(connection).migrate(latest)
