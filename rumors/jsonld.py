"""schema.org ClaimReview for a debunk, so search engines and platforms can read it."""

import json

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from wenzhou_portal.templatetags.portal import localized_text

from .models import VERDICT_RATING, Debunk


def claim_review(debunk: Debunk, url: str) -> SafeString:
    """The JSON-LD document, escaped for embedding in a <script> element."""
    first_seen = debunk.appearances.all()[0] if debunk.appearances.all() else None
    rating = VERDICT_RATING[debunk.verdict]
    document = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        # In the page's language; a Chinese fallback on an English page says "(中文)".
        "claimReviewed": localized_text(debunk, "claim"),
        "datePublished": timezone.localtime(debunk.published_at).date().isoformat(),
        "author": {"@type": "Organization", "name": localized_text(debunk.authority, "name")},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": rating,
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": str(debunk.get_verdict_display()),
        },
        "itemReviewed": {
            "@type": "Claim",
            "appearance": [
                {"@type": "CreativeWork", "url": appearance.url}
                for appearance in debunk.appearances.all()
                if appearance.url
            ],
            "firstAppearance": (
                {"@type": "CreativeWork", "url": first_seen.url}
                if first_seen is not None and first_seen.url
                else None
            ),
        },
    }
    if document["itemReviewed"]["firstAppearance"] is None:
        del document["itemReviewed"]["firstAppearance"]
    text = json.dumps(document, ensure_ascii=False)
    # "</" inside a script element would end it early; escape so the JSON stays intact.
    text = text.replace("</", "<\\/").replace("<!--", "<\\!--")
    return mark_safe(text)  # noqa: S308  JSON we built, with script-closing sequences escaped
