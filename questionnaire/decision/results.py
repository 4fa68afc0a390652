"""What the decision returns: plain, frozen dataclasses the views, API and exports read."""

from __future__ import annotations

from dataclasses import dataclass

from comparison.choices import ComplexityBand

from .inputs import MeshFacts

COMPARE_LIMIT = 4  # the compare page shows at most four options


@dataclass(frozen=True)
class GateReason:
    """One gate answer that points away from a mesh, what it means, and what to do instead."""

    question: str
    answer: str
    message: str
    alternative: str


@dataclass(frozen=True)
class Alternative:
    """Something to use instead of (or before) a mesh, with its official documentation."""

    key: str
    title: str
    text: str
    url: str
    kind: str = "practice"  # "platform" (from the catalogue) | "library" | "practice"


@dataclass(frozen=True)
class Verdict:
    code: str  # "worth_it" | "consider" | "not_worth_it"
    headline: str
    reasons: tuple[GateReason, ...]
    in_favour: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScorePart:
    """One line of an option's evaluation: its points, why, and the cell or fact behind it."""

    points: int
    reason: str
    feature: str = ""  # feature slug when the line is about a feature cell
    level: str = ""  # that cell's level (or "unknown" for a missing fact)
    source: str = ""  # where the cell or fact was read


@dataclass(frozen=True)
class Risk:
    """Something to weigh before choosing an option, from structured data, with its source."""

    # "must_partial" | "stage" | "release_model" | "support_window" | "unknown" | "overhead" |
    # "platform"
    kind: str
    text: str
    source: str = ""
    feature: str = ""


@dataclass(frozen=True)
class Ranked:
    mesh: MeshFacts
    score: int  # always the sum of parts' points
    parts: tuple[ScorePart, ...]
    fits: tuple[str, ...]
    lacks: tuple[str, ...]
    caveats: tuple[str, ...]
    evidence: tuple[ScorePart, ...] = ()  # the must-haves it meets, with their cells (0 points)
    risks: tuple[Risk, ...] = ()
    rank: int = 1  # competition ranking: the same score gives the same rank
    tied: bool = False  # another option has the same score

    @property
    def reasons(self) -> tuple[ScorePart, ...]:
        return self.evidence + self.parts


@dataclass(frozen=True)
class Unverified:
    """An option that could fit, but a must-have of yours is unknown for it (no source found)."""

    mesh: MeshFacts
    features: tuple[str, ...]  # the must-haves with no source, slugs
    feature_names: tuple[str, ...]
    score: int  # its score if those must-haves hold

    @property
    def checks(self) -> tuple[tuple[str, str], ...]:
        """(slug, name) of each must-have to check."""
        return tuple(zip(self.features, self.feature_names, strict=True))


@dataclass(frozen=True)
class Excluded:
    mesh: MeshFacts
    reason: str


@dataclass(frozen=True)
class Relaxation:
    """The one answer that, relaxed, would admit the most options, and which ones."""

    key: str  # "must:<slug>" or an answer key, e.g. "open_source_only"
    label: str  # what to change, in words
    admits: tuple[str, ...]  # names of the options it would shortlist
    feature: str = ""  # the must-have's slug, when it is one
    feature_name: str = ""

    @property
    def excluded_count(self) -> int:
        return len(self.admits)


@dataclass(frozen=True)
class ComplexityCuts:
    """Band limits from the data: low up to `low_max` lines, high from `high_min` lines."""

    low_max: int
    high_min: int
    counted: int  # how many product families the thirds were taken from

    def band(self, lines: int) -> str:
        if lines <= self.low_max:
            return ComplexityBand.LOW.value
        if lines >= self.high_min:
            return ComplexityBand.HIGH.value
        return ComplexityBand.MEDIUM.value


@dataclass(frozen=True)
class DifferenceCell:
    slug: str
    text: str
    source: str = ""
    name: str = ""  # the option's name


@dataclass(frozen=True)
class Difference:
    """One row on which the top choices differ, with each one's value and source."""

    label: str
    cells: tuple[DifferenceCell, ...]


@dataclass(frozen=True)
class Family:
    """Options that share an upstream, shown as one choice with its variants."""

    head: Ranked
    variants: tuple[Ranked, ...]

    @property
    def members(self) -> tuple[Ranked, ...]:
        return (self.head, *self.variants)


@dataclass(frozen=True)
class Result:
    verdict: Verdict
    shortlist: tuple[Ranked, ...]
    excluded: tuple[Excluded, ...]
    relax: Relaxation | None
    complexity_cuts: ComplexityCuts | None = None
    notices: tuple[str, ...] = ()
    unverified: tuple[Unverified, ...] = ()
    alternatives: tuple[Alternative, ...] = ()
    recommendation: str = ""  # what to do, in one sentence

    @property
    def summary(self) -> str:
        """The verdict and the recommendation."""
        return f"{self.verdict.headline} {self.recommendation}".strip()

    differences: tuple[Difference, ...] = ()
    complexity_api: str = ""  # "gateway_api" when charged on HTTPRoute where supported

    @property
    def families(self) -> tuple[Family, ...]:
        """The shortlist by family, in the shortlist's order: each family at its best member."""
        order: list[str] = []
        members: dict[str, list[Ranked]] = {}
        for ranked in self.shortlist:
            family = ranked.mesh.family
            if family not in members:
                order.append(family)
                members[family] = []
            members[family].append(ranked)
        return tuple(Family(members[f][0], tuple(members[f][1:])) for f in order)

    def _compare_split(self) -> tuple[tuple[Ranked, ...], tuple[Ranked, ...]]:
        heads = [family.head for family in self.families]
        if len(heads) < 2:
            return (), ()
        last_rank = heads[min(3, len(heads)) - 1].rank
        group = [r for r in heads if r.rank <= last_rank]
        if len(group) <= COMPARE_LIMIT:
            return tuple(group), ()
        # More families tie for the last places than fit: no order decides among them.
        return tuple(r for r in group if r.rank < last_rank), tuple(
            r for r in group if r.rank == last_rank
        )

    @property
    def compare_group(self) -> tuple[Ranked, ...]:
        """The top three distinct choices (one per family), widened to ties, at most four."""
        return self._compare_split()[0]

    @property
    def compare_tied(self) -> tuple[Ranked, ...]:
        """Choices tied for the last compare places, when more tie than fit: the reader picks."""
        return self._compare_split()[1]
