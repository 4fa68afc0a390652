"""Every fact a mesh carries beside its feature cells, declared once.

A fact is a field of the mesh with the page it was read on (its source field), sometimes a note,
and the day it was last confirmed (Mesh.fact_checks). The admin's fieldsets, /api/meshes.json and
its OpenAPI description, the table's facts rows, the data rules and the decision's inputs all read
this list, so a fact added here appears everywhere at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import TextChoices
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .choices import BuildsOn, Cloud, CncfStatus, GammaLevel, Orchestrator, ProxyFamily

# The kinds of value a fact holds; the OpenAPI description and the admin read them.
TEXT, YES_NO, BOOLEAN, CHOICE, LIST = "text", "yes_no", "boolean", "choice", "list"

# Admin fieldsets, in page order.
LICENCE, PLATFORM, ARCHITECTURE, STANDARDS = (
    "Licence and support",
    "Where it runs",
    "Architecture",
    "Standards",
)


@dataclass(frozen=True)
class MeshFact:
    name: str  # the model field, and the key in the API and the decision's fact sources
    label: str | Promise
    kind: str
    source: str  # the model field with the page it was read on
    note: str = ""  # the model field with a note beside the value, if any
    choices: type[TextChoices] | None = None
    group: str = ""
    # The label of the source field in the admin (several facts share one source field).
    help: str | Promise = ""

    def has_value(self, mesh: object) -> bool:
        value = getattr(mesh, self.name)
        if self.kind == BOOLEAN:
            return bool(value)  # a flag that is off claims nothing
        # "unknown" (GAMMA's default) claims nothing either.
        return value not in (None, "", [], (), "unknown")


MESH_FACTS: tuple[MeshFact, ...] = (
    # In the admin's "Version and freshness" section, with the release date.
    MeshFact("current_version", _("Current version"), TEXT, "current_version_source"),
    MeshFact("licence", _("Licence"), TEXT, "licence_source", group=LICENCE),
    MeshFact("licence_spdx", _("Licence (SPDX)"), TEXT, "licence_source", group=LICENCE),
    MeshFact("open_source", _("OSI open source"), BOOLEAN, "licence_source", group=LICENCE),
    MeshFact(
        "commercial_support",
        _("Commercial support"),
        TEXT,
        "commercial_support_source",
        group=LICENCE,
    ),
    MeshFact(
        "stable_releases_free",
        _("Stable releases free"),
        YES_NO,
        "stable_releases_source",
        note="stable_releases_note",
        group=LICENCE,
    ),
    MeshFact(
        "cncf_status", _("CNCF status"), CHOICE, "cncf_source", choices=CncfStatus, group=LICENCE
    ),
    MeshFact(
        "runs_without_kubernetes",
        _("Runs without Kubernetes"),
        YES_NO,
        "runs_without_kubernetes_source",
        group=PLATFORM,
    ),
    MeshFact(
        "kubernetes_vm_workloads",
        _("VMs join a mesh run from Kubernetes"),
        YES_NO,
        "kubernetes_vm_workloads_source",
        group=PLATFORM,
    ),
    MeshFact(
        "orchestrators",
        _("Outside Kubernetes"),
        LIST,
        "orchestrators_source",
        note="orchestrators_note",
        choices=Orchestrator,
        group=PLATFORM,
    ),
    MeshFact(
        "requires_openshift",
        _("Runs only on Red Hat OpenShift"),
        BOOLEAN,
        "requires_openshift_source",
        group=PLATFORM,
    ),
    MeshFact(
        "clouds",
        _("Offered managed by"),
        LIST,
        "clouds_source",
        note="cloud_note",
        choices=Cloud,
        group=PLATFORM,
    ),
    MeshFact(
        "bound_to_cloud",
        _("Works only with"),
        CHOICE,
        "clouds_source",
        choices=Cloud,
        group=PLATFORM,
    ),
    MeshFact(
        "proxy_family",
        _("Proxy family"),
        CHOICE,
        "proxy_family_source",
        choices=ProxyFamily,
        group=ARCHITECTURE,
    ),
    MeshFact(
        "builds_on",
        _("Built on"),
        CHOICE,
        "proxy_family_source",
        choices=BuildsOn,
        group=ARCHITECTURE,
    ),
    MeshFact(
        "gamma_level",
        _("Gateway API for mesh (GAMMA)"),
        CHOICE,
        "gamma_source",
        choices=GammaLevel,
        group=STANDARDS,
    ),
)
BY_NAME = {fact.name: fact for fact in MESH_FACTS}


def source_fields() -> list[str]:
    """Each source field once, in declaration order."""
    return list(dict.fromkeys(fact.source for fact in MESH_FACTS))


def fields_of(group: str) -> list[str]:
    """A group's facts with their notes and sources, in the order an editor fills them in: each
    source field after the last fact it serves."""
    facts = [fact for fact in MESH_FACTS if fact.group == group]
    names: list[str] = []
    for fact, following in zip(facts, [*facts[1:], None], strict=True):
        names += [name for name in (fact.name, fact.note) if name]
        if following is None or following.source != fact.source:
            names.append(fact.source)
    return list(dict.fromkeys(names))


def facts_of_field(field: str) -> list[str]:
    """The facts a changed model field belongs to (its value, note or source)."""
    return [f.name for f in MESH_FACTS if field in (f.name, f.note, f.source)]
