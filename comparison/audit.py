"""A reproducible sample of decided cells, for checking each against the page it cites.

Plain Python over the fixture file: the same seed and data give the same sample on any machine.
The verdicts (supported / partly / not, with the quote) are kept beside it in a JSON file and
the report is written from both (docs/data-audit.md).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

VERDICTS = ("supported", "partly", "not")


@dataclass(frozen=True)
class SampledCell:
    mesh: str
    feature: str
    level: str
    note: str
    source: str

    @property
    def key(self) -> str:
        return f"{self.mesh}/{self.feature}"


def decided_cells(fixture: Path) -> list[SampledCell]:
    """Every yes/partial/no cell of the fixture that holds its own claim (an inherited cell is its
    upstream's, which is drawn on its own), in a stable order."""
    cells = [
        SampledCell(
            item["fields"]["mesh"][0],
            item["fields"]["feature"][0],
            item["fields"]["level"],
            item["fields"]["note"],
            item["fields"]["source"],
        )
        for item in json.loads(fixture.read_text(encoding="utf-8"))
        if item["model"] == "comparison.support"
        and item["fields"]["level"] != "unknown"
        and not item["fields"].get("inherited")
    ]
    return sorted(cells, key=lambda cell: (cell.mesh, cell.feature))


def _draw(seed: int, cell: SampledCell) -> str:
    return hashlib.sha256(f"{seed}:{cell.key}".encode()).hexdigest()


def sample(fixture: Path, seed: int, size: int) -> list[SampledCell]:
    """The `size` decided cells whose seeded hash is smallest, in that order.

    Each cell's draw depends only on the seed and its own key, so editing other cells leaves
    the sample as it was; a sampled cell that becomes unknown is replaced by the next one.
    """
    return sorted(decided_cells(fixture), key=lambda cell: _draw(seed, cell))[:size]


def report(cells: list[SampledCell], verdicts: dict[str, dict], seed: int, command: str) -> str:
    """The audit as Markdown: one row per sampled cell, its verdict and the supporting quote.

    A verdict may record `first_check`: what the check found before the cell was corrected.
    """
    found = [verdicts.get(c.key, {}) for c in cells]
    supported = sum(1 for v in found if v.get("verdict") == "supported")
    first = sum(1 for v in found if v.get("first_check", v.get("verdict")) == "supported")
    unchecked = sum(1 for v in found if v.get("verdict", "not checked") == "not checked")
    share = 100 * supported / max(len(cells), 1)
    lines = [
        "# Data audit: a random sample of decided cells against their cited pages",
        "",
        f"Sample of {len(cells)} decided (yes / partial / no) cells, seed {seed}, drawn with:",
        "",
        f"    {command}",
        "",
        "Each cell's draw depends only on the seed and its own key, so the sample stays put when "
        "other cells change. Each cell's cited page was opened by a second person, not the one who "
        "researched it, and judged: **supported** (the page states the level and everything in "
        "the note), **partly** (the level holds but the note says more than the page, or the page "
        "is about something else), **not** (the page contradicts the cell or no longer says it). "
        "Cells found wanting were corrected (note trimmed to the page, or a page that supports "
        "the whole cell cited instead) and the quote below is from the page cited now.",
        "",
        f"**Result: {supported} of {len(cells)} fully supported by their own cited page "
        f"({share:.0f} %); at the first check, before corrections, {first} of {len(cells)}. "
        f"Not checked: {unchecked}.**",
        "",
    ]
    # Cells the audit found unsupported and nobody could source first-hand became unknown: they
    # left the sample of decided cells, and the next ones drawn took their place.
    sampled = {c.key for c in cells}
    left = sorted(key for key, v in verdicts.items() if key not in sampled and v.get("left"))
    if left:
        lines += [
            f"{len(left)} sampled cells were found unsupported at the first check and no "
            "first-hand page settled them: they are *unknown* now, left the sample of decided "
            "cells, and the next cells drawn were checked in their place: "
            + ", ".join(f"{key} ({verdicts[key]['first_check']})" for key in left)
            + ".",
            "",
        ]
    lines += [
        "| # | Cell | Level | First check | Now | Quote from the cited page |",
        "|---|------|-------|-------------|-----|---------------------------|",
    ]
    for number, (cell, verdict) in enumerate(zip(cells, found, strict=True), 1):
        quote = " ".join(str(verdict.get("quote", "")).split()).replace("|", "\\|")
        remark = verdict.get("remark", "")
        if remark:
            quote += f" *({' '.join(remark.split())})*".replace("|", "\\|")
        now = verdict.get("verdict", "not checked")
        lines.append(
            f"| {number} | [{cell.key}]({cell.source}) | {cell.level} | "
            f"{verdict.get('first_check', now)} | {now} | {quote} |"
        )
    return "\n".join(lines) + "\n"
