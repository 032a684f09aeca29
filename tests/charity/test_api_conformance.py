"""The charity API's real answers, for rows of every kind, match the OpenAPI schema.

The portal-wide schemathesis run (tests/portal/test_api_schema.py) fuzzes these operations
with generated input; here the demo register is seeded and each list and detail is called
once, so the 200 bodies (nested qualification, punctuality, disclosures, corrections,
next disclosure due) are checked against what the schema promises.
"""

import pytest

from charity import demo
from charity.models import Organisation, Project
from tests.portal.test_api_schema import (  # noqa: F401  (the fixture keeps the test's transaction)
    CHECKS,
    THOROUGH,
    _requests_share_the_test_transaction,
)

pytestmark = pytest.mark.django_db


def _get(path: str, **parts):
    response = THOROUGH[path]["GET"].Case(**parts).call_and_validate(checks=CHECKS)
    assert response.status_code == 200, response.text
    return response.json()


def test_every_public_row_answers_as_documented():
    demo.seed_charity(lambda _text: None)
    organisations = _get("/api/v1/charity/organisations/")
    assert organisations["count"] == 4
    for organisation in Organisation.objects.filter(status__in=["verified", "suspended"]):
        _get(
            "/api/v1/charity/organisations/{credit_code}/",
            path_parameters={"credit_code": organisation.credit_code},
        )
    projects = _get("/api/v1/charity/projects/", query={"status": "fundraising"})
    assert projects["count"] == 2
    for project in Project.objects.filter(status__in=["fundraising", "completed", "closed"]):
        _get("/api/v1/charity/projects/{id}/", path_parameters={"id": project.pk})
