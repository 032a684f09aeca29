"""Tags as staff type them: one parser for every app's free-text tag box."""

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

TAG_MAX_LENGTH = 30
# Staff type tags with an ASCII comma, a full-width one (a Chinese input method) or 、.
_TAG_SEPARATORS = re.compile(r"[,，、]")


def tags_parse(text: str, *, max_length: int = TAG_MAX_LENGTH) -> list[str]:
    """ "青少年，网络素养, 青少年" → ["青少年", "网络素养"]: distinct, trimmed, in typed order.

    Inner runs of whitespace become one space. A tag longer than ``max_length`` is refused
    (ValidationError, code "tag_too_long"), never cut short.
    """
    return tags_clean(_TAG_SEPARATORS.split(text or ""), max_length=max_length)


def tags_clean(tags: Iterable[str], *, max_length: int = TAG_MAX_LENGTH) -> list[str]:
    """The same rules for tags already split (a list from code or the API)."""
    seen: dict[str, None] = {}
    for raw in tags:
        tag = " ".join(raw.split())
        if len(tag) > max_length:
            raise ValidationError(
                gettext("每个标签最多 %(n)s 个字：“%(tag)s”太长了。")
                % {"n": max_length, "tag": tag},
                code="tag_too_long",
            )
        if tag:
            seen.setdefault(tag)
    return list(seen)
