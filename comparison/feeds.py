"""Atom feed of every public change (the same list as /changes/), optionally for one mesh.

Links are absolute, built from settings.SITE_URL and never from the request's Host header, and
every entry is plain text: data is escaped, so no HTML from the data reaches a feed reader.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.exceptions import BadRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Change, Mesh, public_changes


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
    title = gettext_lazy("Service mesh portal: what changed")
    subtitle = gettext_lazy(
        "Support levels, corrections, status changes, new versions, meshes and features."
    )
    item_guid_is_permalink = False

    def get_object(self, request, *args, **kwargs) -> str:
        slug = request.GET.get("mesh", "")
        if slug and not Mesh.objects.filter(slug=slug).exists():
            raise BadRequest("Unknown mesh.")
        return slug

    def link(self, obj: str) -> str:
        query = f"?mesh={obj}" if obj else ""
        return absolute(reverse("comparison:changes") + query)

    def feed_url(self, obj: str) -> str:
        query = f"?mesh={obj}" if obj else ""
        return absolute(reverse("comparison:changes-feed") + query)

    def items(self, obj: str) -> list[Change]:
        return public_changes(50, mesh=obj or None)

    def item_title(self, item: Change) -> str:
        return f"{item.kind_label}: {item.summary}"

    def item_description(self, item: Change) -> str:
        # A text summary (see PlainTextSummaryAtomFeed): the XML writer escapes it, readers show it
        # as text, so nothing from the data is ever read as HTML.
        parts = [item.summary]
        if item.credit:
            parts.append(_("Suggested by %(who)s") % {"who": item.credit})
        if item.note:
            parts.append(item.note)
        if item.source:
            parts.append(_("Source: %(url)s") % {"url": item.source})
        return " — ".join(parts)

    def item_link(self, item: Change) -> str:
        return absolute(item.path)

    def item_guid(self, item: Change) -> str:
        return f"tag:service-mesh-portal,2026:{item.key}"

    def item_pubdate(self, item: Change):
        return item.date

    def item_updateddate(self, item: Change):
        return item.date
