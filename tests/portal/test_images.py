"""Evidence screenshots: accepted only when they decode, redacted for staff, stored privately."""

import hashlib
import os
import re
import stat
from io import BytesIO

import pytest
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from PIL import Image, ImageCms, PngImagePlugin

from tests.rumors.images import bomb_png, image_bytes, noisy_png, upload
from wenzhou_portal.images import (
    delete_private,
    open_private,
    redacted_copy,
    store_private,
    validate_evidence_image,
)

GPS_IFD = 0x8825
MAKE, DATETIME, ORIENTATION = 0x010F, 0x0132, 0x0112


def rejection_code(data: bytes, name: str = "screenshot.png", content_type: str = "image/png"):
    with pytest.raises(ValidationError) as caught:
        validate_evidence_image(upload(name, data, content_type))
    return caught.value.code


def jpeg_with_location(size=(40, 20), orientation: int | None = None) -> bytes:
    """A phone photo: camera make, time taken, where it was taken, and a comment."""
    exif = Image.Exif()
    exif[MAKE] = "Huawei"
    exif[DATETIME] = "2025:03:01 09:30:00"
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (27.0, 59.0, 0.0)
    gps[3] = "E"
    gps[4] = (120.0, 41.0, 0.0)
    if orientation is not None:
        exif[ORIENTATION] = orientation
    buffer = BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(
        buffer, format="JPEG", exif=exif, comment=b"Lucheng, Wuma Street"
    )
    return buffer.getvalue()


def test_real_png_is_accepted_whatever_its_name_and_declared_type():
    data = image_bytes("PNG")
    image = validate_evidence_image(upload("photo.gif", data, content_type="application/pdf"))
    assert image.format == "PNG"


@pytest.mark.parametrize(("fmt", "content_type"), [("JPEG", "image/jpeg"), ("WEBP", "image/webp")])
def test_real_jpeg_and_webp_are_accepted_with_their_measurements(fmt, content_type):
    data = image_bytes(fmt, size=(64, 48))
    image = validate_evidence_image(upload("screenshot", data, content_type))
    assert image.format == fmt
    assert (image.width, image.height) == (64, 48)
    assert image.data == data
    assert image.sha256 == hashlib.sha256(data).hexdigest()


def test_text_file_posing_as_jpeg_is_rejected():
    data = b"this is not an image at all\n" * 10
    assert rejection_code(data, "screenshot.jpg", "image/jpeg") == "not_an_image"


def test_empty_upload_is_rejected():
    assert rejection_code(b"") == "not_an_image"


