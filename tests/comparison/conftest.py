"""Helpers for the catalogue's tests: the mesh admin form as a browser would submit it."""

import pytest


class MeshAdminForm:
    @staticmethod
    def url(mesh) -> str:
        from django.urls import reverse

        return reverse("admin:comparison_mesh_change", args=[mesh.pk])

    def form_data(self, client, mesh) -> dict:
        """The change form exactly as the browser would submit it, unchanged."""
        response = client.get(self.url(mesh))
        form = response.context["adminform"].form
        data = {}
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if value is None:
                continue
            data[name] = "on" if value is True else value
            if value is False:
                data.pop(name)
        formset = response.context["inline_admin_formsets"][0].formset
        data.update(
            {f"{formset.prefix}-{k}": v for k, v in formset.management_form.initial.items()}
        )
        for i, sub in enumerate(formset.forms):
            data[f"{formset.prefix}-{i}-id"] = sub.instance.pk
            data[f"{formset.prefix}-{i}-mesh"] = mesh.pk
            for name in ("level", "note", "source"):
                data[f"{formset.prefix}-{i}-{name}"] = getattr(sub.instance, name)
        return data


@pytest.fixture
def mesh_admin():
    return MeshAdminForm()
