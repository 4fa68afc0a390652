"""Server-rendered SVG charts: geometry computed here, drawn by templates/comparison/charts/.

No chart script runs in the browser; every chart carries a title, a description and its numbers
as a table for people who do not see it.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from .choices import Level
from .models import Mesh, OverheadFigure, Support, in_german

LEVELS = list(Level)
LABEL_WIDTH = 190
BAR_WIDTH = 300
ROW_HEIGHT = 26
BAR_HEIGHT = 16
MESH_HEADING = _("Mesh")
# Room per character of a 12px label (a little over the average glyph), so names never overflow.
LABEL_CHAR_WIDTH = 7

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Segment:
    level: str
    count: int
    x: float
    width: float


@dataclass(frozen=True)
class StackedRow:
    label: str
    url: str
    y: int
    segments: list[Segment]
    total: int

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT - 3

    def count(self, level: str) -> int:
        return next((s.count for s in self.segments if s.level == level), 0)

    @property
    def counts(self) -> list[int]:
        return [self.count(level) for level in LEVELS]


@dataclass(frozen=True)
class StackedChart:
    title: StrOrPromise
    rows: list[StackedRow]
    label_width: int = LABEL_WIDTH
    bar_width: int = BAR_WIDTH

    @property
    def height(self) -> int:
        return len(self.rows) * ROW_HEIGHT + 4

    @property
    def width(self) -> int:
        return self.label_width + self.bar_width + 10

    @property
    def levels(self) -> list[tuple[str, str]]:
        return [(level, str(Level(level).label)) for level in LEVELS]


def label_space(labels: Iterable[str]) -> int:
    """The width of the label column: the longest label whole (never cut), at least LABEL_WIDTH."""
    longest = max((len(label) for label in labels), default=0)
    return max(LABEL_WIDTH, longest * LABEL_CHAR_WIDTH + 16)


def stacked_row(
    label: str, url: str, index: int, counts: Counter, label_width: int = LABEL_WIDTH
) -> StackedRow:
    total = sum(counts.values()) or 1
    x = float(label_width)
    segments = []
    for level in LEVELS:
        width = BAR_WIDTH * counts.get(level, 0) / total
        segments.append(Segment(level, counts.get(level, 0), round(x, 2), round(width, 2)))
        x += width
    return StackedRow(label, url, index * ROW_HEIGHT + 2, segments, sum(counts.values()))


def coverage_by_category(mesh: Mesh) -> StackedChart:
    """One bar per category: how many of its features this mesh supports, partly, not, unknown."""
    counts: dict[str, Counter] = {}
    german = in_german()
    for name, name_de, level in (
        # Archived standards (SMI) are history, not coverage.
        Support.objects.filter(mesh=mesh, feature__category__archived_on__isnull=True)
        .order_by("feature__category__position", "feature__position")
        .values_list("feature__category__name", "feature__category__name_de", "level")
    ):
        counts.setdefault((german and name_de) or name, Counter())[level] += 1
    width = label_space(counts)
    rows = [stacked_row(name, "", i, c, width) for i, (name, c) in enumerate(counts.items())]
    return StackedChart(
        title=_("Feature coverage of %(mesh)s by area") % {"mesh": mesh.name},
        rows=rows,
        label_width=width,
    )


def coverage_by_mesh(meshes: Sequence[Mesh]) -> StackedChart:
    """One bar per mesh over all features."""
    counts: dict[int, Counter] = {mesh.pk: Counter() for mesh in meshes}
    current = Support.objects.filter(mesh__in=meshes, feature__category__archived_on__isnull=True)
    for mesh_id, level in current.values_list("mesh_id", "level"):
        counts[mesh_id][level] += 1
    width = label_space(mesh.name for mesh in meshes)
    rows = [
        stacked_row(mesh.name, mesh.get_absolute_url(), i, counts[mesh.pk], width)
        for i, mesh in enumerate(meshes)
    ]
    return StackedChart(title=_("Feature coverage by mesh"), rows=rows, label_width=width)


@dataclass(frozen=True)
class Bar:
    label: str
    url: str
    value: float
    y: int
    width: float
    label_width: int = LABEL_WIDTH

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT - 3

    @property
    def value_x(self) -> float:
        return self.label_width + self.width + 6


@dataclass(frozen=True)
class BarChart:
    title: StrOrPromise
    unit: StrOrPromise
    bars: list[Bar]
    label_width: int = LABEL_WIDTH
    label_heading: StrOrPromise = MESH_HEADING

    @property
    def height(self) -> int:
        return len(self.bars) * ROW_HEIGHT + 4

    @property
    def width(self) -> int:
        return self.label_width + BAR_WIDTH + 50


def complexity_chart(meshes: Iterable[Mesh]) -> BarChart:
    """Lines of YAML for the same 90/10 traffic split, shortest first."""
    known = sorted(
        (m for m in meshes if m.split_yaml), key=lambda m: (m.traffic_split_lines, m.name)
    )
    longest = max((m.traffic_split_lines for m in known), default=1)
    width = label_space(m.name for m in known)
    bars = [
        Bar(
            m.name,
            m.get_absolute_url() + "#complexity",
            m.traffic_split_lines,
            i * ROW_HEIGHT + 2,
            round(BAR_WIDTH * m.traffic_split_lines / longest, 2),
            width,
        )
        for i, m in enumerate(known)
    ]
    return BarChart(
        title=_("Lines of configuration for a 90/10 traffic split"),
        unit=_("lines"),
        bars=bars,
        label_width=width,
    )


def overhead_chart(
    figures: Iterable[OverheadFigure], value: str, title: StrOrPromise, unit: StrOrPromise
) -> BarChart:
    """One bar per published data-plane figure that gives `value` (a field), smallest first.

    Each bar names its mesh, component and year (the table below names the publisher and the
    set-up): figures from different set-ups stand side by side only with that said.
    """
    # Per workload or per node only: a control plane's footprint is a different kind of cost.
    given = [f for f in figures if getattr(f, value) is not None and not f.is_control_plane]
    given.sort(key=lambda f: (getattr(f, value), f.mesh.name))
    largest = max((getattr(f, value) for f in given), default=1) or 1
    old = _("old")
    labels = [
        f"{f.mesh.name}: {f.component}"
        + (f" ({f.published[:4]}" + (f", {old})" if f.outdated else ")") if f.published else "")
        for f in given
    ]
    width = label_space(labels)
    bars = [
        Bar(
            label,
            f.mesh.get_absolute_url() + "#overhead",
            getattr(f, value),
            i * ROW_HEIGHT + 2,
            round(BAR_WIDTH * getattr(f, value) / largest, 2),
            width,
        )
        for i, (f, label) in enumerate(zip(given, labels, strict=True))
    ]
    return BarChart(title=title, unit=unit, bars=bars, label_width=width, label_heading=_("Figure"))


TIER_WIDTH = 170
TIER_ROW = 30
TIER_LINE = 14
# About this many characters of 12px text fit in a tier box; longer names wrap (never cut off).
TIER_CHARS = 22


@dataclass(frozen=True)
class TierEntry:
    mesh: Mesh
    lines: list[str]
    y: int

    @property
    def height(self) -> int:
        return 24 + TIER_LINE * (len(self.lines) - 1)

    @property
    def text_y(self) -> int:
        return self.y + 17


@dataclass(frozen=True)
class TierColumn:
    key: str
    label: StrOrPromise
    meshes: list[Mesh]
    x: int

    @property
    def label_x(self) -> int:
        return self.x + TIER_WIDTH // 2

    @cached_property
    def entries(self) -> list[TierEntry]:
        entries, y = [], 32
        for mesh in self.meshes:
            entry = TierEntry(mesh, textwrap.wrap(mesh.name, TIER_CHARS) or [mesh.name], y)
            entries.append(entry)
            y += entry.height + TIER_ROW - 24
        return entries

    @property
    def bottom(self) -> int:
        return self.entries[-1].y + self.entries[-1].height if self.entries else 32


@dataclass(frozen=True)
class TierChart:
    title: StrOrPromise
    columns: list[TierColumn]

    @property
    def width(self) -> int:
        return len(self.columns) * TIER_WIDTH

    @property
    def height(self) -> int:
        return max((c.bottom for c in self.columns), default=32) + 4


def tier_chart(meshes: Iterable[Mesh]) -> TierChart:
    """The meshes by maturity tier, discontinued ones with their status."""
    meshes = list(meshes)
    columns = [
        TierColumn(
            tier.value,
            tier.label,
            sorted((m for m in meshes if m.maturity == tier.value), key=lambda m: m.name),
            i * TIER_WIDTH,
        )
        for i, tier in enumerate(Mesh.Maturity)
    ]
    return TierChart(title=_("Meshes by maturity tier and status"), columns=columns)
