"""A result as an Architecture Decision Record in the MADR layout (https://adr.github.io/madr/):
record() gathers it as JSON-ready data, markdown() renders that as Markdown.

Every text is in the active language; every source a line rests on travels with it and is listed
again under "links", so the record can be checked cell by cell. Nothing is shortened, and options
with the same score stay tied: the record names the first of them as chosen only in the order the
decision gives (never by name) and says which it is tied with.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comparison.choices import (
    ComplexityBand,
    Experience,
    Hosting,
    Language,
    Level,
    Maturity,
    Orchestrator,
    SupportWish,
)

from . import decision
from .answers import Stored, to_decision, upgrade
from .evaluation import Evaluation, data_fingerprint
from .models import Questionnaire

STATUS = "proposed"
TEMPLATE = "questionnaire/decision.md"
STANDARD_NAMES = {"smi": "SMI", "gateway_api": "Kubernetes Gateway API"}
# (question, answer) lines per step: wizard.answer_steps()
AnswerLines = Sequence[tuple[str, Sequence[tuple[str, str]]]]


# --- the record ------------------------------------------------------------------------------


def _and(names: Iterable[object]) -> str:
    return str(get_text_list([str(n) for n in names], _("and")))


def _line(text: object, source: str = "", points: int | None = None) -> dict[str, Any]:
    line: dict[str, Any] = {"text": str(text), "source": source or None}
    if points is not None:
        line["points"] = points
    return line


def _drivers(answers: decision.Answers, feature_names: Mapping[str, str]) -> list[dict[str, str]]:
    """What the choice must satisfy, from the answers: must-haves, platform, constraints."""
    name = {**{slug: slug for slug in (*answers.all_must, *answers.nice)}, **feature_names}
    drivers: list[tuple[str, str]] = []
    for slug in decision.display_order(answers.all_must, feature_names):
        drivers.append(("must", _("Must-have: %(feature)s") % {"feature": name[slug]}))
    for slug in decision.display_order(answers.nice - answers.all_must, feature_names):
        drivers.append(("nice", _("Nice-to-have: %(feature)s") % {"feature": name[slug]}))
    # The platform
    if answers.openshift:
        drivers.append(("platform", _("Runs on Kubernetes (Red Hat OpenShift)")))
    elif answers.kubernetes:
        drivers.append(("platform", _("Runs on Kubernetes")))
    else:
        drivers.append(("platform", _("Does not run on Kubernetes")))
    drivers.append(
        ("platform", _("Hosting: %(hosting)s") % {"hosting": Hosting(answers.cloud).label})
    )
    if answers.outside_kubernetes:
        where = [o.label for o in Orchestrator if o.value in answers.outside_kubernetes]
        drivers.append(
            ("platform", _("Workloads outside Kubernetes: %(where)s") % {"where": _and(where)})
        )
    if answers.standards in STANDARD_NAMES:
        drivers.append(
            (
                "platform",
                _("Standard API: %(standard)s") % {"standard": STANDARD_NAMES[answers.standards]},
            )
        )
    if answers.experience:
        known = [e.label for e in Experience if e.value in answers.experience]
        drivers.append(("platform", _("Team experience: %(known)s") % {"known": _and(known)}))
    if answers.languages:
        languages = [language.label for language in Language if language.value in answers.languages]
        drivers.append(("platform", _("Languages: %(languages)s") % {"languages": _and(languages)}))
    # The constraints
    drivers.append(
        (
            "constraint",
            _("Minimum production readiness: %(maturity)s")
            % {"maturity": Maturity(answers.min_maturity).label},
        )
    )
    drivers.append(
        (
            "constraint",
            _("Configuration complexity accepted: %(band)s")
            % {"band": ComplexityBand(answers.complexity_tolerance).label},
        )
    )
    drivers.append(
        (
            "constraint",
            _("Commercial support: %(wish)s") % {"wish": SupportWish(answers.support).label},
        )
    )
    if answers.open_source_only:
        drivers.append(("constraint", _("OSI open source licences only")))
    if answers.cncf_graduated_only:
        drivers.append(("constraint", _("CNCF graduated projects only")))
    if answers.latency_sensitive:
        drivers.append(("constraint", _("Latency-sensitive services")))
    if answers.pods:
        drivers.append(
            ("constraint", _("About %(pods)d pods in the mesh") % {"pods": answers.pods})
        )
    if answers.partial_ok:
        drivers.append(("constraint", _("Partial support may meet a must-have")))
    if answers.experimental_ok:
        drivers.append(("constraint", _("Alpha or experimental support may meet a must-have")))
    return [{"kind": kind, "text": str(text)} for kind, text in drivers]


def _pros(ranked: decision.Ranked) -> list[dict[str, Any]]:
    """The cells and facts in its favour: the must-haves it fully meets, then its points."""
    pros = [_line(part.reason, part.source) for part in ranked.evidence if part.level == Level.YES]
    pros += [
        _line(part.reason, part.source, part.points) for part in ranked.parts if part.points > 0
    ]
    return pros


def _cons(ranked: decision.Ranked) -> list[dict[str, Any]]:
    """What counts against it: points taken off, risks to weigh, nice-to-haves it lacks."""
    cons = [
        _line(part.reason, part.source, part.points) for part in ranked.parts if part.points < 0
    ]
    seen = {line["text"] for line in cons}
    for risk in ranked.risks:
        if risk.text not in seen:
            seen.add(risk.text)
            cons.append(_line(risk.text, risk.source))
    cons += [_line(_("Nice-to-have %(lack)s") % {"lack": lack}) for lack in ranked.lacks]
    return cons


def _option(ranked: decision.Ranked) -> dict[str, Any]:
    mesh = ranked.mesh
    return {
        "slug": mesh.slug,
        "name": mesh.name,
        "family": mesh.family,
        "family_name": mesh.family_name or mesh.name,
        "rank": ranked.rank,
        "score": ranked.score,
        "tied": ranked.tied,
        "pros": _pros(ranked),
        "cons": _cons(ranked),
    }


def _title(result: decision.Result, chosen: decision.Ranked | None, tied: Sequence[str]) -> str:
    if chosen is None:
        return _("No service mesh option meets every must-have yet")
    words = {"name": chosen.mesh.name, "others": _and(tied)}
    if result.verdict.code == "not_worth_it":
        if tied:
            return _(
                "Use %(name)s only if a service mesh is still wanted, tied with %(others)s"
            ) % (words)
        return _("Use %(name)s only if a service mesh is still wanted") % words
    if tied:
        return _("Use %(name)s as the service mesh, tied with %(others)s") % words
    return _("Use %(name)s as the service mesh") % words


def _outcome(
    result: decision.Result, options: Sequence[dict[str, Any]], first_alternatives: int = 3
) -> dict[str, Any]:
    families = result.families
    relax = result.relax
    outcome: dict[str, Any] = {
        "chosen": None,
        "chosen_slug": None,
        "tied_with": [],
        "because": "",
        "verdict": result.verdict.code,
        "summary": result.summary,
        "relax": (
            {"text": relax.label, "would_admit": list(relax.admits)} if relax is not None else None
        ),
        "alternatives": [a.title for a in result.alternatives[:first_alternatives]],
        "consequences": {"good": [], "bad": []},
    }
    if not families:
        lines = [_("No option is chosen: none meets every must-have in this environment.")]
        if result.unverified:
            lines.append(
                _("%(names)s could fit once the unknown cells are checked.")
                % {"names": _and(u.mesh.name for u in result.unverified)}
            )
        if relax is not None:
            lines.append(
                _("%(change)s: that would admit %(names)s.")
                % {"change": relax.label, "names": _and(relax.admits)}
            )
        if result.alternatives:
            lines.append(
                _("Consider these alternatives first: %(names)s.")
                % {"names": _and(outcome["alternatives"])}
            )
        outcome["because"] = " ".join(str(line) for line in lines)
        return outcome
    chosen = families[0].head
    tied = [f.head for f in families[1:] if f.head.rank == chosen.rank]
    words = {
        "score": chosen.score,
        "others": _and(r.mesh.name for r in tied),
        "second": families[1].head.mesh.name if len(families) > 1 else "",
        "second_score": families[1].head.score if len(families) > 1 else 0,
    }
    if tied:
        because = _(
            "it meets every must-have with a score of %(score)d, tied with %(others)s: the data "
            "does not separate them, so a pilot of each should decide"
        )
    elif len(families) > 1:
        because = _(
            "it meets every must-have and has the highest score, %(score)d, ahead of %(second)s "
            "(%(second_score)d)"
        )
    else:
        because = _("it is the only product family that meets every must-have (score %(score)d)")
    chosen_option = next(o for o in options if o["slug"] == chosen.mesh.slug)
    bad = [_line(reason.message) for reason in result.verdict.reasons]
    outcome.update(
        chosen=chosen.mesh.name,
        chosen_slug=chosen.mesh.slug,
        tied_with=[r.mesh.name for r in tied],
        because=str(because % words),
        consequences={"good": chosen_option["pros"], "bad": [*chosen_option["cons"], *bad]},
    )
    return outcome


def _links(found: dict[str, Any], permalink: str) -> list[str]:
    """Every URL the record cites, in the order cited, once; the permalink last."""
    urls: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("source", "url") and isinstance(item, str) and item:
                    urls.append(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(found)
    if permalink:
        urls.append(permalink)
    return list(dict.fromkeys(urls))


def _answers_of(stored: Questionnaire | Mapping[str, Any] | None) -> decision.Answers | None:
    if stored is None:
        return None
    if isinstance(stored, Questionnaire):
        return to_decision(stored.current_answers)
    return to_decision(upgrade(stored))


def record(
    stored: Questionnaire | Stored | None,
    evaluation: Evaluation,
    answer_lines: AnswerLines,
    permalink: str = "",
    data_version: str | None = None,
) -> dict[str, Any]:
    """The decision record of one evaluation, JSON-ready, in the active language.

    `stored` is the stored questionnaire (its date and id), or just its stored answers (dated
    today), or None (no decision drivers then). `answer_lines` are wizard.answer_steps().
    `data_version` defaults to the current data's fingerprint.
    """
    result = evaluation.result
    answers = _answers_of(stored)
    created = stored.created if isinstance(stored, Questionnaire) else None
    day: date = timezone.localdate(created) if created else timezone.localdate()
    families = result.families
    chosen = families[0].head if families else None
    tied = [f.head.mesh.name for f in families[1:] if chosen and f.head.rank == chosen.rank]
    options = [_option(ranked) for ranked in result.shortlist]
    verdict = result.verdict
    found: dict[str, Any] = {
        "title": _title(result, chosen, tied),
        "date": day.isoformat(),
        "status": STATUS,
        "id": str(stored.public_id) if isinstance(stored, Questionnaire) else None,
        "context": {
            "problem": _(
                "Should we run a service mesh for the traffic between our services, and if so, "
                "which one fits our requirements? The portal's questionnaire weighed every "
                "option in its catalogue against our answers."
            ),
            "verdict": verdict.code,
            "headline": verdict.headline,
            "summary": result.summary,
            "reasons": [
                {
                    "question": r.question,
                    "answer": r.answer,
                    "text": r.message,
                    "alternative": r.alternative,
                }
                for r in verdict.reasons
            ],
            "in_favour": list(verdict.in_favour),
            "notices": list(result.notices),
        },
        "drivers": _drivers(answers, evaluation.feature_names) if answers is not None else [],
        "options": options,
        "outcome": _outcome(result, options),
        "alternatives": [
            {"key": a.key, "title": a.title, "text": a.text, "url": a.url, "kind": a.kind}
            for a in result.alternatives
        ],
        "unverified": [
            {
                "slug": u.mesh.slug,
                "name": u.mesh.name,
                "check": list(u.feature_names),
                "score_if_confirmed": u.score,
            }
            for u in result.unverified
        ],
        "excluded": [
            {"slug": e.mesh.slug, "name": e.mesh.name, "reason": e.reason} for e in result.excluded
        ],
        "answers": [
            {
                "step": str(title),
                "lines": [{"question": str(q), "answer": str(a)} for q, a in lines],
            }
            for title, lines in answer_lines
        ],
        "next_steps": [str(step) for step in decision.NEXT_STEPS],
        "permalink": permalink or None,
    }
    found["links"] = _links(found, permalink)
    found["data_version"] = data_fingerprint() if data_version is None else data_version
    return found


# --- Markdown --------------------------------------------------------------------------------

_SPECIAL = re.compile(r"([\\`*_\[\]<>])")


def _text(value: object) -> str:
    """Plain text for Markdown: its marks escaped, on one line."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def _url(url: str) -> str:
    """A link destination: no character that would end it early."""
    return "".join(
        {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E"}.get(c, c) for c in url
    )


def link(label: str, url: str) -> str:
    """A Markdown link; the label is escaped, the address kept whole."""
    return f"[{_text(label)}]({_url(url)})"


def _cited(line: Mapping[str, Any]) -> str:
    text = _text(line["text"])
    notes = []
    if line.get("points"):
        notes.append(f"{line['points']:+d}")
    if line.get("source"):
        notes.append(link(_("source"), line["source"]))
    return f"{text} ({', '.join(notes)})" if notes else text


def _option_heading(option: Mapping[str, Any]) -> str:
    parts = [_("Rank %(rank)s") % {"rank": option["rank"]}]
    if option["tied"]:
        parts[0] += f" ({_('tied')})"
    parts.append(
        ngettext("%(counter)s point", "%(counter)s points", option["score"])
        % {"counter": option["score"]}
    )
    if option["family_name"] != option["name"]:
        parts.append(_("a distribution of %(family)s") % {"family": option["family_name"]})
    return ", ".join(_text(p) for p in parts)


def markdown(found: Mapping[str, Any]) -> str:
    """The record as Markdown in the MADR layout, in the active language."""
    outcome = found["outcome"]
    context = {
        "record": found,
        "title": _text(found["title"]),
        "problem": _text(found["context"]["problem"]),
        "headline": _text(found["context"]["headline"]),
        "summary": _text(found["context"]["summary"]),
        "reasons": [
            {
                "question": _text(r["question"]),
                "answer": _text(r["answer"]),
                "text": _text(r["text"]),
                "alternative": _text(r["alternative"]),
            }
            for r in found["context"]["reasons"]
        ],
        "in_favour": [_text(line) for line in found["context"]["in_favour"]],
        "notices": [_text(line) for line in found["context"]["notices"]],
        "drivers": [_text(d["text"]) for d in found["drivers"]],
        "options": [
            {
                "name": _text(o["name"]),
                "heading": _option_heading(o),
                "pros": [_cited(line) for line in o["pros"]],
                "cons": [_cited(line) for line in o["cons"]],
            }
            for o in found["options"]
        ],
        "unverified": [
            {
                "name": _text(u["name"]),
                "check": _text(_and(u["check"])),
                "score": u["score_if_confirmed"],
            }
            for u in found["unverified"]
        ],
        "excluded": [
            {"name": _text(e["name"]), "reason": _text(e["reason"])} for e in found["excluded"]
        ],
        "alternatives": [
            {
                "link": link(a["title"], a["url"]) if a["url"] else _text(a["title"]),
                "text": _text(a["text"]),
            }
            for a in found["alternatives"]
        ],
        "chosen": _text(outcome["chosen"]) if outcome["chosen"] else "",
        "because": _text(outcome["because"]),
        "good": [_cited(line) for line in outcome["consequences"]["good"]],
        "bad": [_cited(line) for line in outcome["consequences"]["bad"]],
        "answers": [
            {
                "step": _text(step["step"]),
                "lines": [(_text(li["question"]), _text(li["answer"])) for li in step["lines"]],
            }
            for step in found["answers"]
        ],
        "next_steps": [_text(step) for step in found["next_steps"]],
        "permalink": link(found["permalink"], found["permalink"]) if found["permalink"] else "",
        "sources": [link(url, url) for url in found["links"] if url != found["permalink"]],
    }
    text = str(render_to_string(TEMPLATE, context))
    # The template's tags leave blank lines; Markdown needs at most one between blocks.
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def filename(found: Mapping[str, Any]) -> str:
    """The download's file name, e.g. service-mesh-decision-2026-12-07.md."""
    return f"service-mesh-decision-{found['date']}.md"


def madr_for(
    stored: Questionnaire | Stored | None,
    evaluation: Evaluation,
    answer_lines: AnswerLines,
    permalink: str = "",
    data_version: str | None = None,
) -> str:
    """The decision record as Markdown in one call (what POST /api/recommend returns as "madr")."""
    return markdown(record(stored, evaluation, answer_lines, permalink, data_version))
