from django.contrib import admin
from django.http import HttpRequest

from .answers import must_haves
from .models import Questionnaire


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    """Read-only: submissions are evidence of what users need, never edited."""

    list_display = ["public_id", "created", "verdict", "must_have_list", "shortlist_top"]
    list_filter = ["verdict", "created"]
    readonly_fields = [
        "public_id",
        "created",
        "verdict",
        "answers",
        "shortlist",
        "data_fingerprint",
    ]
    change_list_template = "admin/questionnaire/questionnaire/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description="Must-haves")
    def must_have_list(self, obj: Questionnaire) -> str:
        try:
            return ", ".join(must_haves(obj.current_answers)) or "—"
        except ValueError:
            return "—"

    @admin.display(description="Top of shortlist")
    def shortlist_top(self, obj: Questionnaire) -> str:
        return ", ".join(obj.shortlist[:3]) or "—"

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        extra_context = {
            **(extra_context or {}),
            "must_have_counts": Questionnaire.objects.must_have_counts(),
        }
        return super().changelist_view(request, extra_context)
