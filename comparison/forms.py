"""Forms for the public pages (the filter form is a django-filter FilterSet in filters.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Mesh

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
        order = {slug: i for i, slug in enumerate(self.data.getlist("mesh"))}
        return sorted(meshes, key=lambda mesh: order[mesh.slug])
