from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wenzhou_portal.templatetags.portal import localized_text

from . import selectors
from .models import Debunk


class DebunkFeed(Feed):
    """An Atom feed of the newest published debunks."""

    feed_type = Atom1Feed
    title = _("清朗温州 · 官方辟谣")
    link = "/debunks/"
    subtitle = _("温州市委网信办及各部门发布的辟谣信息")

    def items(self):
        return selectors.debunks_published().select_related("authority")[:50]

    # Staff text in the visitor's language: English where written, else the Chinese
    # marked "(中文)" (a feed reader shows plain text, so the text variant).
    def item_title(self, item: Debunk) -> str:
        return gettext("【%(verdict)s】%(title)s") % {
            "verdict": item.get_verdict_display(),
            "title": localized_text(item, "title"),
        }

    def item_description(self, item: Debunk) -> str:
        return localized_text(item, "summary")

    def item_pubdate(self, item: Debunk):
        return item.published_at

    def item_updateddate(self, item: Debunk):
        return item.corrected_at or item.published_at

    def item_author_name(self, item: Debunk) -> str:
        return localized_text(item.authority, "name")
