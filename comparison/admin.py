"""The editors' admin: a mesh's page holds every one of its support cells, editable in place.

Every change is recorded (django-simple-history: who, when, old -> new, revertible), two editors
cannot silently overwrite each other (a version number checked in the saving transaction), and
stale data is one filter away.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from .models import Category, Feature, Mesh, Support

# Editors paste full addresses; a bare host should become https, not http.
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


class FreshnessFilter(admin.SimpleListFilter):
    title = "verification"
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [("stale", "Stale (older than the configured age)"), ("fresh", "Recently verified")]

    def queryset(self, request, queryset):
        if self.value() == "stale":
            return queryset.stale()
        if self.value() == "fresh":
            return queryset.fresh()
        return queryset


class SupportInlineFormSet(forms.BaseInlineFormSet):
    def save_existing(self, form, obj, commit=True):
        # Changing a cell is verifying it: the editor just looked at the source.
        obj.last_verified = timezone.localdate()
        return super().save_existing(form, obj, commit)


class SupportInline(admin.TabularInline):
    model = Support
    formset = SupportInlineFormSet
    # A plain input per cell: 48 "Currently: … Change: …" blocks would bury the levels.
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https", "widget": forms.URLInput(attrs={"size": 38})},
        models.CharField: {"widget": forms.TextInput(attrs={"size": 44})},
    }
    fields = ["feature_with_category", "level", "note", "source", "last_verified"]
    readonly_fields = ["feature_with_category", "last_verified"]
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

    @admin.display(description="Feature")
    def feature_with_category(self, obj: Support) -> str:
        return f"{obj.feature.category.name} › {obj.feature.name}"


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


def https_formfield(field: models.Field, **kwargs) -> forms.Field | None:
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class MeshAdminForm(forms.ModelForm):
    # Not named "version": the model field is not editable, this is the version the editor saw.
    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Mesh
        fields = "__all__"  # noqa: DJ007 (the admin narrows it to its fieldsets)
        formfield_callback = https_formfield

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["edit_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            # Locks the row until this transaction ends (PostgreSQL), so of two simultaneous
            # saves the second waits and then sees the first one's new version.
            current = (
                Mesh.objects.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .get()
            )
            started_from = cleaned.get("edit_version")
            if started_from != current:
                changes = changes_since(self.instance, started_from or 0)
                raise forms.ValidationError(
                    "Another editor saved this mesh after you opened it; your changes were not "
                    "saved. Reload the page to see theirs, then make yours again. Changed "
                    "meanwhile: " + ("; ".join(changes) or "the mesh's data") + "."
                )
        return cleaned


@admin.action(description="Mark verified today (mesh and all its cells)")
def mark_meshes_verified(modeladmin, request, queryset):
    Support.objects.filter(mesh__in=queryset).mark_verified()
    count = queryset.mark_verified(version=F("version") + 1)
    messages.success(request, f"Marked {count} mesh(es) and their cells as verified today.")


@admin.action(description="Mark verified today")
def mark_cells_verified(modeladmin, request, queryset):
    count = queryset.mark_verified()
    messages.success(request, f"Marked {count} cell(s) as verified today.")


@admin.register(Mesh)
class MeshAdmin(SimpleHistoryAdmin):
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
    ]
    list_filter = [
        FreshnessFilter,
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
    inlines = [SupportInline]
    actions = [mark_meshes_verified]
    fieldsets = [
        (None, {"fields": ["name", "slug", "summary", "developer"]}),
        (
            "Licence and support",
            {
                "fields": [
                    "licence",
                    "licence_spdx",
                    "open_source",
                    "licence_source",
                    "commercial_support",
                    "commercial_support_source",
                    "stable_releases_free",
                    "stable_releases_note",
                    "stable_releases_source",
                ]
            },
        ),
        ("Links", {"fields": ["website", "docs_url", "repository_url"]}),
        (
            "Version and freshness",
            {
                "fields": [
                    "current_version",
                    "current_version_source",
                    "last_verified",
                    "edit_version",
                ]
            },
        ),
        (
            "Architecture and platforms",
            {
                "fields": [
                    "proxy",
                    "proxy_family",
                    "builds_on",
                    "proxy_family_source",
                    "data_plane",
                    "platforms",
                    "platform_notes",
                ]
            },
        ),
        (
            "Where it runs",
            {
                "fields": [
                    "runs_without_kubernetes",
                    "runs_without_kubernetes_source",
                    "kubernetes_vm_workloads",
                    "kubernetes_vm_workloads_source",
                    "orchestrators",
                    "orchestrators_note",
                    "orchestrators_source",
                    "clouds",
                    "bound_to_cloud",
                    "cloud_note",
                    "clouds_source",
                ]
            },
        ),
        (
            "Maturity and status",
            {
                "fields": [
                    "maturity",
                    "cncf_status",
                    "cncf_source",
                    "status",
                    "status_date",
                    "status_note",
                    "status_source",
                    "successor",
                    "successor_links",
                ]
            },
        ),
        (
            "Configuration complexity",
            {"fields": ["traffic_split_yaml", "traffic_split_source"]},
        ),
    ]

    def save_model(self, request, obj: Mesh, form, change: bool) -> None:
        if change:
            obj.version = form.cleaned_data["edit_version"] + 1
        super().save_model(request, obj, form, change)


class FeatureInline(admin.TabularInline):
    model = Feature
    fields = ["position", "name", "name_de", "slug", "description", "description_de"]
    extra = 0


@admin.register(Category)
class CategoryAdmin(SimpleHistoryAdmin):
    list_display = ["name", "name_de", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [FeatureInline]


@admin.register(Feature)
class FeatureAdmin(SimpleHistoryAdmin):
    list_display = ["name", "name_de", "slug", "category", "position"]
    list_filter = ["category"]
    list_select_related = ["category"]
    search_fields = ["name", "name_de", "slug", "description", "description_de"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Support)
class SupportAdmin(SimpleHistoryAdmin):
    """All cells across meshes, e.g. every stale one, every 'unknown', every cell citing a page."""

    list_display = ["mesh", "feature", "level", "note", "source", "last_verified"]
    list_filter = [FreshnessFilter, "level", "feature__category", "mesh"]
    list_select_related = ["mesh", "feature"]
    search_fields = ["mesh__name", "feature__name", "note", "source"]
    readonly_fields = ["mesh", "feature"]
    formfield_overrides = HTTPS_URLS
    actions = [mark_cells_verified]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
