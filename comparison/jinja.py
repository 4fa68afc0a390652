"""The Jinja2 environment, for the one template Django's engine renders too slowly: the body of
the comparison table (templates/jinja2/comparison/matrix_rows.html)."""

from __future__ import annotations

from typing import Any

import jinja2

from .matrix import month_year
from .models import is_stale


def environment(**options: Any) -> jinja2.Environment:
    env = jinja2.Environment(**{"trim_blocks": True, "lstrip_blocks": True, **options})
    # The one staleness rule, as `verified is stale(before, release)`.
    env.tests["stale"] = is_stale
    env.filters["month_year"] = month_year
    return env
