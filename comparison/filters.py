"""The comparison table's query: the filters (a FilterSet) and the display options beside them.

Mesh filters narrow the columns; `q` narrows the rows (see `features()` and `facts()`). Display
options change how the filters and the table behave (`partial`, `diff`, `density`, `notes`,
`facts`), not which meshes there are.
"""

from __future__ import annotations

from functools import cached_property

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from core.caching import known_query

from .choices import (
    SMI_FEATURE_PREFIX,
    DataPlane,
    Level,
    Maturity,
    MeshKind,
    Platforms,
    Stage,
    Status,
)
from .matrix import FACTS, Fact, Matrix, build_matrix, matching_facts
from .models import Feature, Mesh, Support

ALL_STATUSES = "all"
ALL_KINDS = "all"
COMPACT, COMFORTABLE = "compact", "comfortable"
FACTS_SHOWN, FACTS_HIDDEN = "show", "hide"
_TRUE, _FALSE = {"true", "1", "on", "yes"}, {"false", "0", "off", "no", ""}


# What a parameter means when it is missing: the address the table pushes leaves these out.
# The facts rows start folded, so the first screen shows features; `facts=show` unfolds them.
DEFAULT_VALUES = {"density": COMPACT, "facts": FACTS_HIDDEN}
# The needs teams name first (the talk's headline reasons for a mesh): offered as chips above
# the table, in this order; every other feature is under "All features" in the filters.
HEADLINE_FEATURES = (
    "mtls-strict",
    "authz-policies",
    "traffic-split",
    "retries",
    "circuit-breaking",
    "golden-metrics",
    "tracing",
    "multi-cluster",
    "sidecarless",
)


def clean_query(query: QueryDict) -> str:
    """The query without unknown and empty parameters and defaults, in the order given: the
    address the browser shows and shares after a filter changed (the form sends every field)."""
    return known_query(query, TABLE_PARAMETERS, DEFAULT_VALUES).urlencode()


class StrictBooleanField(forms.Field):
    """A yes/no parameter that rejects what it cannot read (`partial=maybe`) instead of guessing."""

    widget = forms.TextInput  # parsing only: the template renders the checkbox itself

    def to_python(self, value) -> bool:
        text = str(value or "").strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValidationError(
            _("“%(value)s” is not a yes/no value: use true or false.") % {"value": value},
            code="not_boolean",  # the API's error code (core/jsonapi.py), as /api/recommend's
        )


class DisplayOptionsForm(forms.Form):
    """How the table is shown: these change no column by themselves."""

    partial = StrictBooleanField(label=_("Count “partial” as enough"), required=False)
    stable = StrictBooleanField(
        label=_("Only stable support counts (not beta, alpha or preview)"), required=False
    )
    diff = StrictBooleanField(label=_("Only rows that differ"), required=False)
    density = forms.ChoiceField(
        label=_("Density"),
        choices=[(COMPACT, _("Compact")), (COMFORTABLE, _("Comfortable"))],
        required=False,
    )
    notes = StrictBooleanField(label=_("Show notes"), required=False)
    facts = forms.ChoiceField(
        label=_("Facts rows"),
        choices=[(FACTS_SHOWN, _("Shown")), (FACTS_HIDDEN, _("Hidden"))],
        required=False,
    )


class MeshFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search meshes and features"), method="filter_search", max_length=100
    )
    must = django_filters.ModelMultipleChoiceFilter(
        label=_("Must-have features"),
        queryset=Feature.objects.in_display_order(),
        to_field_name="slug",
        method="filter_must",
        widget=forms.CheckboxSelectMultiple,
    )
    platforms = django_filters.ChoiceFilter(
        label=_("Platform"), choices=Platforms.choices, empty_label=_("Any platform")
    )
    data_plane = django_filters.ChoiceFilter(
        label=_("Data-plane model"), choices=DataPlane.choices, empty_label=_("Any model")
    )
    smi = django_filters.ChoiceFilter(
        label=_("SMI support"),
        choices=[("full", _("All four SMI parts")), ("some", _("Some SMI")), ("none", _("No SMI"))],
        empty_label=_("Any"),
        method="filter_smi",
    )
    maturity = django_filters.ChoiceFilter(
        label=_("Maturity"), choices=Maturity.choices, empty_label=_("Any maturity")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[*Status.choices, (ALL_STATUSES, _("All, including discontinued"))],
        empty_label=_("Active only"),
        method="filter_status",
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"),
        choices=[
            (ALL_KINDS, _("Meshes and platform networking")),
            (MeshKind.PLATFORM_NETWORKING, _("Platform networking only")),
        ],
        empty_label=_("Service meshes only"),
        method="filter_kind",
    )
    offering = django_filters.ChoiceFilter(
        label=_("Offering"),
        choices=[("open_source", _("Open source")), ("commercial", _("Managed / commercial"))],
        empty_label=_("Any"),
        method="filter_offering",
    )
    mesh = django_filters.ModelMultipleChoiceFilter(
        label=_("Show only these meshes"),
        queryset=Mesh.objects.all(),
        to_field_name="slug",
        field_name="slug",
        method="filter_meshes",
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Mesh
        fields: list[str] = []

    def __init__(
        self, *args, partial_ok: bool = False, stable_only: bool = False, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.partial_ok = partial_ok
        self.stable_only = stable_only

    @property
    def cleaned(self) -> dict:
        return self.form.cleaned_data if self.form.is_valid() else {}

    def filter_queryset(self, queryset: QuerySet[Mesh]) -> QuerySet[Mesh]:
        queryset = super().filter_queryset(queryset)
        data = getattr(self.form, "cleaned_data", {})
        # Discontinued products stay out of sight unless asked for, by status or by name.
        if not data.get("status") and not data.get("mesh"):
            queryset = queryset.active()  # type: ignore[attr-defined]
        # Platform networking services join the meshes when asked for, by kind or by name.
        if not data.get("kind") and not data.get("mesh"):
            queryset = queryset.service_meshes()  # type: ignore[attr-defined]
        return queryset.order_by("name")

    def filter_kind(self, queryset, name, value):
        return queryset if value == ALL_KINDS else queryset.filter(kind=value)

    def filter_status(self, queryset, name, value):
        return queryset if value == ALL_STATUSES else queryset.filter(status=value)

    def filter_offering(self, queryset, name, value):
        return queryset.filter(open_source=value == "open_source")

    def filter_smi(self, queryset, name, value):
        parts = Feature.objects.filter(slug__startswith=SMI_FEATURE_PREFIX).count()
        queryset = queryset.with_smi_counts()
        if value == "full":
            return queryset.filter(smi_yes=parts)
        if value == "some":
            return queryset.filter(smi_any__gt=0).exclude(smi_yes=parts)
        return queryset.filter(smi_any=0)

    def filter_meshes(self, queryset, name, value):
        # An empty choice arrives as an empty QuerySet, which django-filter does not skip.
        slugs = [mesh.slug for mesh in value]
        return queryset.filter(slug__in=slugs) if slugs else queryset

    def filter_must(self, queryset, name, value):
        if not value:
            return queryset
        enough = [Level.YES, Level.PARTIAL] if self.partial_ok else [Level.YES]
        lacking = Support.objects.filter(feature__in=value).exclude(level__in=enough)
        if self.stable_only:
            lacking = Support.objects.filter(
                Q(pk__in=lacking.values("pk"))
                | Q(feature__in=value, stage__in=[s for s in Stage.values if s != Stage.STABLE])
            )
        return queryset.exclude(pk__in=lacking.values("mesh_id"))

    def filter_search(self, queryset, name, value):
        # Free text narrows the columns when it names a mesh, the rows when it names a feature
        # (see features()), and leaves nothing when it names neither.
        by_name = queryset.filter(Q(name__icontains=value) | Q(slug__icontains=value))
        if by_name.exists():
            return by_name
        return queryset if self.names_rows else queryset.none()

    @property
    def names_rows(self) -> bool:
        """Whether the free text names feature or facts rows (then it narrows the rows)."""
        return bool(self.matching_features or self.matching_facts)

    @cached_property
    def matching_facts(self) -> list[Fact]:
        text = self.cleaned.get("q")
        return matching_facts(text) if text else []

    @cached_property
    def matching_features(self) -> list[Feature]:
        """The features the free text names (matched once per request; empty without text)."""
        text = self.cleaned.get("q")
        if not text:
            return []
        return list(
            Feature.objects.in_display_order().filter(
                Q(name__icontains=text)
                | Q(name_de__icontains=text)
                | Q(slug__icontains=text)
                | Q(category__name__icontains=text)
                | Q(category__name_de__icontains=text)
            )
        )

    @cached_property
    def _chosen_features(self) -> tuple[list[Feature], set[str]]:
        chosen = set(self.data.getlist("must")) if hasattr(self.data, "getlist") else set()
        return list(Feature.objects.in_display_order()), chosen

    @property
    def headline_choices(self) -> list[tuple[str, str, bool]]:
        """The headline must-haves (HEADLINE_FEATURES), as chips: [(slug, name, checked)]."""
        features, chosen = self._chosen_features
        by_slug = {feature.slug: feature for feature in features}
        return [
            (slug, by_slug[slug].display_name, slug in chosen)
            for slug in HEADLINE_FEATURES
            if slug in by_slug
        ]

    @property
    def must_choices(self) -> list[tuple[str, list[tuple[str, str, bool]]]]:
        """The other must-have checkboxes, grouped by category: (category, [(slug, name,
        checked)]). Each feature has one checkbox: the headline ones are the chips."""
        features, chosen = self._chosen_features
        groups: list[tuple[str, list[tuple[str, str, bool]]]] = []
        for feature in features:
            if feature.slug in HEADLINE_FEATURES:
                continue
            category = feature.category.display_name
            if not groups or groups[-1][0] != category:
                groups.append((category, []))
            groups[-1][1].append((feature.slug, feature.display_name, feature.slug in chosen))
        return groups

    @cached_property
    def mesh_choices(self) -> list[tuple[str, str, bool]]:
        chosen = set(self.data.getlist("mesh")) if hasattr(self.data, "getlist") else set()
        return [
            (slug, name, slug in chosen)
            for slug, name in Mesh.objects.order_by("name").values_list("slug", "name")
        ]

    FACETS = ("platforms", "data_plane", "smi", "maturity", "status", "kind", "offering")

    @property
    def facets(self) -> list:
        """The single-choice filters, as bound fields (the template renders the selects)."""
        return [self.form[name] for name in self.FACETS]

    @property
    def facet_count(self) -> int:
        return sum(1 for name in self.FACETS if self.cleaned.get(name))

    @property
    def must_count(self) -> int:
        return len(self.cleaned.get("must") or [])

    @property
    def is_filtered(self) -> bool:
        # Unticked multiple choices clean to an empty QuerySet: count them by length.
        return any(
            len(value) if isinstance(value, QuerySet | list) else value not in (None, "", False)
            for value in self.cleaned.values()
        )

    def features(self) -> list[Feature] | QuerySet[Feature]:
        """The rows to show: all features, or those the free text names (if it names rows)."""
        return self.matching_features if self.names_rows else Feature.objects.in_display_order()

    def facts(self) -> list[Fact]:
        """The facts rows to show: all, or those the free text names (if it names rows)."""
        return self.matching_facts if self.names_rows else FACTS


# Every parameter the table, its CSV and its JSON read: the rest of a query is ignored.
TABLE_PARAMETERS = frozenset(MeshFilter.base_filters) | frozenset(DisplayOptionsForm.base_fields)


class TableQuery:
    """One request's table: the filters, the display options, their errors, and the matrix."""

    def __init__(self, data: QueryDict) -> None:
        self.options = DisplayOptionsForm(data)
        options = self.options.cleaned_data if self.options.is_valid() else {}
        self.partial_ok: bool = options.get("partial", False)
        self.stable_only: bool = options.get("stable", False)
        self.diff: bool = options.get("diff", False)
        self.comfortable: bool = options.get("density") == COMFORTABLE
        self.show_notes: bool = options.get("notes", False)
        self.show_facts: bool = options.get("facts") == FACTS_SHOWN
        self.filter = MeshFilter(
            data,
            queryset=Mesh.objects.all(),
            partial_ok=self.partial_ok,
            stable_only=self.stable_only,
        )

    @cached_property
    def errors(self) -> ErrorDict:
        errors = ErrorDict(self.filter.errors)
        errors.update(self.options.errors)
        return errors

    @property
    def is_filtered(self) -> bool:
        return self.filter.is_filtered or self.partial_ok or self.stable_only or self.diff

    @property
    def view_option_count(self) -> int:
        return sum([self.comfortable, self.show_notes, self.show_facts])

    @property
    def active_count(self) -> int:
        """How many filters and options are set (the phone layout's "Filters (n active)")."""
        search = 1 if self.filter.cleaned.get("q") else 0
        meshes = 1 if self.filter.cleaned.get("mesh") else 0
        return (
            search
            + self.filter.must_count
            + self.filter.facet_count
            + meshes
            + self.partial_ok
            + self.stable_only
            + self.diff
            + self.view_option_count
        )

    def matrix(self, *, with_facts: bool = False) -> Matrix:
        """The table as asked for. The facts rows are folded on the page unless asked for or
        named by the search; the exports (`with_facts`) always carry them: they are data."""
        shown = with_facts or self.show_facts or self.filter.names_rows
        facts = self.filter.facts() if shown else []
        matrix = build_matrix(
            self.filter.qs,
            self.filter.features(),
            facts=facts,
            show_notes=self.show_notes,
            limit_notes_only=True,
        )
        return matrix.only_differences() if self.diff else matrix
