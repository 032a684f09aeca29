"""The API's serializers describe what the API really answers (and the schema publishes)."""

from datetime import date

import pytest

from civility_index import services
from civility_index.serializers import SnapshotSerializer
from civility_index.views import snapshot_document

pytestmark = pytest.mark.django_db


def test_a_computed_snapshot_is_what_the_snapshot_serializer_describes(index_editor):
    services.entered_values_import(
        text=(
            "indicator,district,period,value,cases\n"
            "security_incident_handling_rate,330302,2026-10,99.2,120\n"
            "security_incident_handling_rate,330303,2026-10,97.5,80\n"
        ),
        actor=index_editor,
    )
    snapshot = services.snapshot_compute(period=date(2026, 10, 1))

    serializer = SnapshotSerializer(data=snapshot_document(snapshot))

    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["results"]["units"]["330302"]["indicators"][
        "security_incident_handling_rate"
    ]["raw"] == pytest.approx(99.2)
