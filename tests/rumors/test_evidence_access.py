"""Evidence is served only through an authenticated view to staff who may see the report."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rumors import services
from tests.rumors.conftest import report_input
from tests.rumors.images import image_bytes
from wenzhou_portal import images as evidence
from wenzhou_portal.districts import District

pytestmark = pytest.mark.django_db


@pytest.fixture
def evidence_item(settings, tmp_path, district_rules, django_capture_on_commit_callbacks):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    original = image_bytes("JPEG", size=(80, 60))
    decoded = evidence.validate_evidence_image(SimpleUploadedFile("x.jpg", original))
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_submit(
            data=report_input(district=District.LUCHENG), images=[decoded]
        )
    item = report.evidence.get()
    assert item.original_sha256 == hashlib.sha256(original).hexdigest()
    return item, original


def test_the_lead_department_sees_the_redacted_copy_only(client, evidence_item, lucheng_handler):
    item, _original = evidence_item
    client.force_login(lucheng_handler)
    response = client.get(f"/reports/evidence/{item.pk}/redacted/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert client.get(f"/reports/evidence/{item.pk}/original/").status_code == 403


def test_office_admins_get_the_untouched_original(client, evidence_item, office_admin):
    item, original = evidence_item
    client.force_login(office_admin)
    response = client.get(f"/reports/evidence/{item.pk}/original/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == original


def test_other_departments_and_the_public_get_nothing(client, evidence_item, longwan_handler):
    item, _original = evidence_item
    assert client.get(f"/reports/evidence/{item.pk}/redacted/").status_code == 404
    client.force_login(longwan_handler)
    assert client.get(f"/reports/evidence/{item.pk}/redacted/").status_code == 404
    assert client.get(f"/reports/evidence/{item.pk}/anything/").status_code == 404


def test_stored_files_are_outside_any_public_url(evidence_item, settings):
    item, _original = evidence_item
    assert not item.original_path.startswith(str(settings.STATIC_ROOT))
    assert not str(settings.PRIVATE_MEDIA_ROOT).startswith(str(settings.MEDIA_ROOT))
