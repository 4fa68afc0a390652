"""The questionnaire's four step forms, and the glue between stored data and decision.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from . import decision
from .models import Feature, Mesh, Questionnaire, Support, data_fingerprint

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
MUST, NICE, IGNORE = "must", "nice", "ignore"
IMPORTANCE = [(MUST, _("Must-have")), (NICE, _("Nice-to-have")), (IGNORE, _("Don't care"))]


def radio(label: str, choices, help_text: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=choices, widget=forms.RadioSelect, help_text=help_text
    )


class GateForm(forms.Form):
    title = _("Is a service mesh sensible at all?")
    service_count = radio(
        _("How many services do you run?"),
        [("few", _("A few (about 10 or fewer)")), ("many", _("Many (more than about 10)"))],
    )
    tech_diversity = radio(
        _("How diverse are your technologies (languages, frameworks)?"),
        [
            ("low", _("Low: one or two stacks")),
            ("high", _("High: many languages and frameworks")),
        ],
    )
    mostly_synchronous = radio(
        _("Is communication mostly synchronous (request/response)?"),
        [
            ("yes", _("Yes, mostly HTTP or gRPC calls")),
            ("no", _("No, mostly asynchronous messaging")),
        ],
    )
    uses_kubernetes = radio(_("Do you use Kubernetes?"), YES_NO)
    change_frequency = radio(
        _("How dynamically do services change (new versions, scaling)?"),
        [("rarely", _("Rarely")), ("often", _("Often"))],
    )
    needed = forms.MultipleChoiceField(
        label=_("Which of these do you need?"),
        choices=list(decision.GATE_FEATURE_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("These are the strongest reasons for a mesh; they become must-haves."),
    )


class EnvironmentForm(forms.Form):
    title = _("Your environment")
    infrastructure = radio(
        _("Where do your workloads run?"),
        [
            ("kubernetes_only", _("Only on Kubernetes")),
            ("beyond_kubernetes", _("Also outside Kubernetes (VMs, ECS/Fargate, Nomad…)")),
        ],
    )
    cloud = radio(
        _("Preferred cloud provider"),
        [
            ("aws", "AWS"),
            ("gcp", "Google Cloud"),
            ("azure", "Azure"),
            ("other", _("On-premises/other")),
        ],
    )
    knowledge = forms.MultipleChoiceField(
        label=_("What does your team already know?"),
        choices=list(decision.KNOWLEDGE.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    standards = radio(
        _("Do you want independence through a standard interface?"),
        [
            ("none", _("No preference")),
            ("smi", _("Yes: SMI (Service Mesh Interface)")),
            ("gateway_api", _("Yes: Kubernetes Gateway API (GAMMA)")),
        ],
    )


class FeaturesForm(forms.Form):
    title = _("The features you need")
    allow_partial = forms.BooleanField(
        label=_("Let “partial” support count for a must-have"), required=False
    )

    def __init__(self, *args, features: list[Feature], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.features = features
        for feature in features:
            self.fields[f"f_{feature.slug}"] = forms.ChoiceField(
                label=feature.display_name,
                choices=IMPORTANCE,
                initial=IGNORE,
                widget=forms.RadioSelect,
                help_text=feature.display_description,
            )

    def grouped(self) -> list[tuple[str, list[forms.BoundField]]]:
        groups: list[tuple[str, list[forms.BoundField]]] = []
        for feature in self.features:
            if not groups or groups[-1][0] != feature.category.display_name:
                groups.append((feature.category.display_name, []))
            groups[-1][1].append(self[f"f_{feature.slug}"])
        return groups

    def importance(self) -> dict[str, str]:
        return {f.slug: self.cleaned_data[f"f_{f.slug}"] for f in self.features}


class FitForm(forms.Form):
    title = _("Does it fit you?")
    min_maturity = radio(
        _("Minimum production readiness"),
        [
            ("leading", _("Leading group only")),
            ("followers", _("Followers are fine")),
            ("very_new", _("Very new projects are fine")),
        ],
    )
    complexity_tolerance = radio(
        _("How much configuration complexity will you accept?"),
        [
            ("low", _("Low: short, simple configuration")),
            ("medium", _("Medium")),
            ("high", _("High: power over simplicity")),
        ],
        help_text=_("Measured by the lines of YAML each mesh needs for a 90/10 traffic split."),
    )
    latency_sensitive = radio(_("Is added latency (a few ms per hop) critical for you?"), YES_NO)


STEPS: list[type[forms.Form]] = [GateForm, EnvironmentForm, FeaturesForm, FitForm]
LAST_STEP = len(STEPS) - 1


def make_form(step: int, data=None, initial: Mapping[str, Any] | None = None) -> forms.Form:
    if STEPS[step] is FeaturesForm:
        return FeaturesForm(
            data, initial=initial, features=list(Feature.objects.in_display_order())
        )
    return STEPS[step](data, initial=initial)


def gate_preset(stored_gate: Mapping[str, Any]) -> dict[str, str]:
    """Step 2's initial values: the features named at the gate arrive as must-haves."""
    return {f"f_{slug}": MUST for slug in decision.gate_must_haves(stored_gate.get("needed", []))}


