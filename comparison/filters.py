"""The comparison table's filters: must-have features, facets, free text and chosen meshes.

Mesh filters narrow the columns; `q` and `diff` narrow the rows (see `features()` and the view).
"""

from __future__ import annotations

from functools import cached_property

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import SMI_FEATURE_PREFIX, Feature, Level, Mesh, Support

ALL_STATUSES = "all"
_TRUE, _FALSE = {"true", "1", "on", "yes"}, {"false", "0", "off", "no", ""}


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
            _("“%(value)s” is not a yes/no value: use true or false.") % {"value": value}
        )


class StrictBooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField


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
    partial = StrictBooleanFilter(label=_("Count “partial” as enough"), method="filter_nothing")
    platforms = django_filters.ChoiceFilter(
        label=_("Platform"), choices=Mesh.Platforms.choices, empty_label=_("Any platform")
    )
    data_plane = django_filters.ChoiceFilter(
        label=_("Data-plane model"), choices=Mesh.DataPlane.choices, empty_label=_("Any model")
    )
    smi = django_filters.ChoiceFilter(
        label=_("SMI support"),
        choices=[("full", _("All four SMI parts")), ("some", _("Some SMI")), ("none", _("No SMI"))],
        empty_label=_("Any"),
        method="filter_smi",
    )
    maturity = django_filters.ChoiceFilter(
        label=_("Maturity"), choices=Mesh.Maturity.choices, empty_label=_("Any maturity")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[*Mesh.Status.choices, (ALL_STATUSES, _("All, including discontinued"))],
        empty_label=_("Active only"),
        method="filter_status",
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
    diff = StrictBooleanFilter(label=_("Only rows that differ"), method="filter_nothing")

    class Meta:
        model = Mesh
        fields: list[str] = []

    @property
    def cleaned(self) -> dict:
        return self.form.cleaned_data if self.form.is_valid() else {}

    def filter_queryset(self, queryset: QuerySet[Mesh]) -> QuerySet[Mesh]:
        queryset = super().filter_queryset(queryset)
        data = getattr(self.form, "cleaned_data", {})
        # Discontinued products stay out of sight unless asked for, by status or by name.
        if not data.get("status") and not data.get("mesh"):
            queryset = queryset.active()
        return queryset.order_by("name")

    def filter_nothing(self, queryset, name, value):
        # `partial` and `diff` change how other filters and the rows behave, not the meshes.
        return queryset

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
        enough = (
            [Level.YES, Level.PARTIAL] if self.form.cleaned_data.get("partial") else [Level.YES]
        )
        lacking = Support.objects.filter(feature__in=value).exclude(level__in=enough)
        return queryset.exclude(pk__in=lacking.values("mesh_id"))

    def filter_search(self, queryset, name, value):
        # Free text narrows the columns when it names a mesh, the rows when it names a feature
        # (see features()), and leaves nothing when it names neither.
        by_name = queryset.filter(Q(name__icontains=value) | Q(slug__icontains=value))
        if by_name.exists():
            return by_name
        return queryset if self._matching_features(value).exists() else queryset.none()

    @staticmethod
    def _matching_features(text: str) -> QuerySet[Feature]:
        return Feature.objects.in_display_order().filter(
            Q(name__icontains=text)
            | Q(name_de__icontains=text)
            | Q(slug__icontains=text)
            | Q(category__name__icontains=text)
            | Q(category__name_de__icontains=text)
        )

    @cached_property
    def must_choices(self) -> list[tuple[str, list[tuple[str, str, bool]]]]:
        """The must-have checkboxes grouped by category: (category, [(slug, name, checked)])."""
        chosen = set(self.data.getlist("must")) if hasattr(self.data, "getlist") else set()
        groups: list[tuple[str, list[tuple[str, str, bool]]]] = []
        for feature in Feature.objects.in_display_order():
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

    FACETS = ("platforms", "data_plane", "smi", "maturity", "status", "offering")

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
        return any(value not in (None, "", [], False) for value in self.cleaned.values())

    def features(self) -> QuerySet[Feature]:
        """The rows to show: all features, or those the free text names (if it names any)."""
        text = self.cleaned.get("q")
        if text:
            matching = self._matching_features(text)
            if matching.exists():
                return matching
        return Feature.objects.in_display_order()
