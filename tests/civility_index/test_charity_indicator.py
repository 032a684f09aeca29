"""The charity register offers the index its on-time disclosure rate; an index editor adds
it to the method as a new method version, with no migration doing it on their behalf."""

from datetime import date

import pytest

from civility_index import indicators, services
from civility_index.models import Dimension, Indicator

pytestmark = pytest.mark.django_db

OCTOBER = date(2026, 10, 1)


def test_the_default_method_does_not_use_the_charity_indicator(default_method):
    assert not Indicator.objects.filter(computed_key="charity_disclosure_on_time_share").exists()
    assert "charity_disclosure_on_time_share" in indicators.REGISTRY


def test_an_index_editor_adds_charity_punctuality_as_a_new_method_version(
    default_method, index_editor, monkeypatch
):
    from charity import selectors as charity_selectors

    asked = []

    def punctuality(*, start, end):
        asked.append((start, end))
        return {"330302": {"due": 4, "on_time": 3, "rate": 75.0, "last_updated": None}}

    monkeypatch.setattr(charity_selectors, "disclosure_punctuality_by_district", punctuality)
    before = services.method_settings().version
    Indicator.objects.create(
        code="charity_disclosure_on_time",
        name_zh="公益信息按时公开率",
        name_en="Charity disclosures on time",
        dimension=Dimension.objects.order_by("order").first(),
        description="当月到期的公益信息公开中按时公开的比例。",
        unit="%",
        direction=Indicator.Direction.HIGHER,
        weight=0.05,
        lower=50,
        upper=100,
        source=Indicator.Source.COMPUTED,
        computed_key="charity_disclosure_on_time_share",
    )
    services.method_changed(actor=index_editor)
    assert services.method_settings().version == before + 1

    snapshot = services.snapshot_compute(period=OCTOBER)
    lucheng = snapshot.results["units"]["330302"]["indicators"]["charity_disclosure_on_time"]
    assert lucheng["raw"] == 75.0
    assert lucheng["cases"] == 4
    ouhai = snapshot.results["units"]["330304"]["indicators"]["charity_disclosure_on_time"]
    assert ouhai["raw"] is None  # nothing fell due there: missing, not zero
    assert len(asked) == 1  # one read of the charity register per computation