def answers_from(steps: Mapping[str, Mapping[str, Any]]) -> decision.Answers:
    """Build the decision input from the four steps' cleaned data (as stored in the session)."""
    gate, env, feats, fit = (steps[str(i)] for i in range(len(STEPS)))
    importance = feats["importance"]
    must = {slug for slug, level in importance.items() if level == MUST}
    return decision.Answers(
        service_count=gate["service_count"],
        tech_diversity=gate["tech_diversity"],
        mostly_synchronous=gate["mostly_synchronous"] == "yes",
        uses_kubernetes=gate["uses_kubernetes"] == "yes",
        change_frequency=gate["change_frequency"],
        needed=frozenset(gate["needed"]),
        infrastructure=env["infrastructure"],
        cloud=env["cloud"],
        knowledge=frozenset(env["knowledge"]),
        standards=env["standards"],
        must=frozenset(must),
        nice=frozenset(slug for slug, level in importance.items() if level == NICE),
        allow_partial=feats["allow_partial"],
        min_maturity=fit["min_maturity"],
        complexity_tolerance=fit["complexity_tolerance"],
        latency_sensitive=fit["latency_sensitive"] == "yes",
    )


def cleaned_for_storage(step: int, form: forms.Form) -> dict[str, Any]:
    if isinstance(form, FeaturesForm):
        return {
            "importance": form.importance(),
            "allow_partial": form.cleaned_data["allow_partial"],
        }
    return dict(form.cleaned_data)


def initial_from_storage(step: int, stored: Mapping[str, Any]) -> dict[str, Any]:
    if STEPS[step] is FeaturesForm:
        initial = {f"f_{slug}": level for slug, level in stored.get("importance", {}).items()}
        initial["allow_partial"] = stored.get("allow_partial", False)
        return initial
    return dict(stored)


@dataclass(frozen=True)
class Evaluation:
    result: decision.Result
    feature_names: dict[str, str]


def mesh_facts() -> list[decision.MeshFacts]:
    """Every mesh with its support levels, for the decision module (two queries)."""
    levels: dict[int, dict[str, str]] = {}
    for mesh_id, slug, level in Support.objects.values_list("mesh_id", "feature__slug", "level"):
        levels.setdefault(mesh_id, {})[slug] = level
    return [
        decision.MeshFacts(
            slug=mesh.slug,
            name=mesh.name,
            maturity=mesh.maturity,
            discontinued=mesh.is_discontinued,
            status_label=(
                f"{mesh.get_status_display()} {mesh.status_date:%Y-%m-%d}"
                if mesh.is_discontinued and mesh.status_date
                else ""
            ),
            runs_outside_kubernetes=mesh.platforms == Mesh.Platforms.BEYOND_KUBERNETES,
            data_plane=mesh.data_plane,
            proxy=mesh.proxy,
            developer=mesh.developer,
            clouds=mesh.cloud_set,
            config_lines=mesh.traffic_split_lines if mesh.traffic_split_yaml else None,
            support=levels.get(mesh.pk, {}),
        )
        for mesh in Mesh.objects.order_by("name")
    ]


def evaluate(answers: decision.Answers) -> Evaluation:
    names = {f.slug: f.display_name for f in Feature.objects.in_display_order()}
    return Evaluation(decision.decide(answers, mesh_facts(), names), names)


def store(steps: Mapping[str, Mapping[str, Any]]) -> Questionnaire:
    """Keep a completed questionnaire, with what the data said when it was answered."""
    answers = answers_from(steps)
    result = evaluate(answers).result
    return Questionnaire.objects.create(
        answers={"steps": dict(steps), "must": sorted(answers.must)},
        data_fingerprint=data_fingerprint(),
        verdict=result.verdict.code,
        shortlist=[ranked.mesh.slug for ranked in result.shortlist],
    )
