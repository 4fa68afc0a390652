"""The editors' admin: a mesh's page holds every one of its support cells, editable in place.

Every change is recorded (django-simple-history: who, when, old -> new, revertible), two editors
cannot silently overwrite each other (a version number checked in the saving transaction), and
stale data is one filter away.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from . import facts
from .choices import Cloud, Orchestrator
from .lint import lint
from .models import (
    INHERITED_VALUES,
    Category,
    ConformanceMapping,
    ConformanceReport,
    Feature,
    Mesh,
    MeshAlias,
    OverheadFigure,
    ReleaseCycle,
    ReleaseWatch,
    SourceCheck,
    Suggestion,
    Support,
)

# The GAMMA facts import_conformance derives from a mesh's newest report.
GAMMA_FIELDS = [
    "gamma_level",
    "gamma_profiles",
    "gamma_gateway_api_version",
    "gamma_mesh_version",
    "gamma_extended",
    "gamma_source",
]

# Editors paste full addresses; a bare host should become https, not http.
HTTPS_URLS: Mapping[type[models.Field], Mapping[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}


class FreshnessFilter(admin.SimpleListFilter):
    title = "verification"
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [
            ("stale", "Stale (older than the configured age, or before a new release)"),
            ("fresh", "Recently verified"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "stale":
            return queryset.stale()
        if self.value() == "fresh":
            return queryset.fresh()
        return queryset


class SourceFilter(admin.SimpleListFilter):
    title = "source"
    parameter_name = "source_check"

    def lookups(self, request, model_admin):
        return [("broken", "Source broken"), ("moved", "Source moved")]

    def queryset(self, request, queryset):
        if self.value() == "broken":
            return queryset.source_broken()
        if self.value() == "moved":
            return queryset.source_moved()
        return queryset


class InheritanceFilter(admin.SimpleListFilter):
    title = "distribution cells"
    parameter_name = "follows"

    def lookups(self, request, model_admin):
        return [("inherited", "As upstream (inherited)"), ("overridden", "Overridden")]

    def queryset(self, request, queryset):
        if self.value() == "inherited":
            return queryset.inherited()
        if self.value() == "overridden":
            return queryset.overridden()
        return queryset


class ReleaseFilter(admin.SimpleListFilter):
    title = "release watch"
    parameter_name = "release"

    def lookups(self, request, model_admin):
        return [("new", "New release since last verification")]

    def queryset(self, request, queryset):
        if self.value() == "new":
            return queryset.with_new_release()
        return queryset


def still_true_button(url: str, label: str = "Still true") -> str:
    # Submits the surrounding admin form (which carries the CSRF token) to the verify view.
    return format_html(
        '<button type="submit" class="button still-true" formaction="{}" formmethod="post" '
        'formnovalidate title="Verified today without changes">{}</button>',
        url,
        label,
    )


# What a cell claims (what an inherited cell takes from its upstream, and whether it does):
# changing any of it is checking it against the source, today.
EVIDENCE_FIELDS = frozenset({*INHERITED_VALUES, "inherited"} - {"last_verified"})


def record_check(form: forms.ModelForm, cell: Support) -> None:
    """An editor who changed a cell's claim just read its source: the cell is verified today
    (an inherited cell takes its upstream's date instead, in Support.save)."""
    if EVIDENCE_FIELDS & set(form.changed_data):
        cell.last_verified = timezone.localdate()


class SupportInlineFormSet(forms.BaseInlineFormSet):
    def save_existing(self, form, obj, commit=True):
        record_check(form, obj)
        return super().save_existing(form, obj, commit)


class SupportInline(admin.TabularInline):
    model = Support
    formset = SupportInlineFormSet
    # A plain input per cell: 48 "Currently: … Change: …" blocks would bury the levels.
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https", "widget": forms.URLInput(attrs={"size": 38})},
        models.CharField: {"widget": forms.TextInput(attrs={"size": 44})},
    }
    fields = [
        "feature_with_category",
        "inherited",
        "level",
        "stage",
        "since_version",
        "removed_in",
        "stage_source",
        "note",
        "source",
        "last_verified",
        "still_true",
    ]
    readonly_fields = ["feature_with_category", "last_verified", "still_true"]
    extra = 0
    can_delete = False
    # Cells are created for every mesh x feature automatically; editors change them, never add.
    max_num = 0
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Support]:
        return (
            super()
            .get_queryset(request)
            .select_related("feature__category")
            .order_by("feature__category__position", "feature__position", "feature__name")
        )

    def get_fields(self, request, obj=None):
        # Only a distribution's cells can follow an upstream.
        fields = super().get_fields(request, obj)
        if obj is None or obj.upstream_id is None:
            return [name for name in fields if name != "inherited"]
        return fields

    @admin.display(description="Feature")
    def feature_with_category(self, obj: Support) -> str:
        if obj.mesh.upstream_id is not None:
            follows = "as upstream" if obj.inherited else "OVERRIDE"
            return f"{obj.feature.category.name} › {obj.feature.name} [{follows}]"
        return f"{obj.feature.category.name} › {obj.feature.name}"

    @admin.display(description="Verify")
    def still_true(self, obj: Support) -> str:
        if not obj.pk:
            return ""
        return still_true_button(reverse("admin:comparison_support_verify", args=[obj.pk]))


