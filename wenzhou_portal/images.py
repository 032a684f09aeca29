"""Uploaded images (report evidence, contest entries): proven by decoding, redacted, kept private.

The untouched original is kept as received (its SHA-256 is the record of what the citizen sent);
staff work from a re-encoded copy that carries pixels only. Both live in the ``"private"`` store
(``settings.STORAGES``: ``PRIVATE_MEDIA_ROOT`` on local disk, or a private bucket), never in the
public one, and are served only by views that check who is asking: never by URL.
"""

import hashlib
import secrets
import warnings
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePosixPath
from typing import IO

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
# Said of the one file refused, beside the name the citizen knows it by.
NOT_AN_IMAGE = _(
    "不是能打开的图片文件。只接受 JPEG、PNG 或 WebP 图片；"
    "手机相册里的 HEIC 照片可以先截屏，再上传截图。"
)


@dataclass(frozen=True)
class DecodedImage:
    """An upload that Pillow fully decoded as JPEG, PNG or WebP; ``data`` is untouched."""

    data: bytes
    format: str
    width: int
    height: int
    sha256: str


@dataclass(frozen=True)
class RedactedImage:
    """A metadata-free re-encoding: ``extension`` has no dot (``jpg``/``png``)."""

    data: bytes
    extension: str
    content_type: str


def validate_evidence_image(upload: UploadedFile) -> DecodedImage:
    """Read an upload and return it decoded, or raise ValidationError saying why not."""
    max_bytes = getattr(settings, "REPORT_EVIDENCE_MAX_BYTES", 5 * 1024 * 1024)
    max_pixels = getattr(settings, "REPORT_EVIDENCE_MAX_PIXELS", 40_000_000)
    upload.seek(0)
    # The declared size comes from the client; only the bytes actually read count.
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(
            _("图片不能超过 %(limit)s MB。"),
            code="too_large",
            params={"limit": f"{max_bytes / 2**20:.3g}"},
        )
    too_many_pixels = ValidationError(_("图片尺寸过大，无法处理。"), code="too_many_pixels")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # formats= keeps every other Pillow decoder (and its bugs) away from untrusted bytes.
            with Image.open(BytesIO(data), formats=ACCEPTED_FORMATS) as image:
                width, height = image.size
                # Phone cameras write multi-picture JPEGs, which Pillow names MPO.
                image_format = "JPEG" if image.format == "MPO" else image.format
                if width * height > max_pixels:
                    raise too_many_pixels
                image.verify()
            # verify() leaves the image unusable, and only a full decode finds truncated data.
            with Image.open(BytesIO(data), formats=ACCEPTED_FORMATS) as image:
                image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise too_many_pixels from exc
    # Pillow's decoders signal malformed input with many exception types, not one.
    except Exception as exc:
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from exc
    return DecodedImage(
        data=data,
        format=image_format,
        width=width,
        height=height,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def redacted_copy(image: DecodedImage) -> RedactedImage:
    """Re-encode upright with no metadata: PNG for PNG or alpha inputs, JPEG q85 otherwise."""
    with Image.open(BytesIO(image.data)) as source:
        upright = ImageOps.exif_transpose(source)
    keep_png = image.format == "PNG" or upright.has_transparency_data
    mode = "RGBA" if upright.has_transparency_data else "RGB"
    pixels = upright.convert(mode)
    # A fresh image has an empty info dict: Pillow's encoders copy some metadata (JPEG comments,
    # PNG ICC profiles) from info unless told otherwise, so nothing from the upload may ride along.
    clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
    buffer = BytesIO()
    if keep_png:
        clean.save(buffer, format="PNG")
        return RedactedImage(data=buffer.getvalue(), extension="png", content_type="image/png")
    clean.save(buffer, format="JPEG", quality=85)
    return RedactedImage(data=buffer.getvalue(), extension="jpg", content_type="image/jpeg")


def store_private(data: bytes, *, extension: str, folder: str = "evidence") -> str:
    """Write bytes under a random name in the private store; return the name it is stored by."""
    if not (folder.isascii() and folder.isalnum()):
        raise ValueError(f"unsafe folder: {folder!r}")
    if not (extension.isascii() and extension.isalnum()):
        raise ValueError(f"unsafe file extension: {extension!r}")
    today = timezone.localdate()
    # A random name leaks neither the citizen's file name nor how many reports came before.
    relative = PurePosixPath(
        folder, f"{today:%Y}", f"{today:%m}", f"{secrets.token_hex(16)}.{extension}"
    )
    # Never an overwrite: the store picks another name if this one were ever taken, and the
    # name it returns is the one recorded.
    return storages["private"].save(relative.as_posix(), ContentFile(data))


def open_private(relative_path: str) -> IO[bytes]:
    """Open a stored private file for reading in binary mode (streamed, never by URL)."""
    return storages["private"].open(_private_name(relative_path), "rb")


def delete_private(relative_path: str) -> None:
    """Remove a stored private file; a file already gone is not an error."""
    storages["private"].delete(_private_name(relative_path))


def _private_name(relative_path: str) -> str:
    """Refuse a name that is not plainly inside the private store, whatever its backend."""
    parts = PurePosixPath(relative_path).parts
    if not parts or relative_path.startswith("/") or any(p in ("..", ".") for p in parts):
        raise SuspiciousFileOperation(f"private file path escapes its root: {relative_path!r}")
    return relative_path