def test_truncated_jpeg_is_rejected():
    whole = BytesIO()
    Image.open(BytesIO(noisy_png())).save(whole, format="JPEG", quality=95)
    truncated = whole.getvalue()[: len(whole.getvalue()) // 2]
    assert rejection_code(truncated, "photo.jpg", "image/jpeg") == "not_an_image"


def test_gif_is_rejected_although_it_is_a_real_image():
    assert rejection_code(image_bytes("GIF"), "animation.gif", "image/gif") == "not_an_image"


def test_rejection_message_names_the_accepted_formats():
    with pytest.raises(ValidationError) as caught:
        validate_evidence_image(upload("x.gif", image_bytes("GIF"), "image/gif"))
    assert "只接受 JPEG、PNG 或 WebP 图片" in caught.value.messages[0]


def test_image_over_the_byte_limit_is_rejected(settings):
    settings.REPORT_EVIDENCE_MAX_BYTES = 1000
    data = noisy_png()
    assert len(data) > 1000
    with pytest.raises(ValidationError) as caught:
        validate_evidence_image(upload("big.png", data))
    assert caught.value.code == "too_large"
    assert "不能超过" in caught.value.messages[0]


def test_byte_limit_counts_the_bytes_sent_not_the_declared_size(settings):
    settings.REPORT_EVIDENCE_MAX_BYTES = 1000
    lying = upload("big.png", noisy_png())
    lying.size = 10
    with pytest.raises(ValidationError) as caught:
        validate_evidence_image(lying)
    assert caught.value.code == "too_large"


def test_decompression_bomb_is_rejected():
    data = bomb_png()
    assert len(data) < 5 * 1024 * 1024
    assert rejection_code(data, "bomb.png") == "too_many_pixels"


def test_pixel_limit_comes_from_settings(settings):
    settings.REPORT_EVIDENCE_MAX_PIXELS = 64 * 48 - 1
    assert rejection_code(image_bytes("PNG", size=(64, 48))) == "too_many_pixels"


def test_pillows_own_bomb_warning_is_a_rejection_even_under_a_generous_limit(settings):
    settings.REPORT_EVIDENCE_MAX_PIXELS = 10**12
    buffer = BytesIO()
    # 100 M pixels: above Pillow's warning threshold, below the size where it refuses outright.
    Image.new("1", (10_000, 10_000)).save(buffer, format="PNG")
    assert rejection_code(buffer.getvalue(), "bomb.png") == "too_many_pixels"


def test_original_keeps_its_location_while_the_redacted_copy_has_no_metadata():
    data = jpeg_with_location()
    assert Image.open(BytesIO(data)).getexif().get_ifd(GPS_IFD)

    image = validate_evidence_image(upload("IMG_0001.jpg", data, "image/jpeg"))
    redacted = redacted_copy(image)

    assert image.data == data
    assert image.sha256 == hashlib.sha256(data).hexdigest()
    copy = Image.open(BytesIO(redacted.data))
    assert copy.format == "JPEG"
    assert (redacted.extension, redacted.content_type) == ("jpg", "image/jpeg")
    assert not copy.getexif()
    assert "exif" not in copy.info
    assert "comment" not in copy.info
    assert copy.size == (40, 20)


def test_redacted_copy_is_turned_upright_by_the_orientation_tag():
    image = validate_evidence_image(upload("p.jpg", jpeg_with_location(orientation=6)))
    copy = Image.open(BytesIO(redacted_copy(image).data))
    assert (image.width, image.height) == (40, 20)
    assert copy.size == (20, 40)
    assert not copy.getexif()


def test_redacted_png_loses_text_chunks_and_colour_profile():
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "李阿姨")
    text.add_text("XML:com.adobe.xmp", "<x:xmpmeta>GPS</x:xmpmeta>")
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = image_bytes("PNG", pnginfo=text, icc_profile=icc)
    assert Image.open(BytesIO(data)).text

    redacted = redacted_copy(validate_evidence_image(upload("s.png", data)))

    copy = Image.open(BytesIO(redacted.data))
    assert (copy.format, redacted.extension, redacted.content_type) == ("PNG", "png", "image/png")
    assert not copy.text
    assert "icc_profile" not in copy.info


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_transparent_images_are_redacted_as_png_with_their_alpha(fmt):
    buffer = BytesIO()
    Image.new("RGBA", (30, 10), (255, 0, 0, 64)).save(buffer, format=fmt, lossless=True)
    redacted = redacted_copy(validate_evidence_image(upload("t", buffer.getvalue())))
    copy = Image.open(BytesIO(redacted.data))
    assert (copy.format, copy.mode) == ("PNG", "RGBA")
    assert copy.getpixel((0, 0))[3] == 64


def test_opaque_webp_is_redacted_as_jpeg():
    exif = Image.Exif()
    exif[MAKE] = "Xiaomi"
    data = image_bytes("WEBP", exif=exif)
    redacted = redacted_copy(validate_evidence_image(upload("w.webp", data)))
    copy = Image.open(BytesIO(redacted.data))
    assert (copy.format, redacted.content_type) == ("JPEG", "image/jpeg")
    assert not copy.getexif()


def test_stored_file_gets_a_random_private_name_readable_by_the_owner_only(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    data = image_bytes("PNG")

    relative = store_private(data, extension="png")

    assert re.fullmatch(r"evidence/\d{4}/\d{2}/[0-9a-f]{32}\.png", relative)
    stored = tmp_path / relative
    assert stored.read_bytes() == data
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert store_private(data, extension="png") != relative


def test_stored_file_reads_back_unchanged(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    data = image_bytes("JPEG")
    with open_private(store_private(data, extension="jpeg")) as handle:
        assert handle.read() == data


def test_extension_cannot_smuggle_a_path(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    with pytest.raises(ValueError, match="unsafe file extension"):
        store_private(b"x", extension="png/../../x")


@pytest.mark.parametrize("path", ["../../etc/passwd", "/etc/passwd", "evidence/../../outside", "."])
@pytest.mark.parametrize("action", [open_private, delete_private])
def test_paths_outside_private_media_are_refused(settings, tmp_path, path, action):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.PRIVATE_MEDIA_ROOT.mkdir()
    (tmp_path / "outside").write_text("secret")
    with pytest.raises(SuspiciousFileOperation):
        action(path)
    assert (tmp_path / "outside").exists()


def test_symlink_pointing_outside_private_media_is_refused(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.PRIVATE_MEDIA_ROOT.mkdir()
    (tmp_path / "outside").write_text("secret")
    os.symlink(tmp_path / "outside", settings.PRIVATE_MEDIA_ROOT / "link")
    with pytest.raises(SuspiciousFileOperation):
        open_private("link")


def test_deleting_removes_the_file_and_tolerates_one_already_gone(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    relative = store_private(b"data", extension="png")
    delete_private(relative)
    assert not (tmp_path / relative).exists()
    delete_private(relative)