def changes_since(mesh: Mesh, version: int) -> list[str]:
    """What other editors changed on this mesh after `version`, as sentences."""
    lines = []
    newer = list(mesh.history.filter(version__gt=version).order_by("history_date"))
    for record in newer:
        who = record.history_user or "someone"
        when = timezone.localtime(record.history_date).strftime("%Y-%m-%d %H:%M")
        previous = record.prev_record
        if previous is not None:
            for change in record.diff_against(previous, excluded_fields=["version"]).changes:
                lines.append(f"{who} at {when}: {change.field} “{change.old}” → “{change.new}”")
    if newer:
        cells = Support.history.filter(
            mesh_id=mesh.pk, history_date__gte=newer[0].history_date
        ).select_related("feature")
        for record in cells.order_by("history_date"):
            previous = record.prev_record
            if previous is not None and previous.level != record.level:
                lines.append(
                    f"{record.history_user or 'someone'}: {record.feature.name} "
                    f"{previous.level} → {record.level}"
                )
    return lines


# Mesh texts the pages show in German where an editor wrote it: the German field goes beside its
# English one on the same line of the admin form.
GERMAN_BESIDE = {"licence": "licence_de"}


def with_german(fields: list[str]) -> list[str | tuple[str, str]]:
    """A fieldset's fields with each German text paired with its English one."""
    return [(name, GERMAN_BESIDE[name]) if name in GERMAN_BESIDE else name for name in fields]


def https_formfield(field: models.Field, **kwargs) -> forms.Field | None:
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


def stored_mesh_version(mesh_id: int | None) -> int | None:
    """The mesh's edit version as stored now (a reverted form's instance carries an old one)."""
    if mesh_id is None:
        return None
    return Mesh.objects.filter(pk=mesh_id).values_list("version", flat=True).first()


def check_mesh_version(mesh: Mesh, started_from: int | None) -> None:
    """Refuse a save unless the mesh is still at the version the editor's form was opened at.

    Every write of a mesh or of one of its cells bumps the version (Support.save), so this guards
    the mesh form and the cell form alike. Locks the row until the saving transaction ends
    (PostgreSQL), so of two simultaneous saves the second waits and then sees the first's version.
    """
    current = (
        Mesh.objects.select_for_update().filter(pk=mesh.pk).values_list("version", flat=True).get()
    )
    if started_from != current:
        changes = changes_since(mesh, started_from or 0)
        raise forms.ValidationError(
            "Another editor saved this mesh after you opened it; your changes were not "
            "saved. Reload the page to see theirs, then make yours again. Changed "
            "meanwhile: " + ("; ".join(changes) or "the mesh's data") + "."
        )


