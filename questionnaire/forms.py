"""The questionnaire's four step forms (the wizard in wizard.py strings them together)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from comparison.choices import (
    Communication,
    Experience,
    Hosting,
    Language,
    Maturity,
    Orchestrator,
    SupportWish,
)
from comparison.models import Feature

from . import decision
from .answers import IGNORE, MUST, NICE
from .problems import PROBLEMS, Earlier, Problem, applies

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
# The question offers the places teams run services; serverless functions stay mesh data only.
OUTSIDE_KUBERNETES_CHOICES = ("vms_on_prem", "cloud_vms", "ecs", "nomad")
IMPORTANCE = [(MUST, _("Must-have")), (NICE, _("Nice-to-have")), (IGNORE, _("Don't care"))]


def yes_no(label: StrOrPromise, help_text: StrOrPromise = "") -> forms.TypedChoiceField:
    """A yes/no question answered as a boolean (the answers' vocabulary)."""
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text=help_text,
    )


def radio(
    label: StrOrPromise, choices: list[tuple[str, Any]], help_text: StrOrPromise = ""
) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=choices, widget=forms.RadioSelect, help_text=help_text
    )


class GateForm(forms.Form):
    title = _("Is a service mesh sensible at all?")
    services = radio(
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
    communication = radio(
        _("Is communication mostly synchronous (request/response)?"),
        [
            (Communication.SYNC.value, _("Yes, mostly HTTP or gRPC calls")),
            (Communication.ASYNC.value, _("No, mostly asynchronous messaging")),
        ],
    )
    kubernetes = yes_no(_("Do you use Kubernetes?"))
    change_frequency = radio(
        _("How dynamically do services change (new versions, scaling)?"),
        [("rarely", _("Rarely")), ("often", _("Often"))],
    )
    needs = forms.MultipleChoiceField(
        label=_("Which of these do you need?"),
        choices=list(decision.GATE_FEATURE_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("These are the strongest reasons for a mesh; they become must-haves."),
    )


class EnvironmentForm(forms.Form):
    title = _("Your environment")
    outside_kubernetes = forms.MultipleChoiceField(
        label=_("Where do workloads run outside Kubernetes?"),
        choices=[(o.value, o.label) for o in Orchestrator if o.value in OUTSIDE_KUBERNETES_CHOICES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Tick none if everything runs in Kubernetes."),
    )
    cloud = radio(_("Where do you run?"), Hosting.choices)
    openshift = yes_no(
        _("Do your clusters run Red Hat OpenShift?"),
        help_text=_(
            "OpenShift Container Platform, ROSA on AWS, ARO on Azure or OpenShift Dedicated."
        ),
    )
    experience = forms.MultipleChoiceField(
        label=_("What does your team already know well?"),
        choices=Experience.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Tick none if the team knows none of these."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Which languages are your services mainly written in?"),
        choices=Language.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("For the libraries that can do part of a mesh's job in your stack."),
    )
    standards = radio(
        _("Do you want independence through a standard interface?"),
        [
            ("none", _("No preference")),
            ("smi", _("Yes: SMI (Service Mesh Interface; archived in 2023)")),
            ("gateway_api", _("Yes: Kubernetes Gateway API (GAMMA)")),
        ],
        help_text=_(
            "SMI was archived by the CNCF in October 2023 in favour of the Gateway API's mesh "
            "support (GAMMA): choose SMI only if you must keep existing SMI resources."
        ),
    )


@dataclass(frozen=True)
class FeatureRow:
    """One feature's question: its must/nice/don't-care field, its rubric and its page."""

    feature: Feature
    field: forms.BoundField

    @property
    def marked(self) -> bool:
        return (self.field.value() or IGNORE) != IGNORE


@dataclass(frozen=True)
class ProblemGroup:
    """One of the team's problems with the features behind it that can apply to the team."""

    problem: Problem
    rows: list[FeatureRow]

    @property
    def marked(self) -> int:
        return sum(row.marked for row in self.rows)


class FeaturesForm(forms.Form):
    """Step 3 as an interview: the team's problems, each revealing the few features behind it;
    every other feature that can apply stays folded away for experts. A feature that is not shown
    posts nothing and counts as "don't care"."""

    title = _("The problems you must solve")
    partial_ok = forms.BooleanField(
        label=_("Let “partial” support count for a must-have"),
        required=False,
        help_text=_("It still costs points and is named as a risk."),
    )
    experimental_ok = forms.BooleanField(
        label=_("Let alpha or experimental support count for a must-have"),
        required=False,
        help_text=_("Beta and preview support always count, at a cost; alpha only with this."),
    )

    def __init__(
        self,
        *args: Any,
        features: list[Feature] | None = None,
        earlier: Earlier | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if features is None:
            features = list(Feature.objects.in_display_order())
        self.features = features
        self.earlier: Earlier = earlier or {}
        for feature in features:
            self.fields[f"f_{feature.slug}"] = forms.ChoiceField(
                label=feature.display_name,
                choices=IMPORTANCE,
                initial=IGNORE,
                required=False,
                widget=forms.RadioSelect,
                help_text=feature.display_description,
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for feature in self.features:
            key = f"f_{feature.slug}"
            if key in cleaned and not cleaned[key]:
                cleaned[key] = IGNORE
        return cleaned

    def _row(self, feature: Feature) -> FeatureRow:
        return FeatureRow(feature, self[f"f_{feature.slug}"])

    def _shown(self, row: FeatureRow) -> bool:
        # What cannot apply is not asked, but an importance already given is never hidden.
        return row.marked or applies(row.feature.slug, self.earlier)

    def problems(self) -> list[ProblemGroup]:
        """The problems worth asking this team, each with its features that can apply."""
        by_slug = {f.slug: f for f in self.features}
        groups = []
        for problem in PROBLEMS:
            rows = [self._row(by_slug[s]) for s in problem.slugs if s in by_slug]
            rows = [row for row in rows if self._shown(row)]
            if rows:
                groups.append(ProblemGroup(problem, rows))
        return groups

    def others(self) -> list[tuple[str, list[FeatureRow]]]:
        """Every feature no problem asks, that can apply, by category (for experts)."""
        asked = {row.feature.slug for group in self.problems() for row in group.rows}
        groups: list[tuple[str, list[FeatureRow]]] = []
        for feature in self.features:
            row = self._row(feature)
            if feature.slug in asked or not self._shown(row):
                continue
            if not groups or groups[-1][0] != feature.category.display_name:
                groups.append((feature.category.display_name, []))
            groups[-1][1].append(row)
        return groups

    def others_count(self) -> int:
        return sum(len(rows) for _category, rows in self.others())

    def others_marked(self) -> int:
        return sum(row.marked for _category, rows in self.others() for row in rows)

    def grouped(self) -> list[tuple[str, list[forms.BoundField]]]:
        groups: list[tuple[str, list[forms.BoundField]]] = []
        for feature in self.features:
            if not groups or groups[-1][0] != feature.category.display_name:
                groups.append((feature.category.display_name, []))
            groups[-1][1].append(self[f"f_{feature.slug}"])
        return groups

    def allowances(self) -> list[forms.BoundField]:
        return [self["partial_ok"], self["experimental_ok"]]

    def so_far(self) -> dict[str, Any]:
        """The must-haves and allowances as now entered (valid or not), for the live count."""
        must = sorted(f.slug for f in self.features if self[f"f_{f.slug}"].value() == MUST)
        return {
            "must": must,
            "partial_ok": bool(self["partial_ok"].value()),
            "experimental_ok": bool(self["experimental_ok"].value()),
        }

    def importance(self) -> dict[str, str]:
        return {f.slug: self.cleaned_data[f"f_{f.slug}"] or IGNORE for f in self.features}

    def for_storage(self) -> dict[str, Any]:
        importance = self.importance()
        return {
            "must": sorted(slug for slug, level in importance.items() if level == MUST),
            "nice": sorted(slug for slug, level in importance.items() if level == NICE),
            "partial_ok": self.cleaned_data["partial_ok"],
            "experimental_ok": self.cleaned_data["experimental_ok"],
        }

    @staticmethod
    def initial_from(stored: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {f"f_{slug}": NICE for slug in stored.get("nice", [])}
        initial.update({f"f_{slug}": MUST for slug in stored.get("must", [])})
        initial["partial_ok"] = stored.get("partial_ok", False)
        initial["experimental_ok"] = stored.get("experimental_ok", False)
        return initial


class FitForm(forms.Form):
    title = _("Does it fit you?")
    min_maturity = radio(
        _("Minimum production readiness"),
        [
            (Maturity.LEADING, _("Leading group only")),
            (Maturity.FOLLOWERS, _("Followers are fine")),
            (Maturity.VERY_NEW, _("Very new projects are fine")),
        ],
    )
    complexity_tolerance = radio(
        _("How much configuration complexity will you accept?"),
        [
            ("low", _("Low: short, simple configuration")),
            ("medium", _("Medium")),
            ("high", _("High: power over simplicity")),
        ],
        help_text=_(
            "Measured by the lines each mesh needs, in addition to two Deployments and their "
            "Services, to send 90% of requests to v1 and 10% to v2. Low accepts the simplest "
            "third of the meshes, medium all but the most verbose third."
        ),
    )
    latency_sensitive = yes_no(_("Is added latency (a few ms per hop) critical for you?"))
    pods = forms.IntegerField(
        label=_("About how many pods would the mesh serve?"),
        required=False,
        min_value=1,
        max_value=decision.MAX_PODS,
        help_text=_(
            "Sizes the memory of a proxy in every pod from published figures; leave empty if "
            "you don't know."
        ),
    )
    open_source_only = yes_no(
        _("Open source only?"),
        help_text=_("Yes excludes licences that are not OSI-approved, such as BUSL."),
    )
    cncf_graduated_only = yes_no(_("CNCF graduated projects only?"))
    support = radio(_("Commercial support"), SupportWish.choices)
