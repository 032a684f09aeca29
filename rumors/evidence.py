"""Evidence screenshots: decode-or-refuse, a metadata-free copy for staff, private storage."""

import hashlib
import os
import secrets
import warnings
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})


@dataclass(frozen=True)
class DecodedImage:
    data: bytes  # the original bytes exactly as received
    format: str
    width: int
    height: int
    sha256: str


@dataclass(frozen=True)
class RedactedImage:
    data: bytes
    extension: str
    content_type: str


def _max_bytes() -> int:
    return getattr(settings, "REPORT_EVIDENCE_MAX_BYTES", 5 * 1024 * 1024)


def _max_pixels() -> int:
    return getattr(settings, "REPORT_EVIDENCE_MAX_PIXELS", 40_000_000)


def validate_evidence_image(upload: UploadedFile) -> DecodedImage:
    """Accept only bytes that decode as JPEG, PNG or WebP within the size limits."""
    limit = _max_bytes()
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            _("图片不能超过 %(mb)s MB。"),
            code="too_large",
            params={"mb": limit // (1024 * 1024) or 1},
        )
    not_an_image = ValidationError(_("只接受 JPEG、PNG 或 WebP 图片。"), code="not_an_image")
    too_many_pixels = ValidationError(_("图片尺寸过大，无法处理。"), code="too_many_pixels")
    # The extension and declared type prove nothing: only a full decode does.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(BytesIO(data)) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    raise not_an_image
                width, height = probe.size
                if width * height > _max_pixels():
                    raise too_many_pixels
                probe.verify()
            with Image.open(BytesIO(data)) as image:
                image.load()
                image_format = image.format
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise too_many_pixels from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise not_an_image from exc
    return DecodedImage(
        data=data,
        format=image_format,
        width=width,
        height=height,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def redacted_copy(image: DecodedImage) -> RedactedImage:
    """Re-encode for staff with no metadata at all (EXIF location, XMP, text chunks)."""
    with Image.open(BytesIO(image.data)) as source:
        upright = ImageOps.exif_transpose(source)
        has_alpha = upright.mode in ("RGBA", "LA") or (
            upright.mode == "P" and "transparency" in upright.info
        )
        # A fresh image carries pixels only: nothing from the original's info survives.
        clean = Image.new("RGBA" if has_alpha else "RGB", upright.size)
        clean.paste(upright.convert(clean.mode))
    buffer = BytesIO()
    if has_alpha:
        clean.save(buffer, format="PNG", optimize=True)
        return RedactedImage(buffer.getvalue(), "png", "image/png")
    clean.save(buffer, format="JPEG", quality=85)
    return RedactedImage(buffer.getvalue(), "jpg", "image/jpeg")


def _root() -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT).resolve()


def store_private(data: bytes, *, extension: str) -> str:
    """Write bytes under a random name outside any public URL; return the relative path."""
    now = timezone.localtime()
    relative = Path("evidence") / f"{now:%Y}" / f"{now:%m}" / f"{secrets.token_hex(16)}.{extension}"
    target = _root() / relative
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    return relative.as_posix()


def _resolve(relative_path: str) -> Path:
    root = _root()
    target = (root / relative_path).resolve()
    if not target.is_relative_to(root):
        raise SuspiciousFileOperation(f"evidence path outside the private root: {relative_path}")
    return target


def open_private(relative_path: str) -> BinaryIO:
    """Open a stored file for reading; refuses paths that escape the private root."""
    return _resolve(relative_path).open("rb")


def delete_private(relative_path: str) -> None:
    """Remove a stored file if it is still there."""
    _resolve(relative_path).unlink(missing_ok=True)
