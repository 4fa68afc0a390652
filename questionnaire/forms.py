"""The questionnaire's four step forms (the wizard in wizard.py strings them together)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from comparison.choices import Experience, Hosting, Maturity, Orchestrator, SupportWish
from comparison.models import Feature

from . import decision
from .answers import IGNORE, MUST, NICE

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
# The question offers the places teams run services; serverless functions stay mesh data only.
OUTSIDE_KUBERNETES_CHOICES = ("vms_on_prem", "cloud_vms", "ecs", "nomad")
IMPORTANCE = [(MUST, _("Must-have")), (NICE, _("Nice-to-have")), (IGNORE, _("Don't care"))]


def radio(
    label: StrOrPromise, choices: list[tuple[str, Any]], help_text: StrOrPromise = ""
) -> forms.ChoiceField:
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
    outside_kubernetes = forms.MultipleChoiceField(
        label=_("Where do workloads run outside Kubernetes?"),
        choices=[(o.value, o.label) for o in Orchestrator if o.value in OUTSIDE_KUBERNETES_CHOICES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Tick none if everything runs in Kubernetes."),
    )
    cloud = radio(_("Where do you run?"), Hosting.choices)
    openshift = radio(
        _("Do your clusters run Red Hat OpenShift?"),
        YES_NO,
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


class FeaturesForm(forms.Form):
    title = _("The features you need")
    allow_partial = forms.BooleanField(
        label=_("Let “partial” support count for a must-have"), required=False
    )

    def __init__(self, *args: Any, features: list[Feature] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if features is None:
            features = list(Feature.objects.in_display_order())
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

    def for_storage(self) -> dict[str, Any]:
        return {
            "importance": self.importance(),
            "allow_partial": self.cleaned_data["allow_partial"],
        }

    @staticmethod
    def initial_from(stored: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {
            f"f_{slug}": level for slug, level in stored.get("importance", {}).items()
        }
        initial["allow_partial"] = stored.get("allow_partial", False)
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
    latency_sensitive = radio(_("Is added latency (a few ms per hop) critical for you?"), YES_NO)
    open_source_only = radio(
        _("Open source only?"),
        YES_NO,
        help_text=_("Yes excludes licences that are not OSI-approved, such as BUSL."),
    )
    cncf_graduated_only = radio(_("CNCF graduated projects only?"), YES_NO)
    support = radio(_("Commercial support"), SupportWish.choices)
