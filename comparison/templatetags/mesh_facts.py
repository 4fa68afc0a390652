"""The day a mesh fact was last confirmed, beside the fact on its mesh's page."""

from __future__ import annotations

import datetime

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from ..models import Mesh

register = template.Library()


@register.simple_tag
def fact_checked(mesh: Mesh, fact: str) -> str:
    """ "· checked 7 Dec 2026" when the fact has a check date of its own, else nothing."""
    day = mesh.fact_checks.get(fact) if isinstance(mesh.fact_checks, dict) else None
    if not day:
        return ""
    when = datetime.date.fromisoformat(day)
    return format_html(
        ' <span class="fact-checked">· {} <time datetime="{}">{}</time></span>',
        _("checked"),
        day,
        date_format(when, "DATE_FORMAT"),
    )
