"""The data's own rules, checked over the whole catalogue (manage.py lint_data, the editors'
dashboard, CI).

Each check reads the database once and returns problems a person can act on: where (mesh and
feature, or the mesh fact) and what is wrong. Constraints and form validation already refuse what
can never be right (a yes without a source); these are the rules that need the whole data set or
the rubric's words to tell.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from .choices import Level, Stage
from .conformance import contradictions
from .facts import MESH_FACTS
from .models import Feature, Mesh, OverheadFigure, Support
from .sources import mirror_host
from .versions import is_newer


@dataclass(frozen=True, order=True)
class Problem:
    kind: str
    where: str
    text: str

    def __str__(self) -> str:
        return f"{self.where}: {self.text} [{self.kind}]"


# A change request or bug report: first-hand, but not where a reader checks what a feature does.
# It may back a "no" (an open request on the project's own tracker says the feature is missing),
# never a yes or a partial.
THREAD = re.compile(r"^https://github\.com/[^/]+/[^/]+/(pull|issues|discussions)/\d+")
# Words from the work of finding a fact, not facts for the reader.
RESEARCH_RESIDUE = re.compile(
    r"\bgrep\b|\bsnapshots?\b|stored cop(y|ies)|available sources|not found in (the )?"
    r"(docs|documentation|sources|repository)|\bI (could|did|found)\b|\bTODO\b|"
    r"\b(no|nothing)\b[^.;]{0,60}\bfound\b",
    re.IGNORECASE,
)
CUT_OFF = re.compile(r"(…|\.\.\.)\s*$")
# A note that opens by saying the feature is absent (a yes cell then contradicts it) ...
OPENS_ABSENT = re.compile(
    r"^(not supported|unsupported|no support|not available|there is no|does not support)\b",
    re.IGNORECASE,
)
# ... or that says so anywhere (an unknown cell then knows more than it admits).
SAYS_ABSENT = re.compile(
    r"\b(not supported by|unsupported by|does not support|doesn't support|no support for)\b",
    re.IGNORECASE,
)
# A note that says the support is not (yet) stable: the stage field says that, not the note.
# (Gateway API's "experimental channel", annotation names like balancer.alpha.linkerd.io and
# `gcloud beta` commands are names, not stages.)
SAYS_IMMATURE = re.compile(
    r"(?<!gcloud )\b(experimental(?! channel)|alpha(?![.\w])|beta(?![.\w])|"
    r"tech(nology)? preview|public preview|developer preview)\b",
    re.IGNORECASE,
)
PARTIAL_DEFINED = re.compile(r"\bpartial\b", re.IGNORECASE)

# Public texts of a mesh, checked for research residue.
MESH_TEXTS = (
    "summary",
    "summary_de",
    "platform_notes",
    "platform_notes_de",
    "status_note",
    "status_note_de",
    "successor",
    "successor_de",
    "cloud_note",
    "orchestrators_note",
    "stable_releases_note",
)


def _cell_where(cell: Support) -> str:
    return f"{cell.mesh.slug}/{cell.feature.slug}"


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def check_sources(cells: list[Support]) -> Iterator[Problem]:
    for cell in cells:
        if cell.level == Level.UNKNOWN or cell.inherited:
            continue
        host = mirror_host(cell.source)
        if host:
            yield Problem("second-hand source", _cell_where(cell), f"cites {host}, a mirror")
        elif THREAD.match(cell.source) and cell.level != Level.NO:
            yield Problem(
                "thread as source",
                _cell_where(cell),
                "a yes or partial cites a pull request or issue thread: cite the docs or "
                "release notes that describe the feature",
            )


def check_partials(cells: list[Support], features: list[Feature]) -> Iterator[Problem]:
    defined = {f.pk for f in features if PARTIAL_DEFINED.search(f.description)}
    for feature in features:
        if feature.pk not in defined:
            yield Problem(
                "rubric without partial",
                f"feature {feature.slug}",
                "the rubric does not say what counts as partial",
            )
    for cell in cells:
        if cell.level != Level.PARTIAL:
            continue
        if not cell.note.strip():
            yield Problem("partial without note", _cell_where(cell), "say what is missing")


def check_notes(cells: list[Support]) -> Iterator[Problem]:
    for cell in cells:
        if cell.inherited:
            continue
        where, note = _cell_where(cell), cell.note
        if RESEARCH_RESIDUE.search(note):
            yield Problem("research wording", where, f"note: “{note}”")
        if CUT_OFF.search(note):
            yield Problem("cut off", where, "the note ends with an ellipsis")
        if (cell.level == Level.YES and OPENS_ABSENT.search(note)) or (
            cell.level == Level.UNKNOWN and SAYS_ABSENT.search(note)
        ):
            yield Problem(
                "note contradicts level",
                where,
                f"a {cell.level} whose note says the feature is absent: “{note}”",
            )
        if cell.level == Level.YES and not cell.stage and SAYS_IMMATURE.search(note):
            yield Problem(
                "stage in the note",
                where,
                "the note calls the support experimental, beta or preview: set the stage",
            )


def check_distributions(cells: list[Support], meshes: list[Mesh]) -> Iterator[Problem]:
    by_key = {(cell.mesh_id, cell.feature_id): cell for cell in cells}
    for mesh in meshes:
        upstream = mesh.upstream
        if upstream is None:
            continue
        if mesh.upstream_version and is_newer(mesh.upstream_version, upstream.current_version):
            yield Problem(
                "upstream behind",
                f"mesh {mesh.slug}",
                f"built on {upstream.name} {mesh.upstream_version}, newer than the upstream "
                f"row's {upstream.current_version or 'empty version'}",
            )
        upstream_hosts = {_host(url) for url in (upstream.docs_url, upstream.website) if url}
        upstream_repository = (
            upstream.repository_url.rstrip("/") + "/" if upstream.repository_url else ""
        )
        for cell in cells:
            # An own "unknown" claims nothing: the product's docs do not settle it.
            if cell.mesh_id != mesh.pk or cell.inherited or cell.level == Level.UNKNOWN:
                continue
            origin = by_key.get((upstream.pk, cell.feature_id))
            if origin is None:
                continue
            if (cell.level, cell.stage) == (origin.level, origin.stage):
                continue
            of_upstream = _host(cell.source) in upstream_hosts or bool(
                upstream_repository and cell.source.startswith(upstream_repository)
            )
            if not cell.source or of_upstream:
                yield Problem(
                    "override without own source",
                    _cell_where(cell),
                    f"differs from {upstream.name} ({origin.level} → {cell.level}) but cites "
                    "no page of this product",
                )


def check_mesh_texts(meshes: list[Mesh]) -> Iterator[Problem]:
    for mesh in meshes:
        for name in MESH_TEXTS:
            text = getattr(mesh, name)
            if RESEARCH_RESIDUE.search(text):
                yield Problem("research wording", f"mesh {mesh.slug}", f"{name}: “{text}”")
            if CUT_OFF.search(text):
                yield Problem("cut off", f"mesh {mesh.slug}", f"{name} ends with an ellipsis")


def check_fact_sources(meshes: list[Mesh]) -> Iterator[Problem]:
    """Every fact that says something cites the page it was read on (comparison/facts.py)."""
    for mesh in meshes:
        for fact in MESH_FACTS:
            if fact.has_value(mesh) and not getattr(mesh, fact.source):
                yield Problem(
                    "fact without source",
                    f"mesh {mesh.slug}",
                    f"{fact.name} is set, but {fact.source} is empty",
                )


def check_overhead(figures: list[OverheadFigure]) -> Iterator[Problem]:
    # A figure without its context is kept for the record but shown nowhere (comparable()).
    for figure in figures:
        where = f"overhead {figure.mesh.slug}/{figure.slug}"
        for name in ("setup", "latency_note"):
            text = getattr(figure, name)
            if RESEARCH_RESIDUE.search(text) or CUT_OFF.search(text):
                yield Problem("research wording", where, f"{name}: “{text}”")


def check_stages(cells: list[Support]) -> Iterator[Problem]:
    for cell in cells:
        if cell.stage == Stage.DEPRECATED and not cell.note.strip():
            yield Problem(
                "deprecated without note", _cell_where(cell), "say what replaces the feature"
            )


def check_conformance(cells: list[Support]) -> Iterator[Problem]:
    """A yes the newest conformance report contradicts: an editor looks, nothing is changed."""
    for contradiction in contradictions(cells):
        cell_where = f"cell {contradiction.mesh.slug}/{contradiction.feature.slug}"
        yield Problem("contradicted by conformance report", cell_where, str(contradiction))


def check_support_windows(meshes: list[Mesh]) -> Iterator[Problem]:
    """An active mesh whose every known release line is past its end of support."""
    for mesh in meshes:
        if mesh.status == mesh.Status.ACTIVE and mesh.out_of_support:
            newest = mesh.cycles[0]
            yield Problem(
                "out of support",
                f"mesh {mesh.slug}",
                f"the newest release line {newest.cycle} ended on {newest.end_of_support}; "
                "enter the newer line from the vendor's support policy, or the mesh's status",
            )


def lint() -> list[Problem]:
    """Every problem in the data, sorted by kind and place (a handful of queries)."""
    meshes = list(Mesh.objects.order_by("slug"))
    features = list(Feature.objects.in_display_order())
    cells = list(Support.objects.select_related("mesh", "feature"))
    figures = list(OverheadFigure.objects.select_related("mesh"))
    problems = [
        *check_sources(cells),
        *check_partials(cells, features),
        *check_notes(cells),
        *check_distributions(cells, meshes),
        *check_mesh_texts(meshes),
        *check_fact_sources(meshes),
        *check_overhead(figures),
        *check_stages(cells),
        *check_conformance(cells),
        *check_support_windows(meshes),
    ]
    return sorted(problems)
