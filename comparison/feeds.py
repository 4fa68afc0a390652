"""Atom feed of recent changes to support levels."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from .models import Level, LevelChange, recent_level_changes

LEVEL_NAMES = dict(Level.choices)


class ChangesFeed(Feed):
    feed_type = Atom1Feed
    title = "Service mesh portal: what changed"
    subtitle = "Changes to the support levels in the service mesh comparison."

    def link(self) -> str:
        return reverse("comparison:changes")

    def items(self) -> list[LevelChange]:
        return recent_level_changes(50)

    def item_title(self, item: LevelChange) -> str:
        return (
            f"{item.mesh_name}: {item.feature_name} "
            f"{LEVEL_NAMES.get(item.old, item.old)} → {LEVEL_NAMES.get(item.new, item.new)}"
        )

    def item_description(self, item: LevelChange) -> str:
        return " ".join(
            part for part in [item.note, f"Source: {item.source}" if item.source else ""] if part
        )

    def item_link(self, item: LevelChange) -> str:
        return (
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
