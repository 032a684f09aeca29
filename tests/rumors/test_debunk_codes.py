"""A debunk's districts, categories and tags are rows, not comma-packed text."""

import pytest

from rumors import selectors, services
from rumors.models import Debunk, DebunkTag

pytestmark = pytest.mark.django_db


def _add_form(office, **overrides) -> dict:
    return {
        "title": "网传“瓯海区停电一周”不实",
        "slug": "ouhai-power-cut",
        "claim": "网传瓯海区下周停电一周。",
        "verdict": "false",
        "summary": "国网温州供电公司：没有停电计划。",
        "authority": office.pk,
        "district_choices": ["330304"],
        "category_choices": ["rumor"],
        "tags_text": "民生",
        "sources-TOTAL_FORMS": "0",
        "sources-INITIAL_FORMS": "0",
        "appearances-TOTAL_FORMS": "0",
        "appearances-INITIAL_FORMS": "0",
        **overrides,
    }


def test_a_tag_too_long_is_a_form_error_not_cut_short(client, office_admin, office):
    client.force_login(office_admin)
    response = client.post(
        "/admin/rumors/debunk/add/", _add_form(office, tags_text="民生，" + "长" * 31)
    )
    assert response.status_code == 200
    assert "每个标签最多 30 个字" in response.content.decode()
    assert not Debunk.objects.exists()


def test_the_admin_form_saves_one_row_per_district_category_and_tag(client, office_admin, office):
    client.force_login(office_admin)
    response = client.post(
        "/admin/rumors/debunk/add/",
        {
            "title": "网传“瓯海区停电一周”不实",
            "slug": "ouhai-power-cut",
            "claim": "网传瓯海区下周停电一周。",
            "verdict": "false",
            "summary": "国网温州供电公司：没有停电计划。",
            "authority": office.pk,
            "district_choices": ["330304", "330302"],
            "category_choices": ["rumor"],
            "tags_text": "民生，供电, 民生",
            "sources-TOTAL_FORMS": "0",
            "sources-INITIAL_FORMS": "0",
            "appearances-TOTAL_FORMS": "0",
            "appearances-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    debunk = Debunk.objects.get(slug="ouhai-power-cut")
    assert debunk.district_codes == ["330302", "330304"]
    assert debunk.category_codes == ["rumor"]
    assert debunk.tag_list == ["供电", "民生"]


def test_search_and_filters_use_the_rows(published_debunk):
    assert list(selectors.debunks_search(district="330302")) == [published_debunk]
    assert list(selectors.debunks_search(district="330381")) == []
    assert list(selectors.debunks_search(category="rumor")) == [published_debunk]
    assert list(selectors.debunks_search(q="供水")) == [published_debunk]  # a tag


def test_replacing_the_codes_keeps_one_row_each(published_debunk):
    services.debunk_codes_set(
        debunk=published_debunk, districts=["330303"], categories=[], tags=["民生", "停水"]
    )
    published_debunk.refresh_from_db()
    assert published_debunk.district_codes == ["330303"]
    assert published_debunk.category_codes == []
    assert sorted(DebunkTag.objects.values_list("name", flat=True)) == ["停水", "民生"]
