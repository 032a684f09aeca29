"""Files on an S3-compatible store: originals stay in a private bucket and leave only through
the portal, after the permission check and with an audit record; public files leave by
short-lived signed URLs. Run against moto's standalone server, a real S3-protocol server
started here, never a mocked client; the STORAGES under test come from settings.py itself.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.urls import reverse
from django.utils import timezone

from charity import services as charity_services
from rumors.models import Evidence
from tests.campaigns.test_campaigns import make_campaign
from tests.charity import makers
from tests.rumors.conftest import (  # noqa: F401  (fixtures; F811 where a test names one)
    district_rules,
    longwan_handler,
    longwan_office,
    lucheng_handler,
    lucheng_office,
)
from tests.rumors.images import image_bytes, upload
from tests.support import REPO_ROOT
from wenzhou_portal import held_uploads, images
from wenzhou_portal.models import AuditEvent
from wenzhou_portal.roles import Role

pytestmark = pytest.mark.django_db

ACCESS_KEY = "portal-test-key"
SECRET_KEY = "portal-test-secret"  # moto accepts any pair; these only have to be consistent
PUBLIC_BUCKET = "qinglang-public-test"
PRIVATE_BUCKET = "qinglang-private-test"
REPORT = {
    "category": "fraud",
    "platform": "douyin",
    "url": "https://www.douyin.com/video/123",
    "content": "直播间冒充客服，要求观众加微信退款并提供验证码。",
    "district": "330302",
}

SETTINGS_PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "storages": settings.STORAGES,
    "origins": settings.OBJECT_STORAGE_ORIGINS,
    "img_src": [str(s) for s in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]],
}))
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory) -> Iterator[int]:
    """moto's standalone S3 server on a free port, for the whole session; its port."""
    port = _free_port()
    log = (tmp_path_factory.mktemp("moto") / "server.log").open("w")
    server = subprocess.Popen(  # noqa: S603  our own interpreter running moto's server
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if server.poll() is not None:
                pytest.fail(f"moto's server exited early: {Path(log.name).read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("moto's server did not listen within 30 s")
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(scope="session")
def object_storage_settings(s3_server) -> dict:
    """What settings.py makes of OBJECT_STORAGE_* pointing at the server, and its buckets.

    Web nodes reach the store at 127.0.0.1, browsers at localhost: the same server under two
    names, so a URL made for the internal name is caught.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("OBJECT_STORAGE_", "AWS_", "DJANGO_ENV", "DATABASE_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="wenzhou_portal.settings",
        OBJECT_STORAGE_URL=f"http://127.0.0.1:{s3_server}",
        OBJECT_STORAGE_PUBLIC_URL=f"http://localhost:{s3_server}",
        OBJECT_STORAGE_ACCESS_KEY=ACCESS_KEY,
        OBJECT_STORAGE_SECRET_KEY=SECRET_KEY,
        OBJECT_STORAGE_BUCKET=PUBLIC_BUCKET,
        OBJECT_STORAGE_PRIVATE_BUCKET=PRIVATE_BUCKET,
    )
    probe = subprocess.run(  # noqa: S603  our own interpreter and code
        [sys.executable, "-c", SETTINGS_PROBE],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    found = json.loads(probe.stdout.strip().splitlines()[-1])
    for bucket in (PUBLIC_BUCKET, PRIVATE_BUCKET):
        _s3(s3_server).create_bucket(Bucket=bucket)
    return found


def _s3(port: int):
    return boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{port}",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name="us-east-1",
    )


class Buckets:
    """The two buckets as an operator sees them, read with boto3."""

    def __init__(self, port: int):
        self.port = port
        self.client = _s3(port)

    def keys(self, bucket: str) -> set[str]:
        listed = self.client.list_objects_v2(Bucket=bucket)
        return {item["Key"] for item in listed.get("Contents", ())}

    def body(self, bucket: str, key: str) -> bytes:
        return self.client.get_object(Bucket=bucket, Key=key)["Body"].read()

    def empty(self) -> None:
        for bucket in (PUBLIC_BUCKET, PRIVATE_BUCKET):
            for key in self.keys(bucket):
                self.client.delete_object(Bucket=bucket, Key=key)


@pytest.fixture
def buckets(object_storage_settings, s3_server, settings, tmp_path) -> Iterator[Buckets]:
    """The portal on object storage, with local media folders that must stay empty."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    # Changing STORAGES fires setting_changed, which empties Django's storages cache.
    settings.STORAGES = object_storage_settings["storages"]
    found = Buckets(s3_server)
    found.empty()
    yield found
    found.empty()


def _local_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


@pytest.fixture
def reported_screenshot(
    client,
    buckets,
    district_rules,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    """李阿姨 files a report with a screenshot through the public form; the screenshot's bytes."""
    screenshot = image_bytes("PNG", size=(90, 60))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/reports/new/", {**REPORT, "images": [upload("screen.png", screenshot)]}
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Evidence.objects.get(), screenshot


def test_settings_build_both_buckets_from_the_environment(object_storage_settings):
    configured = object_storage_settings["storages"]
    public, private = configured["default"], configured["private"]
    assert public["BACKEND"] == "wenzhou_portal.storage.PublicS3Storage"
    assert private["BACKEND"] == "wenzhou_portal.storage.PrivateS3Storage"
    assert (public["OPTIONS"]["bucket_name"], private["OPTIONS"]["bucket_name"]) == (
        PUBLIC_BUCKET,
        PRIVATE_BUCKET,
    )
    assert public["OPTIONS"]["querystring_expire"] == 300
    assert private["OPTIONS"]["addressing_style"] == "path"
    assert not private["OPTIONS"]["file_overwrite"]
    assert configured["staticfiles"]["BACKEND"].endswith("StaticFilesStorage")
    # Browsers follow a cover's redirect to the store: the page's policy must allow it.
    origin = f"http://localhost:{urlsplit(public['OPTIONS']['endpoint_url']).port}"
    assert object_storage_settings["origins"] == [origin]
    assert origin in object_storage_settings["img_src"]


def test_a_citizens_screenshot_is_kept_in_the_private_bucket_and_not_on_the_web_node(
    reported_screenshot, buckets, settings
):
    item, screenshot = reported_screenshot
    assert buckets.keys(PRIVATE_BUCKET) == {item.original_path, item.redacted_path}
    assert buckets.body(PRIVATE_BUCKET, item.original_path) == screenshot
    assert buckets.keys(PUBLIC_BUCKET) == set()
    assert _local_files(settings.PRIVATE_MEDIA_ROOT.parent) == []


def test_an_office_admin_gets_the_original_streamed_by_the_portal_and_the_look_is_audited(
    client, reported_screenshot, office_admin, buckets
):
    item, screenshot = reported_screenshot
    client.force_login(office_admin)
    response = client.get(f"/reports/evidence/{item.pk}/original/")
    assert response.status_code == 200
    assert "Location" not in response
    assert b"".join(response.streaming_content) == screenshot
    headers = "\n".join(f"{name}: {value}" for name, value in response.items())
    assert str(buckets.port) not in headers
    assert "X-Amz" not in headers
    looked = AuditEvent.objects.get(action="rumors.evidence_original_viewed")
    assert (looked.actor, looked.detail["evidence"]) == (office_admin, item.pk)
    assert looked.detail["sha256"] == item.original_sha256


def test_the_lead_departments_handler_gets_the_staff_copy_but_not_the_original(
    client,
    reported_screenshot,
    lucheng_handler,  # noqa: F811
    buckets,
):
    item, _screenshot = reported_screenshot
    client.force_login(lucheng_handler)
    copy = client.get(f"/reports/evidence/{item.pk}/redacted/")
    assert copy.status_code == 200
    assert b"".join(copy.streaming_content) == buckets.body(PRIVATE_BUCKET, item.redacted_path)
    assert client.get(f"/reports/evidence/{item.pk}/original/").status_code == 403
    assert not AuditEvent.objects.filter(action="rumors.evidence_original_viewed").exists()


def test_the_public_and_other_departments_get_nothing_from_the_private_bucket(
    client,
    reported_screenshot,
    longwan_handler,  # noqa: F811
):
    item, _screenshot = reported_screenshot
    for variant in ("original", "redacted"):
        assert client.get(f"/reports/evidence/{item.pk}/{variant}/").status_code == 404
    client.force_login(longwan_handler)
    for variant in ("original", "redacted"):
        assert client.get(f"/reports/evidence/{item.pk}/{variant}/").status_code == 404
    assert not AuditEvent.objects.filter(action="rumors.evidence_original_viewed").exists()


def test_an_original_missing_from_the_bucket_is_not_found_and_not_audited(
    client, reported_screenshot, office_admin, buckets
):
    item, _screenshot = reported_screenshot
    buckets.client.delete_object(Bucket=PRIVATE_BUCKET, Key=item.original_path)
    client.force_login(office_admin)
    assert client.get(f"/reports/evidence/{item.pk}/original/").status_code == 404
    assert not AuditEvent.objects.filter(action="rumors.evidence_original_viewed").exists()


def test_private_files_have_no_url_not_even_a_signed_one(buckets):
    name = images.store_private(b"original", extension="png")
    with pytest.raises(NotImplementedError):
        storages["private"].url(name)


def test_private_files_are_written_read_and_deleted_in_the_bucket(buckets, settings):
    data = image_bytes("JPEG")
    first = images.store_private(data, extension="jpg", folder="disbursements")
    second = images.store_private(data, extension="jpg", folder="disbursements")
    assert first != second
    assert first.startswith(f"disbursements/{timezone.localdate():%Y/%m}/")
    assert buckets.keys(PRIVATE_BUCKET) == {first, second}
    with images.open_private(first) as handle:
        assert handle.read() == data

    images.delete_private(first)
    images.delete_private(first)  # already gone is not an error

    assert buckets.keys(PRIVATE_BUCKET) == {second}
    with pytest.raises(FileNotFoundError):
        images.open_private(first)
    assert _local_files(settings.PRIVATE_MEDIA_ROOT.parent) == []


def test_a_taken_name_is_never_overwritten_in_the_bucket(buckets):
    taken = images.store_private(b"first", extension="png")
    again = storages["private"].save(taken, ContentFile(b"second"))
    assert again != taken
    assert buckets.body(PRIVATE_BUCKET, taken) == b"first"


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "evidence/../../x", "."])
def test_names_outside_the_private_store_are_refused_on_object_storage_too(buckets, name):
    with pytest.raises(SuspiciousFileOperation):
        images.open_private(name)
    with pytest.raises(SuspiciousFileOperation):
        images.delete_private(name)


def test_a_public_charity_cover_is_a_redirect_to_a_short_lived_signed_url(client, buckets):
    cover = image_bytes("PNG", size=(320, 180))
    stored = charity_services.cover_store(upload("cover.png", cover))
    project = makers.project(makers.organisation(), status="fundraising", cover=stored)
    assert buckets.keys(PUBLIC_BUCKET) == {stored}
    assert buckets.keys(PRIVATE_BUCKET) == set()

    response = client.get(reverse("charity:project_cover", args=[project.pk]))

    assert response.status_code == 302
    signed = urlsplit(response["Location"])
    assert (signed.hostname, signed.port) == ("localhost", buckets.port)
    query = parse_qs(signed.query)
    assert query["X-Amz-Expires"] == ["300"]
    assert "X-Amz-Signature" in query
    # A cached redirect expires before the URL it points to.
    assert response["Cache-Control"] == "public, max-age=150"
    with urllib.request.urlopen(response["Location"], timeout=10) as fetched:  # noqa: S310
        assert fetched.headers["Content-Type"] == "image/png"
        assert fetched.read() == buckets.body(PUBLIC_BUCKET, stored)


def test_a_disclosure_document_is_fetched_from_the_public_bucket_as_a_pdf(
    client, buckets, make_staff
):
    org = makers.organisation()
    disclosure = charity_services.disclosure_publish(
        organisation_id=org.pk,
        project_id=makers.project(org, status="fundraising").pk,
        kind="periodic",
        title="第一季度执行情况",
        summary="已送餐 90 天。",
        document_date=timezone.localdate(),
        upload=makers.pdf(),
        actor=make_staff("zhang_wei_reviewer", Role.CHARITY_REVIEWER),
    )
    assert buckets.keys(PUBLIC_BUCKET) == {disclosure.document.name}

    response = client.get(reverse("charity:disclosure_document", args=[disclosure.pk]))

    assert response.status_code == 302
    with urllib.request.urlopen(response["Location"], timeout=10) as fetched:  # noqa: S310
        assert fetched.headers["Content-Type"] == "application/pdf"
        assert fetched.headers["Content-Disposition"].startswith("inline;")
        assert fetched.read() == makers.PDF


def test_a_public_file_missing_from_the_bucket_is_not_found(client, buckets):
    project = makers.project(
        makers.organisation(), status="fundraising", cover="charity/covers/gone.png"
    )
    assert client.get(reverse("charity:project_cover", args=[project.pk])).status_code == 404


def test_a_campaign_cover_in_the_private_bucket_is_streamed_not_redirected(client, buckets):
    cover = image_bytes("PNG", size=(64, 36))
    campaign = make_campaign(
        "theme", cover_path=images.store_private(cover, extension="png", folder="campaigns")
    )
    response = client.get(f"/campaigns/{campaign.slug}/cover/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == cover
    assert buckets.keys(PUBLIC_BUCKET) == set()


def test_screenshots_held_for_a_corrected_form_round_trip_through_the_bucket(buckets):
    batch = held_uploads.held_add(held_uploads.HeldBatch(), name="screen.png", data=b"held")
    assert held_uploads.held_open(batch, batch.files[0]) == b"held"
    assert held_uploads.held_read(batch.token).files == batch.files
    held_uploads.held_discard(batch)
    assert buckets.keys(PUBLIC_BUCKET) == set()


def test_screenshots_held_and_never_submitted_are_swept_from_the_bucket(buckets):
    batch = held_uploads.held_add(held_uploads.HeldBatch(), name="screen.png", data=b"held")
    later = timezone.now() + timedelta(seconds=held_uploads.HOLD_SECONDS + 60)
    assert held_uploads.held_expired_delete(now=later) == 1
    assert buckets.keys(PUBLIC_BUCKET) == set()
    assert batch.files
