"""Forms for the public pages (the filter form is a django-filter FilterSet in filters.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Level
from .models import Mesh, Suggestion

COMPARE_MIN, COMPARE_MAX = 2, 4


class CompareForm(forms.Form):
    mesh = forms.ModelMultipleChoiceField(
        queryset=Mesh.objects.all(),
        to_field_name="slug",
        error_messages={
            "required": _("Choose 2 to 4 meshes to compare."),
            "invalid_choice": _("There is no mesh called “%(value)s”."),
        },
    )
    diff = forms.BooleanField(required=False, label=_("Only differences"))
    notes = forms.BooleanField(required=False, label=_("Show notes"))

    def clean_mesh(self):
        meshes = self.cleaned_data["mesh"]
        count = len(meshes)
        if not COMPARE_MIN <= count <= COMPARE_MAX:
            raise forms.ValidationError(
                _("Choose %(min)s to %(max)s meshes to compare; you chose %(count)s.")
                % {"min": COMPARE_MIN, "max": COMPARE_MAX, "count": count}
            )
        # Keep the order the user chose them in: it is the order of the columns.
        order = {slug: i for i, slug in enumerate(self.data.getlist("mesh"))}  # type: ignore[attr-defined]
        return sorted(meshes, key=lambda mesh: order[mesh.slug])


class SuggestionForm(forms.ModelForm):
    """A visitor's correction of one cell: no account, a source for every claim."""

    # A field people never see (hidden by CSS, skipped by keyboard and screen readers); form-filling
    # bots fill it in, and their suggestions are dropped.
    website = forms.CharField(required=False, label=_("Leave this field empty"))
    source = forms.URLField(
        required=False,
        max_length=500,
        assume_scheme="https",
        label=_("Source"),
        help_text=_(
            "The page (documentation, release notes, repository) that shows it. Required for "
            "yes, partial and no."
        ),
    )

    class Meta:
        model = Suggestion
        fields = ["level", "note", "source", "name", "email", "works_for_vendor"]
        labels = {
            "level": _("Proposed level"),
            "note": _("Note"),
            "name": _("Your name (optional)"),
            "email": _("Your e-mail (optional, only the editors see it)"),
            "works_for_vendor": _("I work for the vendor"),
        }
        help_texts = {
            "note": _("What is wrong, and what is right. Required for partial: what is missing."),
        }
        widgets = {"note": forms.Textarea(attrs={"rows": 4, "maxlength": 1000})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def clean(self):
        cleaned = super().clean() or {}
        level = cleaned.get("level")
        if level and level != Level.UNKNOWN and not cleaned.get("source"):
            self.add_error(
                "source", _("Give the page that shows it (yes, partial and no need one).")
            )
        if level == Level.PARTIAL and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("Say what is missing when the support is partial."))
        return cleaned
