"""Evidence records whether the original file's metadata carries a GB 45438 AI label."""

import hashlib
import json
from io import BytesIO

import pytest
from PIL import ExifTags, Image, PngImagePlugin

from rumors.models import AiLabel, Evidence, Report
from tests.rumors.images import image_bytes, upload
from tests.rumors.test_citizen_pages import VALID
from wenzhou_portal import aigc

pytestmark = pytest.mark.django_db

FIELDS = {
    "Label": "1",
    "ContentProducer": "某AI生成服务",
    "ProduceID": "AIGC-2026-000123",
    "ReservedCode1": "",
    "ContentPropagator": "某短视频平台",
    "PropagateID": "p-998877",
    "ReservedCode2": "",
}


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path


def jpeg(**save) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (80, 60), (240, 200, 10)).save(buffer, format="JPEG", **save)
    return buffer.getvalue()


def png_with_aigc_text(value: str) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("AIGC", value)
    buffer = BytesIO()
    Image.new("RGB", (80, 60), (20, 160, 90)).save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def jpeg_with_user_comment(fields: dict) -> bytes:
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.Exif)[0x9286] = b"ASCII\0\0\0" + json.dumps({"AIGC": fields}).encode()
    return jpeg(exif=exif)


def file_report(client, capture, *files) -> Report:
    with capture(execute=True):
        response = client.post(
            "/reports/new/",
            {**VALID, "images": [upload(f"s{i}", data) for i, data in enumerate(files)]},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Report.objects.get()


LABELLED = {
    "png-xmp": lambda: aigc.labelled_png(fields=FIELDS),
    "png-text": lambda: png_with_aigc_text(json.dumps(FIELDS, ensure_ascii=False)),
    "jpeg-xmp": lambda: jpeg(xmp=aigc.xmp_packet(FIELDS).encode()),
    "jpeg-exif": lambda: jpeg_with_user_comment(FIELDS),
}


@pytest.mark.parametrize("make", LABELLED.values(), ids=LABELLED.keys())
def test_a_labelled_upload_is_recorded_as_carrying_the_label(
    client, district_rules, django_capture_on_commit_callbacks, make
):
    file_report(client, django_capture_on_commit_callbacks, make())
    evidence = Evidence.objects.get()
    assert evidence.ai_label == AiLabel.PRESENT
    assert evidence.ai_label_fields == FIELDS


@pytest.mark.parametrize(
    "data",
    [image_bytes("PNG"), jpeg(), image_bytes("WEBP")],
    ids=["png", "jpeg", "webp"],
)
def test_an_unlabelled_upload_is_recorded_as_not_carrying_one(
    client, district_rules, django_capture_on_commit_callbacks, data
):
    file_report(client, django_capture_on_commit_callbacks, data)
    evidence = Evidence.objects.get()
    assert evidence.ai_label == AiLabel.ABSENT
    assert evidence.ai_label_fields == {}


def test_each_screenshot_is_read_on_its_own(
    client, district_rules, django_capture_on_commit_callbacks
):
    file_report(client, django_capture_on_commit_callbacks, image_bytes("PNG"), aigc.labelled_png())
    assert list(Evidence.objects.values_list("ai_label", flat=True)) == [
        AiLabel.ABSENT,
        AiLabel.PRESENT,
    ]


def test_a_garbled_label_is_present_with_its_raw_text(
    client, district_rules, django_capture_on_commit_callbacks
):
    file_report(client, django_capture_on_commit_callbacks, png_with_aigc_text('{"Label": "1", '))
    evidence = Evidence.objects.get()
    assert evidence.ai_label == AiLabel.PRESENT
    assert evidence.ai_label_fields == {"raw": '{"Label": "1",'}


def test_the_label_is_read_from_the_original_which_is_kept_whole(
    client, district_rules, django_capture_on_commit_callbacks, tmp_path
):
    sent = aigc.labelled_png(fields=FIELDS)
    file_report(client, django_capture_on_commit_callbacks, sent)
    evidence = Evidence.objects.get()
    original = (tmp_path / evidence.original_path).read_bytes()
    redacted = (tmp_path / evidence.redacted_path).read_bytes()
    assert original == sent
    assert evidence.original_sha256 == hashlib.sha256(sent).hexdigest()
    assert aigc.implicit_label(original) == FIELDS
    assert aigc.implicit_label(redacted) is None  # staff's working copy carries pixels only


# --- What staff see ----------------------------------------------------------------------


@pytest.fixture
def labelled_report(client, district_rules, django_capture_on_commit_callbacks):
    spoofed = {**FIELDS, "ContentProducer": "gpj\u202eexe.某服务"}
    report = file_report(
        client,
        django_capture_on_commit_callbacks,
        aigc.labelled_png(fields=spoofed),
        image_bytes("PNG"),
    )
    client.logout()
    return report


def test_staff_see_per_screenshot_whether_the_file_carries_a_label(
    client, labelled_report, lucheng_handler
):
    client.force_login(lucheng_handler)
    html = client.get(f"/admin/rumors/report/{labelled_report.pk}/change/").content.decode()
    first, second = html.split("截图 1", 1)[1].split("截图 2", 1)
    assert "文件元数据含AI生成标识" in first
    assert "文件元数据不含AI生成标识" in second.split("</div>", 1)[0]
    assert "截图通常不会保留原图的标识" in html
    assert "AIGC-2026-000123" not in html  # the fields are for office admins


def test_office_admins_also_see_the_fields_neutralised(client, labelled_report, office_admin):
    client.force_login(office_admin)
    html = client.get(f"/admin/rumors/report/{labelled_report.pk}/change/").content.decode()
    assert "AIGC-2026-000123" in html
    assert "ContentProducer" in html
    assert "\u202e" not in html
    assert "⟦U+202E⟧" in html


def test_the_citizen_is_not_told_anything_about_ai_labels(client, labelled_report):
    page = client.post("/reports/track/", {"code": labelled_report.tracking_code})
    html = page.content.decode()
    assert labelled_report.formatted_tracking_code in html
    assert "AI生成标识" not in html
    assert "AIGC" not in html
