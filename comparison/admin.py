"""The editors' admin: a mesh's page holds every one of its support cells, editable in place."""

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import Category, Feature, Mesh, Questionnaire, Support

# Editors paste full addresses; a bare host should become https, not http.
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


class SupportInline(admin.TabularInline):
    model = Support
    formfield_overrides = HTTPS_URLS
    fields = ["feature_with_category", "level", "note", "source"]
    readonly_fields = ["feature_with_category"]
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


@admin.register(Mesh)
class MeshAdmin(admin.ModelAdmin):
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
    list_filter = ["status", "maturity", "data_plane", "platforms", "open_source", "cncf_status"]
    search_fields = ["name", "slug", "developer", "proxy", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SupportInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "summary", "developer", "licence", "open_source"]}),
        ("Links", {"fields": ["website", "docs_url", "repository_url"]}),
        ("Version", {"fields": ["current_version", "current_version_source", "last_verified"]}),
        (
            "Architecture and platforms",
            {"fields": ["proxy", "data_plane", "platforms", "platform_notes"]},
        ),
        (
            "Maturity and status",
            {
                "fields": [
                    "maturity",
                    "cncf_status",
                    "status",
                    "status_date",
                    "status_note",
                    "status_source",
                    "successor",
                ]
            },
        ),
        (
            "Configuration complexity",
            {"fields": ["traffic_split_yaml", "traffic_split_source"]},
        ),
    ]


class FeatureInline(admin.TabularInline):
    model = Feature
    fields = ["position", "name", "slug", "description"]
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [FeatureInline]


@admin.register(Feature)
class FeatureAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "category", "position"]
    list_filter = ["category"]
    list_select_related = ["category"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Support)
class SupportAdmin(admin.ModelAdmin):
    """All cells across meshes, e.g. to find every 'unknown' or every cell citing one page."""

    list_display = ["mesh", "feature", "level", "note", "source"]
    list_filter = ["level", "feature__category", "mesh"]
    list_select_related = ["mesh", "feature"]
    search_fields = ["mesh__name", "feature__name", "note", "source"]
    readonly_fields = ["mesh", "feature"]
    formfield_overrides = HTTPS_URLS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    """Read-only: submissions are evidence of what users need, never edited."""

    list_display = ["public_id", "created", "verdict", "must_haves", "shortlist_top"]
    list_filter = ["verdict", "created"]
    readonly_fields = [
        "public_id",
        "created",
        "verdict",
        "answers",
        "shortlist",
        "data_fingerprint",
    ]
    change_list_template = "admin/comparison/questionnaire/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="Must-haves")
    def must_haves(self, obj: Questionnaire) -> str:
        return ", ".join(obj.answers.get("must", [])) or "—"

    @admin.display(description="Top of shortlist")
    def shortlist_top(self, obj: Questionnaire) -> str:
        return ", ".join(obj.shortlist[:3]) or "—"

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "must_have_counts": Questionnaire.objects.must_have_counts(),
        }
        return super().changelist_view(request, extra_context)
