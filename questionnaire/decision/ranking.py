"""The decision itself: candidates, scores, ties and families, the unverified and the excluded,
and what to relax when nothing fits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from django.utils.translation import gettext as _

from comparison.choices import Maturity, SupportWish

from . import explain
from .candidates import check_musts, display_order, meets_all, precondition_reason
from .inputs import GATE_FEATURES, Answers, MeshFacts, Names
from .results import Excluded, Ranked, Relaxation, Result, Unverified
from .scoring import complexity_cuts, feature_part, score


def _ranked(shortlist: list[Ranked]) -> tuple[Ranked, ...]:
    """Best first; the same score gives the same rank (1, 1, 3) and a "tied" mark. Inside a tie
    the order is explain.tie_order: never the name."""
    shortlist.sort(key=lambda r: (-r.score, *explain.tie_order(r)))
    scores = [r.score for r in shortlist]
    return tuple(
        replace(r, rank=1 + sum(1 for s in scores if s > r.score), tied=scores.count(r.score) > 1)
        for r in shortlist
    )


def _relaxations(
    answers: Answers, musts: Sequence[str], name: Mapping[str, str]
) -> list[tuple[str, str, Answers, str]]:
    """Each answer that could be relaxed: (key, what to do, the relaxed answers, feature)."""
    options: list[tuple[str, str, Answers, str]] = []
    for slug in musts:
        needs = frozenset(k for k in answers.needs if slug not in GATE_FEATURES[k])
        # Dropping a gate need drops its other features too; they stay must-haves by name.
        kept = {s for k in answers.needs - needs for s in GATE_FEATURES[k]} - {slug}
        relaxed = replace(
            answers,
            needs=needs,
            must=(answers.must | kept) - {slug},
            nice=answers.nice | {slug},
        )
        label = _("Make %(feature)s a nice-to-have") % {"feature": name[slug]}
        options.append((f"must:{slug}", label, relaxed, slug))
    toggles: list[tuple[str, str, dict[str, object]]] = []
    if not answers.partial_ok:
        toggles.append(
            ("partial_ok", _("Let partial support count for a must-have"), {"partial_ok": True})
        )
    if not answers.experimental_ok:
        toggles.append(
            (
                "experimental_ok",
                _("Let alpha/experimental support count for a must-have"),
                {"experimental_ok": True},
            )
        )
    if answers.open_source_only:
        toggles.append(
            (
                "open_source_only",
                _("Accept licences that are not OSI open source"),
                {"open_source_only": False},
            )
        )
    if answers.cncf_graduated_only:
        toggles.append(
            (
                "cncf_graduated_only",
                _("Accept projects that are not CNCF graduated"),
                {"cncf_graduated_only": False},
            )
        )
    if answers.support == SupportWish.REQUIRED:
        toggles.append(
            (
                "support",
                _("Make commercial support welcome instead of required"),
                {"support": SupportWish.WELCOME.value},
            )
        )
    if answers.min_maturity != Maturity.VERY_NEW:
        toggles.append(
            (
                "min_maturity",
                _("Accept very new projects"),
                {"min_maturity": Maturity.VERY_NEW.value},
            )
        )
    for key, label, change in toggles:
        options.append((key, label, replace(answers, **change), ""))  # type: ignore[arg-type]
    return options


def relaxed_answers(answers: Answers, key: str, name: Mapping[str, str]) -> Answers:
    """The answers with the one relaxation `key` applied; ValueError if it is not on offer."""
    musts = display_order(answers.all_must, name)
    for option_key, _label, relaxed, _slug in _relaxations(answers, musts, Names(name)):
        if option_key == key:
            return relaxed
    raise ValueError(f"{key!r} cannot be relaxed in these answers.")


def relaxation(
    answers: Answers, meshes: Sequence[MeshFacts], musts: Sequence[str], name: Mapping[str, str]
) -> Relaxation | None:
    """The one answer whose relaxing would shortlist the most options (the first of equals)."""
    best: Relaxation | None = None
    for key, label, relaxed, slug in _relaxations(answers, musts, name):
        relaxed_musts = display_order(relaxed.all_must, name)
        admits = tuple(m.name for m in meshes if meets_all(relaxed, m, relaxed_musts))
        if admits and (best is None or len(admits) > len(best.admits)):
            best = Relaxation(key, label, admits, slug, name[slug] if slug else "")
    return best


def decide(
    answers: Answers,
    meshes: Sequence[MeshFacts],
    feature_names: Mapping[str, str],
    gateway_api_lines: int | None = None,
) -> Result:
    """Verdict, shortlist (best first), could-fit-but-unverified, excluded, alternatives.

    The shortlist is computed whatever the verdict: a "no" is advice, not a locked door. Pass
    every option (not a filtered few): the complexity thirds come from all of them.
    `gateway_api_lines` is the 90/10 split as a Gateway API HTTPRoute, charged to every option
    that supports it when the team chose that standard.
    """
    if not isinstance(answers, Answers):
        raise ValueError(f"answers must be an Answers instance; got {type(answers).__name__}.")
    slugs = [m.slug for m in meshes]
    duplicates = sorted({s for s in slugs if slugs.count(s) > 1})
    if duplicates:
        raise ValueError(f"Each mesh may appear once; duplicated: {', '.join(duplicates)}.")

    name = Names(feature_names)
    musts = display_order(answers.all_must, feature_names)
    nices = display_order(answers.nice - answers.all_must, feature_names)
    cuts = complexity_cuts(answers, meshes, gateway_api_lines)

    shortlist: list[Ranked] = []
    unverified: list[Unverified] = []
    excluded: list[Excluded] = []
    for mesh in meshes:
        reason = precondition_reason(answers, mesh)
        if reason:
            excluded.append(Excluded(mesh, reason))
            continue
        check = check_musts(answers, mesh, musts, name)
        if check.failed:
            slug, why = check.failed
            reason = _("Lacks must-have %(feature)s (%(why)s).") % {
                "feature": name[slug],
                "why": why,
            }
            excluded.append(Excluded(mesh, reason))
            continue
        parts = check.parts + score(answers, mesh, musts, nices, name, cuts, gateway_api_lines)
        total = sum(p.points for p in parts)
        if check.unknown:
            unverified.append(
                Unverified(mesh, check.unknown, tuple(name[s] for s in check.unknown), total)
            )
            continue
        entry = {
            slug: explain.feature_line(mesh, slug, name, kind)
            for kind, slugs in ((_("must-have"), musts), (_("nice-to-have"), nices))
            for slug in slugs
        }
        evidence = tuple(feature_part(0, entry[slug], mesh, slug) for slug in musts)
        mesh_risks = check.risks + explain.risks(answers, mesh, nices, name)
        shortlist.append(
            Ranked(
                mesh=mesh,
                score=total,
                parts=parts,
                fits=tuple(
                    entry[s] for s in (*musts, *nices) if mesh.level(s) in ("yes", "partial")
                ),
                lacks=tuple(entry[s] for s in nices if mesh.level(s) not in ("yes", "partial")),
                caveats=tuple(r.text for r in mesh_risks),
                evidence=evidence,
                risks=mesh_risks,
            )
        )

    ranked = _ranked(shortlist)
    unverified.sort(key=lambda u: (-u.score, len(u.features), explain.tie_order_key(u.mesh)))
    excluded.sort(key=lambda e: (e.mesh.name.casefold(), e.mesh.slug))
    verdict = explain.verdict(answers)
    shortlisted = {r.mesh.slug for r in ranked} | {u.mesh.slug for u in unverified}
    platform_options = [
        m for m in meshes if m.slug not in shortlisted and explain.fits_platform(answers, m)
    ]
    found_alternatives = explain.alternatives(answers, platform_options, musts, name)
    result = Result(
        verdict=verdict,
        shortlist=ranked,
        excluded=tuple(excluded),
        relax=None if ranked else relaxation(answers, meshes, musts, name),
        complexity_cuts=cuts,
        notices=explain.notices(answers),
        unverified=tuple(unverified),
        alternatives=found_alternatives,
        complexity_api=(
            "gateway_api" if answers.standards == "gateway_api" and gateway_api_lines else ""
        ),
    )
    # The choices the reader compares: the compare group and those tied for its last places.
    top = (result.compare_group + result.compare_tied) or tuple(f.head for f in result.families[:2])
    return replace(
        result,
        recommendation=explain.recommendation(
            verdict, result.families, result.unverified, found_alternatives, result.relax
        ),
        differences=explain.differences(answers, top[:4], musts, nices, name),
    )
