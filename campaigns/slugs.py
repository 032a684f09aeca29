"""ASCII web names for campaigns, made from their titles (pinyin for Chinese)."""

from django.utils.text import slugify
from pypinyin import Style, lazy_pinyin

from .models import Campaign

SLUG_MAX_LENGTH = Campaign._meta.get_field("slug").max_length
# Long titles make long links: the first words are enough to recognise a campaign.
SLUG_WORDS = 60


def slug_from_title(title: str) -> str:
    """ "文明上网，从你我做起" → "wen-ming-shang-wang-cong-ni-wo-zuo-qi"; never empty."""
    # Each Chinese character becomes its own syllable; runs of Latin text stay whole.
    syllables = lazy_pinyin(title, style=Style.NORMAL, errors="default")
    slug = slugify(" ".join(syllables))[:SLUG_WORDS].strip("-")
    return slug or "campaign"


def slug_unused(base: str, *, exclude_pk: int | None = None) -> str:
    """The base, or base-2, base-3 … : the first that no other campaign uses."""
    base = base[: SLUG_MAX_LENGTH - 4].strip("-") or "campaign"
    taken = set(
        Campaign.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
