"""What every charity service shares: the refusal, limits, stored files."""

import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext

from wenzhou_portal import images
from wenzhou_portal.limits import Limit, limit_hit, wait_text

DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
# 慈善法 art. 24 and order No. 61: a fundraising plan is filed at least 10 days before the
# appeal starts.
FILING_LEAD_DAYS = 10


class CharityRefused(ValidationError):
    """A step the rules do not allow now; the message says why, for a person."""


def field_refusal(field: str, message: str | list[str], code: str) -> CharityRefused:
    """A refusal that names the form field at fault and keeps its code for callers."""
    messages = message if isinstance(message, list) else [message]
    return CharityRefused({field: [ValidationError(text, code=code) for text in messages]})


# A public form anyone can post: count every attempt per client, valid or not.
APPLICATION_FORMS = Limit(
    "charity-applications", ("CHARITY_FORM_LIMIT", "CHARITY_FORM_DAILY_LIMIT")
)


class ApplicationLimited(CharityRefused):
    """Too many applications from one client; ``retry_after`` says when to try again."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, code="too_many_applications")
        self.retry_after = retry_after


def application_guard(*, client: str) -> None:
    """Count one application attempt from this client (``clients.client_hash``)."""
    decision = limit_hit(APPLICATION_FORMS, client)
    if not decision.allowed:
        retry_after = max(decision.retry_after, 1)
        raise ApplicationLimited(
            gettext("提交太频繁了，请在 %(wait)s后再试。您填写的内容都还在。")
            % {"wait": wait_text(retry_after)},
            retry_after=retry_after,
        )


def cover_store(upload: UploadedFile) -> str:
    """Decode an image, re-encode it without metadata and store it; return its storage name."""
    redacted = images.redacted_copy(images.validate_evidence_image(upload))
    return _store("covers", redacted.data, redacted.extension)


def _store(folder: str, data: bytes, extension: str) -> str:
    today = timezone.localdate()
    # A random name: the uploader's file name says nothing to the public.
    name = f"charity/{folder}/{today:%Y/%m}/{secrets.token_hex(16)}.{extension}"
    return default_storage.save(name, ContentFile(data))