def row_state(model: type[models.Model], pk: object) -> str:
    """A digest of a row as stored now: what an editor's form was opened on."""
    values = model._default_manager.filter(pk=pk).values().first()
    if values is None:
        return ""
    encoded = json.dumps(values, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()[:32]


class StaleFormGuard(forms.ModelForm):
    """Refuse to save a form opened on a row that another editor has saved since (for the models
    without an edit version of their own; meshes and cells use check_mesh_version)."""

    loaded_state = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # From the database, not the instance: a revert's form carries an old instance.
            self.fields["loaded_state"].initial = row_state(type(self.instance), self.instance.pk)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            model = type(self.instance)
            # Lock the row until the saving transaction ends (PostgreSQL): of two simultaneous
            # saves, the second waits, then sees the first's change.
            model._default_manager.select_for_update().filter(pk=self.instance.pk).exists()
            if (cleaned or {}).get("loaded_state") != row_state(model, self.instance.pk):
                raise forms.ValidationError(
                    f"Another editor saved this {model._meta.verbose_name} after you opened it; "
                    "your changes were not saved. Reload the page to see theirs (its history "
                    "shows what changed), then make yours again."
                )
        return cleaned


class LinksField(forms.Field):
    """Successor links edited as lines "name | https://…", stored as a list of {name, url}."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(f"{link['name']} | {link['url']}" for link in value)
        return value

    def to_python(self, value) -> list[dict[str, str]]:
        links = []
        for number, line in enumerate(str(value or "").splitlines(), 1):
            if not line.strip():
                continue
            name, bar, url = line.partition("|")
            if not bar or not name.strip() or not url.strip().startswith(("https://", "http://")):
                raise ValidationError(f"Line {number}: write it as name | https://…")
            links.append({"name": name.strip(), "url": url.strip()})
        return links

    def has_changed(self, initial, data) -> bool:
        return (initial or []) != self.to_python(data)


class MeshAdminForm(forms.ModelForm):
    # Not named "version": the model field is not editable, this is the version the editor saw.
    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The list-valued facts as checkboxes (stored as JSON lists).
    clouds = forms.TypedMultipleChoiceField(
        label="Offered managed by clouds",
        choices=Cloud.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    orchestrators = forms.TypedMultipleChoiceField(
        label="Orchestrators outside Kubernetes",
        choices=Orchestrator.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    successor_links = LinksField(
        required=False,
        help_text="The documentation of what users moved to, one per line: name | https://…",
    )

    class Meta:
        model = Mesh
        fields = "__all__"  # noqa: DJ007 (the admin narrows it to its fieldsets)
        formfield_callback = https_formfield

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["edit_version"].initial = stored_mesh_version(self.instance.pk)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            check_mesh_version(self.instance, (cleaned or {}).get("edit_version"))
        return cleaned


class SupportAdminForm(forms.ModelForm):
    """A single cell, guarded by its mesh's edit version like the mesh form that also holds it."""

    mesh_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Support
        fields = "__all__"  # noqa: DJ007 (the admin narrows it to its fields)
        formfield_callback = https_formfield
        # A note of up to 300 characters is read and written as a paragraph, not a line.
        widgets = {"note": forms.Textarea(attrs={"rows": 3, "cols": 80, "maxlength": 300})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["mesh_version"].initial = stored_mesh_version(self.instance.mesh_id)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            check_mesh_version(self.instance.mesh, (cleaned or {}).get("mesh_version"))
        return cleaned


class HistoryAdmin(SimpleHistoryAdmin):
    """History and revert for the catalogue's models.

    A revert is saved through the model's admin form, in one transaction (the form's version check
    locks the mesh row); addresses with an id that cannot exist are 404, not a server error.
    """

    def _valid_id(self, object_id: str) -> None:
        try:
            self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError:
            raise Http404 from None

    def history_view(self, request, object_id, extra_context=None):
        self._valid_id(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._valid_id(object_id)
        if not version_id.isascii() or not version_id.isdecimal() or len(version_id) > 18:
            raise Http404
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)


@admin.action(description="Mark verified today (mesh and all its cells)")
def mark_meshes_verified(modeladmin, request, queryset):
    # Verifying the cells bumps the meshes' edit versions already (SupportQuerySet).
    Support.objects.filter(mesh__in=queryset).mark_verified()
    count = queryset.mark_verified()
    messages.success(request, f"Marked {count} mesh(es) and their cells as verified today.")


@admin.action(description="Checked, unchanged: mark verified today")
def mark_cells_verified(modeladmin, request, queryset):
    # An inherited cell is checked in its upstream's cell (SupportQuerySet.mark_verified).
    count = queryset.mark_verified()
    messages.success(request, f"Marked {count} cell(s) as verified today.")


class OverheadFigureInline(admin.StackedInline):
    model = OverheadFigure
    extra = 0
    formfield_overrides = HTTPS_URLS
    fields = [
        ("slug", "kind"),
        ("publisher", "published"),
        "title",
        "source",
        ("mesh_version", "component", "resource_scope"),
        ("data_plane_mode", "requests_per_second", "payload"),
        "hardware",
        "load",
        ("setup", "setup_de"),
        ("latency_p50_ms", "latency_p90_ms", "latency_p99_ms"),
        ("latency_note", "latency_note_de"),
        ("cpu_millicores", "memory_mib"),
        "quote",
        "last_verified",
    ]


class ReleaseCycleInline(admin.TabularInline):
    """Release lines and their end of support: imported ones (import_lifecycles) say the file
    they came from; a product without a lifecycle file gets them typed from its vendor's
    support-policy page."""

    model = ReleaseCycle
    extra = 0
    formfield_overrides = HTTPS_URLS
    fields = [
        "cycle",
        "release_date",
        "end_of_support",
        "end_of_support_note",
        "latest",
        "lts",
        "kubernetes_versions",
        "source",
        "source_file",
        "last_verified",
    ]
    readonly_fields = ["source_file"]


class ConformanceReportInline(admin.TabularInline):
    """The reports import_conformance kept for this mesh: read-only, they come from the files."""

    model = ConformanceReport
    extra = 0
    can_delete = False
    max_num = 0
    fields = ["mesh_version", "gateway_api_version", "gateway_api_channel", "date", "report"]
    readonly_fields = ["mesh_version", "gateway_api_version", "gateway_api_channel", "date"]
    readonly_fields += ["report"]

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="report")
    def report(self, obj: ConformanceReport) -> str:
        return format_html('<a href="{}" rel="noopener noreferrer">{}</a>', obj.source_url,
                           obj.source_path)  # fmt: skip


class MeshAliasInline(admin.TabularInline):
    model = MeshAlias
    extra = 0
    fields = ["slug", "note"]
    verbose_name = "former slug"
    verbose_name_plural = "former slugs (old links redirect here)"


@admin.register(Mesh)
class MeshAdmin(HistoryAdmin):
    form = MeshAdminForm
    formfield_overrides = HTTPS_URLS
    list_display = [
        "name",
        "current_version",
        "status",
        "maturity",
        "data_plane",
        "platforms",
        "open_source",
        "last_verified",
        "new_release",
    ]
    list_filter = [
        FreshnessFilter,
        ReleaseFilter,
        "status",
        "maturity",
        "data_plane",
        "platforms",
        "open_source",
        "cncf_status",
        "runs_without_kubernetes",
        "kubernetes_vm_workloads",
        "proxy_family",
    ]
    search_fields = ["name", "slug", "developer", "proxy", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [
        SupportInline,
        ReleaseCycleInline,
        ConformanceReportInline,
        OverheadFigureInline,
        MeshAliasInline,
    ]
    actions = [mark_meshes_verified]
    fieldsets = [
        # English and German texts side by side, one line each (pages show the German on /de/).
        (None, {"fields": ["name", "slug", "kind", ("summary", "summary_de"), "developer"]}),
        (
            "Distribution",
            {
                "description": "A distribution of an open-source project follows its upstream's "
                "cells; switch a cell's “as upstream” off only where this product's own "
                "first-hand page says it differs.",
                "fields": ["upstream", "upstream_version"],
            },
        ),
        (facts.LICENCE, {"fields": with_german(facts.fields_of(facts.LICENCE))}),
        ("Links", {"fields": ["website", "docs_url", "repository_url"]}),
        (
            "Version and freshness",
            {
                "fields": [
                    "current_version",
                    "current_version_source",
                    "current_version_date",
                    "release_feed_url",
                    "release_watch_summary",
                    "last_verified",
                    "fact_checks_summary",
                    "verify_mesh",
                    "edit_version",
                ]
            },
        ),
        (
            "Architecture and platforms",
            {
                "fields": [
                    "proxy",
                    "data_plane",
                    "platforms",
                    ("platform_notes", "platform_notes_de"),
                    *facts.fields_of(facts.ARCHITECTURE),
                ]
            },
        ),
        (facts.PLATFORM, {"fields": facts.fields_of(facts.PLATFORM)}),
        (
            "Maturity and status",
            {
                "fields": [
                    "maturity",
                    "status",
                    "status_date",
                    ("status_note", "status_note_de"),
                    "status_source",
                    ("successor", "successor_de"),
                    "successor_links",
                ]
            },
        ),
        (
            "Gateway API for mesh (GAMMA)",
            {
                "description": "Derived from the mesh's newest conformance report in "
                "kubernetes-sigs/gateway-api (manage.py import_conformance) when it has one, and "
                "then read-only here; otherwise from its own documentation.",
                "fields": ["conformance_implementation", *GAMMA_FIELDS],
            },
        ),
        (
            "Configuration complexity",
            {"fields": ["traffic_split_yaml", "traffic_split_source"]},
        ),
    ]

    readonly_fields = ["release_watch_summary", "fact_checks_summary", "verify_mesh"]

    def get_readonly_fields(self, request: HttpRequest, obj: Mesh | None = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk and obj.conformance_reports.exists():
            fields += [name for name in GAMMA_FIELDS if name not in fields]
        return fields

    def save_model(self, request, obj: Mesh, form, change: bool) -> None:
        if change:
            obj.version = form.cleaned_data["edit_version"] + 1
        # An editor who changed a fact's value, note or source just read its source: checked today.
        obj.record_fact_checks(form.changed_data)
        super().save_model(request, obj, form, change)

    @admin.display(description="Facts last checked")
    def fact_checks_summary(self, obj: Mesh) -> str:
        if not obj.pk or not obj.fact_checks:
            return "No fact has a check date yet."
        return "; ".join(
            f"{facts.BY_NAME[name].label}: {day}"
            for name, day in sorted(obj.fact_checks.items())
            if name in facts.BY_NAME
        )

    @admin.display(description="New release")
    def new_release(self, obj: Mesh) -> str:
        watch = obj.flagged_release
        return f"{watch.new_release} ({watch.new_release_date})" if watch else ""

    @admin.display(description="Release watch")
    def release_watch_summary(self, obj: Mesh) -> str:
        if not obj.pk:
            return ""
        try:
            watch = obj.release_watch
        except ReleaseWatch.DoesNotExist:
            return "Not checked yet (manage.py check_releases)."
        when = timezone.localtime(watch.checked_at).strftime("%Y-%m-%d %H:%M")
        if watch.error:
            return f"Checked {when}: the feed failed ({watch.error})."
        if watch.new_release:
            return format_html(
                "Checked {}: <strong>new release {} ({}) since last verification</strong> — "
                '<a href="{}" rel="noopener noreferrer">release notes</a>. Verify the cells, '
                "then enter the new current version.",
                when,
                watch.new_release,
                watch.new_release_date,
                watch.new_release_url,
            )
        return f"Checked {when}: up to date (latest {watch.latest_release or 'unknown'})."

    @admin.display(description="Verify")
    def verify_mesh(self, obj: Mesh) -> str:
        if not obj.pk:
            return ""
        return still_true_button(
            reverse("admin:comparison_mesh_verify", args=[obj.pk]),
            "All still true: mark the mesh and all its cells verified today",
        )

    def get_urls(self):
        verify = self.admin_site.admin_view(require_POST(self.verify_view))
        lint_view = self.admin_site.admin_view(self.lint_view)
        return [
            path("<int:pk>/verify/", verify, name="comparison_mesh_verify"),
            path("lint/", lint_view, name="comparison_mesh_lint"),
            *super().get_urls(),
        ]

    def lint_view(self, request: HttpRequest):
        """What manage.py lint_data finds, for editors: each problem with where to fix it."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Data rule problems",
            "problems": lint(),
        }
        return TemplateResponse(request, "admin/comparison/lint.html", context)

    def verify_view(self, request: HttpRequest, pk: int):
        mesh = get_object_or_404(Mesh, pk=pk)
        if not self.has_change_permission(request, mesh):
            raise PermissionDenied
        # Verifying the cells bumps the mesh's edit version already (SupportQuerySet).
        cells = Support.objects.filter(mesh=mesh).mark_verified()
        Mesh.objects.filter(pk=pk).mark_verified()
        messages.success(request, f"{mesh}: the mesh and its {cells} cells verified today.")
        return HttpResponseRedirect(reverse("admin:comparison_mesh_change", args=[pk]))


class FeatureInline(admin.TabularInline):
    model = Feature
    form = StaleFormGuard
    fields = [
        "position",
        "name",
        "name_de",
        "slug",
        "description",
        "description_de",
        "loaded_state",
    ]
    extra = 0


@admin.register(Category)
class CategoryAdmin(HistoryAdmin):
    form = StaleFormGuard
    formfield_overrides = HTTPS_URLS
    list_display = ["name", "name_de", "slug", "position", "archived_on"]
    list_editable = ["position"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [FeatureInline]
    fields = [
        ("name", "name_de"),
        "slug",
        ("description", "description_de"),
        "position",
        "archived_on",
        ("archived_note", "archived_note_de"),
        "archived_source",
        "loaded_state",
    ]


@admin.register(Feature)
class FeatureAdmin(HistoryAdmin):
    form = StaleFormGuard
    list_display = ["name", "name_de", "slug", "category", "position"]
    list_filter = ["category"]
    list_select_related = ["category"]
    search_fields = ["name", "name_de", "slug", "description", "description_de"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Support)
class SupportAdmin(HistoryAdmin):
    """All cells across meshes, e.g. every stale one, every 'unknown', every cell citing a page."""

    form = SupportAdminForm

    list_display = [
        "mesh",
        "feature",
        "level",
        "stage",
        "since_version",
        "inherited",
        "note",
        "source",
        "last_verified",
        "still_true",
    ]
    list_filter = [
        FreshnessFilter,
        SourceFilter,
        InheritanceFilter,
        "level",
        "stage",
        "feature__category",
        "mesh",
    ]
    list_select_related = ["mesh", "feature"]
    search_fields = ["mesh__name", "feature__name", "note", "source"]
    fields = [
        "mesh",
        "feature",
        "inherited",
        "level",
        "stage",
        "since_version",
        "removed_in",
        "stage_source",
        "note",
        "source",
        "last_verified",
        "mesh_version",
    ]
    readonly_fields = ["mesh", "feature", "last_verified"]
    formfield_overrides = HTTPS_URLS
    actions = [mark_cells_verified]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request, obj: Support, form, change: bool) -> None:
        record_check(form, obj)
        super().save_model(request, obj, form, change)

    @admin.display(description="Verify")
    def still_true(self, obj: Support) -> str:
        return still_true_button(reverse("admin:comparison_support_verify", args=[obj.pk]))

    def get_urls(self):
        verify = self.admin_site.admin_view(require_POST(self.verify_view))
        return [
            path("<int:pk>/verify/", verify, name="comparison_support_verify"),
            *super().get_urls(),
        ]

    def verify_view(self, request: HttpRequest, pk: int):
        cell = get_object_or_404(Support.objects.select_related("mesh", "feature"), pk=pk)
        if not self.has_change_permission(request, cell):
            raise PermissionDenied
        Support.objects.filter(pk=pk).mark_verified()
        messages.success(request, f"{cell.mesh} / {cell.feature}: still true, verified today.")
        # Back where the click came from (the cell list with its filters, or the mesh's page).
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = reverse("admin:comparison_support_changelist")
        return HttpResponseRedirect(back)


@admin.register(SourceCheck)
class SourceCheckAdmin(admin.ModelAdmin):
    """What check_sources found, per cited URL (read only: the command writes it)."""

    list_display = ["url", "status", "broken", "moved", "failures", "last_ok", "checked_at"]
    list_filter = ["broken", "moved", "status"]
    search_fields = ["url", "final_url", "error"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    """The review queue: each visitor's proposal beside the cell as it is now."""

    list_display = [
        "created",
        "cell",
        "seen_level",
        "level",
        "credit",
        "works_for_vendor",
        "changed_meanwhile_flag",
        "status",
    ]
    list_filter = ["status", "works_for_vendor", "level"]
    list_select_related = ["support__mesh", "support__feature"]
    search_fields = ["support__mesh__name", "support__feature__name", "note", "source", "name"]
    change_form_template = "admin/comparison/suggestion/review.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # Decided through accept and reject only; the form itself stays read-only.
        return False

    def may_decide(self, request: HttpRequest) -> bool:
        return request.user.has_perm("comparison.change_suggestion") and request.user.has_perm(
            "comparison.change_support"
        )

    @admin.display(description="Cell")
    def cell(self, obj: Suggestion) -> str:
        return f"{obj.support.mesh} / {obj.support.feature}"

    @admin.display(description="Changed meanwhile", boolean=True)
    def changed_meanwhile_flag(self, obj: Suggestion) -> bool | None:
        return obj.changed_meanwhile if obj.status == Suggestion.Status.PENDING else None

    def get_urls(self):
        decide = self.admin_site.admin_view(require_POST(self.decide_view))
        return [
            path("<int:pk>/decide/", decide, name="comparison_suggestion_decide"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The address is typed by anyone: an id that is not a number is simply not found.
        if not str(object_id).isdigit():
            raise Http404("No such suggestion.")
        suggestion = get_object_or_404(
            Suggestion.objects.select_related("support__mesh", "support__feature"), pk=object_id
        )
        if not self.has_view_permission(request, suggestion):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Suggestion #{suggestion.pk}: {self.cell(suggestion)}",
            "suggestion": suggestion,
            "cell": suggestion.support,
            "may_decide": self.may_decide(request)
            and suggestion.status == Suggestion.Status.PENDING,
            "decide_url": reverse("admin:comparison_suggestion_decide", args=[suggestion.pk]),
            "history_url": reverse(
                "admin:comparison_support_history", args=[suggestion.support_id]
            ),
        }
        return TemplateResponse(request, self.change_form_template, context)

    def decide_view(self, request: HttpRequest, pk: int):
        suggestion = get_object_or_404(Suggestion, pk=pk)
        if not self.may_decide(request):
            raise PermissionDenied
        back = reverse("admin:comparison_suggestion_change", args=[pk])
        try:
            if "accept" in request.POST:
                cell = suggestion.accept(request.user)
                messages.success(request, f"Accepted: {cell} (recorded in the cell's history).")
            elif "reject" in request.POST:
                suggestion.reject(request.user, request.POST.get("reason", ""))
                messages.success(request, "Rejected, with the reason stored.")
            else:
                messages.error(request, "Choose accept or reject.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(back)


@admin.register(ConformanceMapping)
class ConformanceMappingAdmin(admin.ModelAdmin):
    """Which conformance results bear on which feature: a passing one marks the cells tested."""

    form = StaleFormGuard
    list_display = ["profile", "conformance_feature", "feature", "note"]
    list_filter = ["profile"]
    list_select_related = ["feature"]
    search_fields = ["conformance_feature", "feature__name", "note"]


@admin.register(ConformanceReport)
class ConformanceReportAdmin(admin.ModelAdmin):
    """Imported reports (manage.py import_conformance); read-only."""

    list_display = ["mesh", "mesh_version", "gateway_api_version", "gateway_api_channel", "date"]
    list_filter = ["mesh", "gateway_api_version"]
    list_select_related = ["mesh"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
