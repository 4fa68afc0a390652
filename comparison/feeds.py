"""Atom feed of recent changes to support levels.

Its links are absolute from settings.SITE_URL, never from the request's Host header: the feed is
cached and shared, so one request's Host would otherwise reach every later reader.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from .models import LevelChange, recent_level_changes


def absolute(path: str) -> str:
    return settings.SITE_URL + path


class PlainTextSummaryAtomFeed(Atom1Feed):
    """Atom with each entry's summary as text: notes and sources are editors' text, not HTML."""

    def add_item_elements(self, handler, item) -> None:
        description = item.get("description")
        super().add_item_elements(handler, {**item, "description": None})
        if description is not None:
            handler.addQuickElement("summary", description, {"type": "text"})


class ChangesFeed(Feed):
    feed_type = PlainTextSummaryAtomFeed
    title = _("Service mesh portal: what changed")
    subtitle = _("Changes to the support levels in the service mesh comparison.")

    def link(self) -> str:
        return absolute(reverse("comparison:changes"))

    def feed_url(self) -> str:
        return absolute(reverse("comparison:changes-feed"))

    def items(self) -> list[LevelChange]:
        return recent_level_changes(50)

    def item_title(self, item: LevelChange) -> str:
        return f"{item.mesh_name}: {item.display_feature_name} {item.old_label} → {item.new_label}"

    def item_description(self, item: LevelChange) -> str:
        source = _("Source: %(url)s") % {"url": item.source} if item.source else ""
        return " ".join(part for part in [item.note, source] if part)

    def item_link(self, item: LevelChange) -> str:
        return absolute(
            reverse("comparison:mesh-detail", args=[item.mesh_slug])
            + f"#feature-{item.feature_slug}"
        )

    def item_guid(self, item: LevelChange) -> str:
        return f"tag:service-mesh-portal,2026:change-{item.id}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: LevelChange):
        return item.date

    def item_updateddate(self, item: LevelChange):
        return item.date
