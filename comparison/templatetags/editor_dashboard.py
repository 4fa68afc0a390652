"""Counts for the admin index: what needs an editor's attention."""

from __future__ import annotations

from django import template
from django.urls import reverse

from ..conformance import contradictions
from ..lint import lint
from ..models import Mesh, Suggestion, Support
from ..watch import ReleaseFollowUp, release_follow_ups

register = template.Library()


@register.simple_tag(takes_context=True)
def editor_dashboard(context) -> list[tuple[str, int, str]]:
    """(label, count, link) for each queue an editor works through."""
    user = context["request"].user
    if not user.has_perm("comparison.view_support"):
        return []
    cells = reverse("admin:comparison_support_changelist")
    meshes = reverse("admin:comparison_mesh_changelist")
    rows = [
        (
            "Cells whose source is broken",
            Support.objects.source_broken().count(),
            f"{cells}?source_check=broken",
        ),
        (
            "Cells whose source moved",
            Support.objects.source_moved().count(),
            f"{cells}?source_check=moved",
        ),
        ("Stale cells", Support.objects.stale().count(), f"{cells}?verified=stale"),
        (
            "Data rule problems (manage.py lint_data)",
            len(lint()),
            reverse("admin:comparison_mesh_lint"),
        ),
        (
            "Cells a conformance report contradicts (see the data rules)",
            len(contradictions()),
            reverse("admin:comparison_mesh_lint"),
        ),
        (
            "Active meshes past their end of support (see the data rules)",
            sum(mesh.out_of_support for mesh in Mesh.objects.filter(status=Mesh.Status.ACTIVE)),
            reverse("admin:comparison_mesh_lint"),
        ),
        (
            "Meshes with a new release",
            Mesh.objects.with_new_release().count(),
            f"{meshes}?release=new",
        ),
    ]
    if user.has_perm("comparison.view_suggestion"):
        rows.append(
            (
                "Suggestions waiting for review",
                Suggestion.objects.filter(status=Suggestion.Status.PENDING).count(),
                reverse("admin:comparison_suggestion_changelist") + "?status__exact=pending",
            )
        )
    return rows


@register.simple_tag(takes_context=True)
def release_follow_up_list(context) -> list[ReleaseFollowUp]:
    """New releases with the release notes and the cells they most likely changed."""
    if not context["request"].user.has_perm("comparison.view_support"):
        return []
    return release_follow_ups()
