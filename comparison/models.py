"""The mesh data: meshes, features grouped in categories, one support cell per mesh x feature."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models import Count, F, Q, TextChoices, Value, Window
from django.db.models.functions import Coalesce, FirstValue, Lag
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.deconstruct import deconstructible
from simple_history.models import HistoricalRecords

from .choices import (
    SMI_FEATURE_PREFIX,
    BuildsOn,
    ChangeKind,
    Cloud,
    CncfStatus,
    DataPlane,
    GammaLevel,
    Level,
    Maturity,
    MeshKind,
    Orchestrator,
    OverheadKind,
    Platforms,
    ProxyFamily,
    ResourceScope,
    Stage,
    Status,
    SuggestionStatus,
)
from .gateway_api import config_lines
from .sources import mirror_host
from .versions import version_key


@deconstructible
class ChoiceListValidator:
    """A JSON list of distinct values from one choice list, e.g. ["aws", "gcp"] (empty allowed)."""

    def __init__(self, choices: type[TextChoices]) -> None:
        self.choices = choices

    def __call__(self, value: object) -> None:
        allowed = self.choices.values
        if (
            not isinstance(value, list)
            or any(item not in allowed for item in value)
            or len(set(value)) != len(value)
        ):
            raise ValidationError("A list of distinct values from: " + ", ".join(allowed) + ".")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ChoiceListValidator) and other.choices is self.choices


def validate_links(value: object) -> None:
    """Successor links: a list of {"name": …, "url": "https://…"}."""
    if not isinstance(value, list) or not all(
        isinstance(link, dict)
        and set(link) == {"name", "url"}
        and isinstance(link["name"], str)
        and link["name"].strip()
        and isinstance(link["url"], str)
        and re.fullmatch(r"https?://\S+", link["url"])
        for link in value
    ):
        raise ValidationError('A list of {"name": …, "url": "https://…"} objects.')


def source_field(fact: str) -> models.URLField:
    return models.URLField(
        f"source: {fact}", max_length=500, blank=True, help_text="The page this fact was read on."
    )


def in_german() -> bool:
    return (translation.get_language() or "").startswith("de")


class Bilingual:
    """Names and descriptions kept in English and German; pages show the active language's."""

    # The models that mix this in define these as fields.
    name: str
    name_de: str
    description: str
    description_de: str

    @property
    def display_name(self) -> str:
        return (in_german() and self.name_de) or self.name

    @property
    def display_description(self) -> str:
        return (in_german() and self.description_de) or self.description


def _is_iso_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def stale_before() -> datetime.date:
    """Data last verified before this date counts as stale (settings.STALE_AFTER_DAYS)."""
    return timezone.localdate() - datetime.timedelta(days=settings.STALE_AFTER_DAYS)


def stale_threshold(
    before: datetime.date | None = None, release: datetime.date | None = None
) -> datetime.date:
    """Data verified before the day returned is stale: `before` (STALE_AFTER_DAYS ago), or the
    mesh's latest flagged release (`release`: a release newer than the version the data
    describes, found by check_releases) when that is later.
    """
    before = before or stale_before()
    return max(before, release) if release is not None else before


def is_stale(
    verified: datetime.date | None,
    before: datetime.date | None = None,
    release: datetime.date | None = None,
) -> bool:
    """The one staleness rule: never verified, or verified before stale_threshold(). Pass
    `before` when checking many dates in one request; stale_condition() is the same rule for the
    database.
    """
    return verified is None or verified < stale_threshold(before, release)


def stale_condition(release_path: str, before: datetime.date | None = None) -> Q:
    """is_stale() as a query condition; `release_path` leads to the mesh's flagged release date."""
    return Q(last_verified__lt=before or stale_before()) | Q(
        **{f"{release_path}__gt": F("last_verified")}
    )


# History records that only give loaded rows a starting point: not changes anyone made.
INITIAL_DATA_REASON = "initial data"
# An accepted correction's history record starts with this (the changes feed reports it once).
CORRECTION_REASON_PREFIX = "Correction #"


class VerifiedQuerySet(models.QuerySet):
    """Rows with a last_verified date: the stale and the fresh ones, by the one rule above."""

    # From the row to the flagged release date of its mesh (see ReleaseWatch).
    release_date_path = ""

    def mark_verified(self, **also: object) -> int:
        """Set last_verified to today in one UPDATE, and say that the data changed."""
        from .signals import data_updated

        count = self.update(last_verified=timezone.localdate(), **also)
        data_updated.send(sender=self.model)
        return count

    def stale(self):
        return self.filter(stale_condition(self.release_date_path))

    def fresh(self):
        return self.exclude(pk__in=self.stale().values("pk"))


class SlugManager(models.Manager):
    """Fixtures name rows by slug, so they stay readable and load idempotently."""

    def get_by_natural_key(self, slug: str):
        return self.get(slug=slug)


class Category(Bilingual, models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=80)
    name_de = models.CharField("name (German)", max_length=80, blank=True)
    description = models.TextField(blank=True)
    description_de = models.TextField("description (German)", blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    # A standard that was given up (SMI): kept for the record, left out of coverage and scores.
    archived_on = models.DateField(
        null=True,
        blank=True,
        help_text="When the standard this category describes was archived; empty while current.",
    )
    archived_note = models.TextField(
        blank=True, help_text="What happened and what replaced it, shown with the category."
    )
    archived_note_de = models.TextField("archived note (German)", blank=True)
    archived_source = models.URLField(max_length=500, blank=True)

    objects = SlugManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"
        constraints = [
            models.CheckConstraint(
                name="category_archive_sourced",
                condition=Q(archived_on__isnull=True) | ~Q(archived_source=""),
                violation_error_message="An archived standard needs the source of its archiving.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def is_archived(self) -> bool:
        return self.archived_on is not None

    @property
    def display_archived_note(self) -> str:
        return (in_german() and self.archived_note_de) or self.archived_note


class FeatureQuerySet(models.QuerySet):
    def current(self) -> FeatureQuerySet:
        """Features of standards still in use: what coverage and scores count by default."""
        return self.filter(category__archived_on__isnull=True)

    def in_display_order(self) -> FeatureQuerySet:
        return self.select_related("category").order_by(
            "category__position", "category__name", "position", "name"
        )


class Feature(Bilingual, models.Model):
    slug = models.SlugField(unique=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="features")
    name = models.CharField(max_length=120)
    name_de = models.CharField("name (German)", max_length=120, blank=True)
    description = models.TextField(
        help_text="The rubric: what 'yes' means, and what makes a value only 'partial'."
    )
    description_de = models.TextField("description (German)", blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = SlugManager.from_queryset(FeatureQuerySet)()
    history = HistoricalRecords()

    class Meta:
        ordering = ["category__position", "position", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        creating = self._state.adding
        super().save(*args, **kwargs)
        if creating:
            Support.objects.fill_missing(features=[self])

    def get_absolute_url(self) -> str:
        return reverse("comparison:feature-detail", args=[self.slug])

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    natural_key.dependencies = ["comparison.category"]  # type: ignore[attr-defined]

    def support_by_level(self) -> list[tuple[str, str, list[Support]]]:
        """Every mesh's cell for this feature, grouped yes, partial, no, unknown (one query)."""
        cells = self.supports.select_related("mesh__release_watch", "mesh__upstream").order_by(
            "mesh__name"
        )
        groups: dict[str, list[Support]] = {level: [] for level in Level.values}
        for cell in cells:
            groups[cell.level].append(cell)
        return [(level, str(Level(level).label), groups[level]) for level in Level.values]


class MeshQuerySet(VerifiedQuerySet):
    release_date_path = "release_watch__new_release_date"

    def with_new_release(self) -> MeshQuerySet:
        return self.exclude(release_watch__new_release="").filter(release_watch__isnull=False)

    @staticmethod
    def _active() -> Q:
        return Q(status=Mesh.Status.ACTIVE)

    def active(self) -> MeshQuerySet:
        return self.filter(self._active())

    def discontinued(self) -> MeshQuerySet:
        return self.exclude(self._active())

    def service_meshes(self) -> MeshQuerySet:
        """Without the platforms' own networking services (the table's default)."""
        return self.filter(kind=MeshKind.SERVICE_MESH)

    def counts(self) -> dict[str, int]:
        """In one query: all, active service meshes, and active platform networking services."""
        active = self._active()
        return self.aggregate(
            total=Count("pk"),
            active_meshes=Count("pk", filter=active & Q(kind=MeshKind.SERVICE_MESH)),
            active_platforms=Count("pk", filter=active & Q(kind=MeshKind.PLATFORM_NETWORKING)),
        )

    def with_smi_counts(self) -> MeshQuerySet:
        """Annotate how many SMI parts each mesh implements fully and at least partly."""
        smi = Q(supports__feature__slug__startswith=SMI_FEATURE_PREFIX)
        return self.annotate(
            smi_yes=Count("supports", filter=smi & Q(supports__level=Level.YES)),
            smi_any=Count(
                "supports", filter=smi & Q(supports__level__in=[Level.YES, Level.PARTIAL])
            ),
        )


class MeshManager(SlugManager):
    def get_queryset(self):
        # Staleness of a mesh and its cells depends on the release watch, and a distribution's
        # inherited cells name its upstream: always read both along.
        # Its release lines say how long the current version is supported (one more query).
        return (
            super()
            .get_queryset()
            .select_related("release_watch", "upstream")
            .prefetch_related("release_cycles")
        )


class Mesh(models.Model):
    # The choices, reachable from the model too (Mesh.Status.ACTIVE), defined in choices.py.
    DataPlane = DataPlane
    Platforms = Platforms
    Maturity = Maturity
    Status = Status
    CncfStatus = CncfStatus

    slug = models.SlugField(unique=True, help_text="Part of public URLs: never change it lightly.")
    name = models.CharField(max_length=80, unique=True)
    kind = models.CharField(
        max_length=20,
        choices=MeshKind,
        default=MeshKind.SERVICE_MESH,
        help_text="A platform's own networking service is listed beside the meshes, "
        "not among them.",
    )
    upstream = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="distributions",
        help_text="The open-source project this product distributes: its cells follow the "
        "upstream's unless overridden here with the distribution's own source.",
    )
    upstream_version = models.CharField(
        max_length=80,
        blank=True,
        help_text="The upstream version the current version is built on, e.g. 1.28.2.",
    )
    summary = models.CharField(max_length=240)
    summary_de = models.CharField("summary (German)", max_length=240, blank=True)
    website = models.URLField(blank=True)
    docs_url = models.URLField("documentation", blank=True)
    repository_url = models.URLField("repository", blank=True)
    licence = models.CharField(max_length=80)
    licence_de = models.CharField("licence (German)", max_length=80, blank=True)
    licence_spdx = models.CharField(
        "licence (SPDX)",
        max_length=120,
        blank=True,
        help_text="An SPDX expression, e.g. Apache-2.0, BUSL-1.1, LicenseRef-Proprietary.",
    )
    open_source = models.BooleanField(
        "OSI open source",
        default=True,
        help_text="On only for an OSI-approved licence (BUSL and proprietary are not).",
    )
    licence_source = source_field("licence")
    developer = models.CharField("developer / company", max_length=120)
    current_version = models.CharField(max_length=80, blank=True)
    current_version_source = models.URLField(blank=True)
    current_version_date = models.DateField(
        "current version released on",
        null=True,
        blank=True,
        help_text="From the release notes; the changes page lists the release on this date.",
    )
    proxy = models.CharField("proxy used", max_length=120)
    data_plane = models.CharField("data-plane model", max_length=20, choices=DataPlane)
    platforms = models.CharField(max_length=20, choices=Platforms)
    platform_notes = models.CharField(max_length=240, blank=True)
    platform_notes_de = models.CharField("platform notes (German)", max_length=240, blank=True)
    maturity = models.CharField("maturity tier", max_length=20, choices=Maturity)
    status = models.CharField(max_length=20, choices=Status, default=Status.ACTIVE)
    status_date = models.DateField(
        null=True,
        blank=True,
        help_text="When it was archived, reached end of life, or development was declared stopped.",
    )
    status_note = models.TextField(blank=True)
    status_note_de = models.TextField("status note (German)", blank=True)
    status_source = models.URLField(blank=True)
    successor = models.CharField(
        max_length=200, blank=True, help_text="What users of a discontinued product moved to."
    )
    successor_de = models.CharField("successor (German)", max_length=200, blank=True)
    successor_links = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_links],
        help_text="The documentation of what users moved to, one per line: name | https://…",
    )
    cncf_status = models.CharField("CNCF status", max_length=20, choices=CncfStatus)
    cncf_source = source_field("CNCF status")
    clouds = models.JSONField(
        "offered by clouds",
        default=list,
        blank=True,
        validators=[ChoiceListValidator(Cloud)],
        help_text="Clouds offering this mesh as a managed service or add-on.",
    )
    bound_to_cloud = models.CharField(
        max_length=10,
        choices=Cloud,
        blank=True,
        help_text="Set when the product works only with this cloud's account or infrastructure.",
    )
    cloud_note = models.CharField(max_length=300, blank=True)
    clouds_source = source_field("clouds")
    runs_without_kubernetes = models.BooleanField(
        null=True,
        blank=True,
        help_text="Control plane and data plane run with no Kubernetes cluster at all.",
    )
    runs_without_kubernetes_source = source_field("runs without Kubernetes")
    kubernetes_vm_workloads = models.BooleanField(
        "VM workloads join a Kubernetes mesh",
        null=True,
        blank=True,
        help_text="VMs or bare metal can join a mesh whose control plane runs in Kubernetes.",
    )
    kubernetes_vm_workloads_source = source_field("VM workloads")
    orchestrators = models.JSONField(
        "orchestrators outside Kubernetes",
        default=list,
        blank=True,
        validators=[ChoiceListValidator(Orchestrator)],
        help_text="Where it runs outside Kubernetes.",
    )
    orchestrators_note = models.CharField(max_length=300, blank=True)
    requires_openshift = models.BooleanField(
        "runs only on Red Hat OpenShift",
        default=False,
        help_text="A product for OpenShift clusters only (OCP, ROSA, ARO, OpenShift Dedicated).",
    )
    requires_openshift_source = source_field("runs only on OpenShift")
    orchestrators_source = source_field("orchestrators")
    commercial_support = models.CharField(
        max_length=200, blank=True, help_text="Who sells support for it; blank when nobody does."
    )
    commercial_support_source = source_field("commercial support")
    stable_releases_free = models.BooleanField(
        null=True, blank=True, help_text="Are stable releases free of charge? Unknown if unsure."
    )
    stable_releases_note = models.CharField(max_length=300, blank=True)
    stable_releases_source = source_field("stable releases")
    proxy_family = models.CharField(max_length=20, choices=ProxyFamily, blank=True)
    builds_on = models.CharField(
        max_length=20,
        choices=BuildsOn,
        blank=True,
        help_text="The open-source control plane and APIs it is built on.",
    )
    proxy_family_source = source_field("proxy family")
    last_verified = models.DateField(default=datetime.date.today)
    fact_checks = models.JSONField(
        default=dict,
        blank=True,
        help_text="The day each fact (comparison/facts.py) was last confirmed against its source.",
    )
    traffic_split_yaml = models.TextField(
        "90/10 traffic split (YAML)",
        blank=True,
        help_text="The configuration this mesh needs to send 90% of traffic to v1 and 10% to v2.",
    )
    traffic_split_source = models.URLField(blank=True)

    # The Gateway API for mesh (GAMMA): what the mesh's own conformance report (or docs) says.
    gamma_level = models.CharField(
        "GAMMA conformance", max_length=20, choices=GammaLevel, default=GammaLevel.UNKNOWN
    )
    gamma_profiles = models.CharField(
        "GAMMA profiles", max_length=120, blank=True, help_text="e.g. Mesh HTTP; Mesh gRPC"
    )
    gamma_gateway_api_version = models.CharField(
        "Gateway API version", max_length=20, blank=True, help_text="e.g. v1.3.0"
    )
    gamma_extended = models.CharField(
        "extended features", max_length=600, blank=True, help_text="Those the report lists."
    )
    gamma_mesh_version = models.CharField(
        "mesh version tested", max_length=80, blank=True, help_text="The version the report covers."
    )
    gamma_source = source_field("GAMMA conformance")
    conformance_implementation = models.CharField(
        "conformance reports",
        max_length=200,
        blank=True,
        help_text="The implementation's organization/project exactly as its Gateway API "
        "conformance reports name it (e.g. istio/istio). With reports imported "
        "(import_conformance), the GAMMA facts above are derived from the newest one.",
    )
    release_feed_url = models.URLField(
        "release feed",
        max_length=300,
        blank=True,
        help_text="A machine-readable list of releases (Atom or RSS, e.g. the GitHub repository's "
        "releases.atom) that check_releases reads. Empty when the project publishes none.",
    )

    # Optimistic concurrency: every save through the admin must name the version it started from.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = MeshManager.from_queryset(MeshQuerySet)()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "meshes"
        constraints = [
            models.CheckConstraint(
                name="mesh_discontinued_iff_not_active",
                condition=(Q(status="active") & ~Q(maturity="discontinued"))
                | (~Q(status="active") & Q(maturity="discontinued")),
                violation_error_message=(
                    "Maturity is 'discontinued' exactly when the status is not active."
                ),
            ),
            models.CheckConstraint(
                name="mesh_gamma_sourced_unless_unknown",
                condition=Q(gamma_level=GammaLevel.UNKNOWN) | ~Q(gamma_source=""),
                violation_error_message="A GAMMA conformance level needs its source.",
            ),
            models.CheckConstraint(
                name="mesh_discontinued_has_date",
                condition=Q(status="active") | Q(status_date__isnull=False),
                violation_error_message="A discontinued product needs its date.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        creating = self._state.adding
        super().save(*args, **kwargs)
        if creating:
            Support.objects.fill_missing(meshes=[self])
        else:
            ReleaseWatch.objects.filter(mesh=self).reassess(self.current_version)
        if self.upstream_id is not None:
            Support.objects.filter(mesh=self).sync_inherited()

    def get_absolute_url(self) -> str:
        return reverse("comparison:mesh-detail", args=[self.slug])

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def clean(self) -> None:
        from .facts import BY_NAME

        checks = self.fact_checks
        if not isinstance(checks, dict) or any(
            name not in BY_NAME or not isinstance(day, str) or not _is_iso_date(day)
            for name, day in checks.items()
        ):
            raise ValidationError(
                {"fact_checks": "An object of fact names (comparison/facts.py) and ISO dates."}
            )
        if self.upstream_id is None:
            if self.upstream_version:
                raise ValidationError({"upstream_version": "Only a distribution has one."})
            return
        if self.upstream_id == self.pk:
            raise ValidationError({"upstream": "A mesh cannot be its own upstream."})
        if self.upstream is not None and self.upstream.upstream_id is not None:
            raise ValidationError(
                {"upstream": "The upstream must be an upstream project, not a distribution."}
            )
        if self.pk and self.distributions.exists():
            raise ValidationError(
                {"upstream": "Other products distribute this one: it cannot have an upstream."}
            )

    def record_fact_checks(self, changed: Iterable[str]) -> None:
        """Today for every fact whose value, note or source is among the changed fields."""
        from .facts import facts_of_field

        today = timezone.localdate().isoformat()
        for field in changed:
            for name in facts_of_field(field):
                self.fact_checks = {**self.fact_checks, name: today}

    @property
    def is_distribution(self) -> bool:
        return self.upstream_id is not None

    # The texts pages show: German where an editor wrote it, else English.
    @property
    def display_summary(self) -> str:
        return (in_german() and self.summary_de) or self.summary

    @property
    def display_licence(self) -> str:
        return (in_german() and self.licence_de) or self.licence

    @property
    def display_platform_notes(self) -> str:
        return (in_german() and self.platform_notes_de) or self.platform_notes

    @property
    def display_status_note(self) -> str:
        return (in_german() and self.status_note_de) or self.status_note

    @property
    def display_successor(self) -> str:
        return (in_german() and self.successor_de) or self.successor

    @property
    def cloud_set(self) -> frozenset[str]:
        return frozenset(self.clouds)

    def get_clouds_display(self) -> str:
        return ", ".join(str(Cloud(c).label) for c in Cloud if c in self.cloud_set)

    @property
    def orchestrator_set(self) -> frozenset[str]:
        return frozenset(self.orchestrators)

    def get_orchestrators_display(self) -> str:
        return ", ".join(
            str(Orchestrator(o).label) for o in Orchestrator if o in self.orchestrator_set
        )

    @property
    def platforms_summary(self) -> str:
        """Where it runs, in one phrase built from the facts: "beyond Kubernetes" names the
        places the orchestrator facts list, so the phrase never promises one they leave out."""
        places = self.get_orchestrators_display()
        if self.platforms == Platforms.BEYOND_KUBERNETES and places:
            return translation.gettext("Kubernetes and %(places)s") % {"places": places}
        return str(self.get_platforms_display())

    @property
    def successor_link_list(self) -> list[tuple[str, str]]:
        """(name, url) of each successor link, in the editor's order."""
        return [(link["name"], link["url"]) for link in self.successor_links]

    @property
    def is_discontinued(self) -> bool:
        return self.status != self.Status.ACTIVE

    @property
    def flagged_release(self) -> ReleaseWatch | None:
        """The release watch, when it found a release newer than current_version."""
        try:
            watch = self.release_watch
        except ReleaseWatch.DoesNotExist:
            return None
        return watch if watch.new_release else None

    @property
    def flagged_release_date(self) -> datetime.date | None:
        watch = self.flagged_release
        return watch.new_release_date if watch else None

    @property
    def is_stale(self) -> bool:
        return is_stale(self.last_verified, release=self.flagged_release_date)

    @property
    def cycles(self) -> list[ReleaseCycle]:
        """Release lines, newest first (prefetch `release_cycles` to read them for many)."""
        return sorted(self.release_cycles.all(), key=ReleaseCycle.order_key, reverse=True)

    @property
    def current_cycle(self) -> ReleaseCycle | None:
        """The release line the current version belongs to (1.31.1 → 1.31), if it is known."""
        current = self.current_version.strip()
        for cycle in sorted(self.cycles, key=lambda c: len(c.cycle), reverse=True):
            name = cycle.cycle.removesuffix(".x")
            if current == name or current.startswith((f"{name}.", f"{name}-")):
                return cycle
        return None

    def supported_cycles(self, on: datetime.date | None = None) -> list[ReleaseCycle]:
        on = on or timezone.localdate()
        return [cycle for cycle in self.cycles if cycle.supported_on(on)]

    @property
    def out_of_support(self) -> bool:
        """Every known release line has passed its end of support (none newer is known)."""
        cycles = self.cycles
        return bool(cycles) and not self.supported_cycles()

    @property
    def split_yaml(self) -> str:
        """The 90/10 traffic split: the mesh's own, or (for a distribution without one) its
        upstream's, which the distribution takes as it is."""
        if self.traffic_split_yaml or self.upstream is None:
            return self.traffic_split_yaml
        return self.upstream.traffic_split_yaml

    @property
    def split_source(self) -> str:
        if self.traffic_split_yaml or self.upstream is None:
            return self.traffic_split_source
        return self.upstream.traffic_split_source

    @property
    def traffic_split_lines(self) -> int:
        """Non-empty, non-comment lines: what an operator actually has to write."""
        return config_lines(self.split_yaml)


class MeshAliasManager(models.Manager["MeshAlias"]):
    def get_by_natural_key(self, slug: str) -> MeshAlias:
        return self.get(slug=slug)


class MeshAlias(models.Model):
    """A slug a mesh was known by (a renamed product): old links and filters keep working."""

    slug = models.SlugField(unique=True)
    mesh = models.ForeignKey(Mesh, on_delete=models.CASCADE, related_name="aliases")
    note = models.CharField(max_length=200, blank=True, help_text="e.g. the former name.")

    objects = MeshAliasManager()

    class Meta:
        ordering = ["slug"]
        verbose_name_plural = "mesh aliases"

    def __str__(self) -> str:
        return f"{self.slug} → {self.mesh.slug}"

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    natural_key.dependencies = ["comparison.mesh"]  # type: ignore[attr-defined]

    def clean(self) -> None:
        # The import checks a whole file against itself instead (the mesh may be renamed in it).
        if self.mesh_id is not None and Mesh.objects.filter(slug=self.slug).exists():
            raise ValidationError({"slug": "A mesh has this slug; an alias must be a former one."})


# An overhead figure is marked as old past either bound (the mesh has changed too much since).
OLD_FIGURE_MINORS = 2
OLD_FIGURE_MONTHS = 18


class OverheadFigureQuerySet(models.QuerySet["OverheadFigure"]):
    def comparable(self) -> OverheadFigureQuerySet:
        """Figures that say what they measured: version, mode, hardware, and the request rate
        (a control plane's, the load): pages show only these (OverheadFigure.missing_context)."""
        control_plane = Q(resource_scope=ResourceScope.CONTROL_PLANE)
        return (
            self.exclude(mesh_version="")
            .exclude(data_plane_mode="")
            .exclude(hardware="")
            .exclude(~control_plane & Q(requests_per_second__isnull=True))
            .exclude(control_plane & Q(load=""))
        )


class OverheadFigureManager(models.Manager["OverheadFigure"]):
    def get_by_natural_key(self, mesh_slug: str, slug: str) -> OverheadFigure:
        return self.get(mesh__slug=mesh_slug, slug=slug)


class OverheadFigure(models.Model):
    """A published measurement of what a mesh costs: latency added, CPU and memory at a load.

    Set-ups differ between publishers, so figures are shown with theirs and never ranked.
    """

    Kind = OverheadKind

    mesh = models.ForeignKey(Mesh, on_delete=models.CASCADE, related_name="overhead_figures")
    slug = models.SlugField(help_text="Names this figure within its mesh, e.g. istio-1-24-ztunnel.")
    kind = models.CharField(max_length=20, choices=OverheadKind)
    publisher = models.CharField(max_length=120)
    title = models.CharField(max_length=300)
    source = models.URLField(max_length=500)
    published = models.CharField(
        max_length=10,
        blank=True,
        help_text="When the figure was published; empty when the page gives no date.",
        validators=[RegexValidator(r"^\d{4}-\d{2}(-\d{2})?$", "YYYY-MM or YYYY-MM-DD.")],
    )
    mesh_version = models.CharField(max_length=80, blank=True)
    component = models.CharField(
        max_length=80, help_text="What was measured: sidecar, ztunnel, waypoint, node agent …"
    )
    load = models.CharField(max_length=200, blank=True, help_text="e.g. 1000 rps, 1 KB payload")
    data_plane_mode = models.CharField(
        "data-plane mode",
        max_length=20,
        choices=DataPlane,
        blank=True,
        help_text="The mode measured (sidecar, per node, sidecarless).",
    )
    requests_per_second = models.PositiveIntegerField(
        "requests per second", null=True, blank=True, help_text="The load the figure was taken at."
    )
    payload = models.CharField(max_length=40, blank=True, help_text="e.g. 1 KB, or none")
    hardware = models.CharField(
        max_length=300, blank=True, help_text="Machines or instance types the figure ran on."
    )
    setup = models.TextField(help_text="Cluster, load generator, rate, payload, connections, mTLS.")
    setup_de = models.TextField("set-up (German)", blank=True)
    latency_p50_ms = models.FloatField("latency p50 (ms)", null=True, blank=True)
    latency_p90_ms = models.FloatField("latency p90 (ms)", null=True, blank=True)
    latency_p99_ms = models.FloatField("latency p99 (ms)", null=True, blank=True)
    latency_note = models.CharField(
        max_length=300, blank=True, help_text="Added over a baseline without mesh, or absolute."
    )
    latency_note_de = models.CharField("latency note (German)", max_length=300, blank=True)
    cpu_millicores = models.FloatField("CPU (millicores)", null=True, blank=True)
    memory_mib = models.FloatField("memory (MiB)", null=True, blank=True)
    resource_scope = models.CharField(
        max_length=40,
        blank=True,
        choices=ResourceScope,
        help_text="What the CPU and memory were measured for.",
    )
    quote = models.TextField(blank=True, help_text="The passage the numbers were read in.")
    last_verified = models.DateField(default=datetime.date.today)

    objects = OverheadFigureManager.from_queryset(OverheadFigureQuerySet)()

    class Meta:
        ordering = ["mesh__name", "kind", "-published", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["mesh", "slug"], name="overhead_slug_per_mesh"),
            models.CheckConstraint(
                name="overhead_has_a_figure",
                condition=Q(latency_p50_ms__isnull=False)
                | Q(latency_p90_ms__isnull=False)
                | Q(latency_p99_ms__isnull=False)
                | Q(cpu_millicores__isnull=False)
                | Q(memory_mib__isnull=False),
                violation_error_message="Give at least one figure (latency, CPU or memory).",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mesh}: {self.title} ({self.component})"

    def natural_key(self) -> tuple[str, str]:
        return (self.mesh.slug, self.slug)

    natural_key.dependencies = ["comparison.mesh"]  # type: ignore[attr-defined]

    @property
    def display_setup(self) -> str:
        return (in_german() and self.setup_de) or self.setup

    @property
    def display_latency_note(self) -> str:
        return (in_german() and self.latency_note_de) or self.latency_note

    @property
    def is_third_party(self) -> bool:
        return self.kind == OverheadKind.THIRD_PARTY

    @property
    def is_control_plane(self) -> bool:
        # One per mesh, not per workload: a different kind of cost from a proxy's.
        return self.resource_scope == ResourceScope.CONTROL_PLANE

    @property
    def missing_context(self) -> list[str]:
        """What a reader needs to compare this figure and it lacks (pages show none such): the
        version, mode and hardware, and the request rate (for a control plane, the load)."""
        wanted: dict[str, object] = {
            "mesh_version": self.mesh_version,
            "data_plane_mode": self.data_plane_mode,
            "hardware": self.hardware,
        }
        if self.is_control_plane:
            wanted["load"] = self.load
        else:
            wanted["requests_per_second"] = self.requests_per_second
        return [name for name, value in wanted.items() if value in ("", None)]

    @property
    def outdated(self) -> bool:
        """Measured on a version too old to stand for today's mesh (see is_old)."""
        return self.is_old(self.mesh.current_version)

    def is_old(self, current_version: str, today: datetime.date | None = None) -> bool:
        """Measured more than OLD_FIGURE_MINORS minor releases before the mesh's current version,
        on another major version, or published more than OLD_FIGURE_MONTHS months ago."""
        measured, current = version_key(self.mesh_version), version_key(current_version)
        if measured is not None and current is not None:
            if measured[0] != current[0]:
                return True
            minor = (*measured, 0)[1]
            if (*current, 0)[1] - minor > OLD_FIGURE_MINORS:
                return True
        if self.published:
            year, month = (int(part) for part in self.published.split("-")[:2])
            today = today or timezone.localdate()
            if (today.year - year) * 12 + today.month - month > OLD_FIGURE_MONTHS:
                return True
        return False


# What an inherited cell copies from its upstream's cell: everything that says how and since
# when the feature is supported, with the evidence and the day it was checked.
INHERITED_VALUES = (
    "level",
    "stage",
    "since_version",
    "stage_source",
    "removed_in",
    "note",
    "source",
    "last_verified",
)


class SupportQuerySet(VerifiedQuerySet):
    release_date_path = "mesh__release_watch__new_release_date"

    def mark_verified(self, **also: object) -> int:
        """Checked, unchanged: today's date on these cells. An inherited cell is checked where its
        value lives, in the upstream's cell, and takes the date from there."""
        upstream_pairs = list(
            self.filter(inherited=True, mesh__upstream__isnull=False).values_list(
                "mesh__upstream_id", "feature_id"
            )
        )
        own = Q(pk__in=self.filter(inherited=False).values("pk"))
        for mesh_id, feature_id in upstream_pairs:
            own |= Q(mesh_id=mesh_id, feature_id=feature_id)
        cells = Support.objects.filter(own)
        # Cells changed in bulk bump their meshes' edit versions, as Support.save() does.
        Mesh.objects.filter(pk__in=cells.values("mesh_id")).update(version=F("version") + 1)
        count = VerifiedQuerySet.mark_verified(cells, **also)
        Support.objects.filter(mesh__upstream__in=cells.values("mesh_id")).sync_inherited()
        return count

    def inherited(self) -> SupportQuerySet:
        return self.filter(inherited=True)

    def overridden(self) -> SupportQuerySet:
        """A distribution's own cells, where its first-hand sources say it differs."""
        return self.filter(inherited=False, mesh__upstream__isnull=False)

    def sync_inherited(self) -> int:
        """Copy the upstream's cell into each inherited cell among these (one read, one write).

        An upstream change reaches every distribution at once: Support.save() calls this for the
        distributions' cells of the feature it saved; imports and mesh saves call it too.
        """
        cells: list[Support] = list(
            self.filter(inherited=True, mesh__upstream__isnull=False).select_related("mesh")  # type: ignore[arg-type]
        )
        if not cells:
            return 0
        upstream: dict[tuple[int | None, int], Support] = {
            (cell.mesh_id, cell.feature_id): cell
            for cell in Support.objects.filter(
                mesh_id__in={cell.mesh.upstream_id for cell in cells},
                feature_id__in={cell.feature_id for cell in cells},
            )
        }
        changed = []
        for cell in cells:
            origin = upstream.get((cell.mesh.upstream_id, cell.feature_id))
            if origin is None:
                continue
            values = [getattr(origin, name) for name in INHERITED_VALUES]
            if [getattr(cell, name) for name in INHERITED_VALUES] != values:
                for name, value in zip(INHERITED_VALUES, values, strict=True):
                    setattr(cell, name, value)
                changed.append(cell)
        if changed:
            Support.objects.bulk_update(changed, INHERITED_VALUES)
            Mesh.objects.filter(pk__in={cell.mesh_id for cell in changed}).update(
                version=F("version") + 1
            )
        return len(changed)

    def source_broken(self) -> SupportQuerySet:
        return self.filter(source__in=SourceCheck.objects.filter(broken=True).values("url"))

    def source_moved(self) -> SupportQuerySet:
        return self.filter(source__in=SourceCheck.objects.filter(moved=True).values("url"))

    def get_by_natural_key(self, mesh_slug: str, feature_slug: str) -> Support:
        return self.get(mesh__slug=mesh_slug, feature__slug=feature_slug)  # type: ignore[return-value]

    def fill_missing(self, meshes=None, features=None) -> None:
        """Create a cell for every mesh x feature pair that has none yet: 'unknown', or for a
        distribution inherited from its upstream."""
        meshes = list(meshes) if meshes is not None else list(Mesh.objects.all())
        features = list(features) if features is not None else list(Feature.objects.all())
        self.bulk_create(
            [
                Support(mesh=m, feature=f, inherited=m.upstream_id is not None)  # type: ignore[misc]
                for m in meshes
                for f in features
            ],
            ignore_conflicts=True,
        )
        Support.objects.filter(
            mesh__in=[m for m in meshes if m.upstream_id is not None], feature__in=features
        ).sync_inherited()


class Support(models.Model):
    """How far one mesh supports one feature, with the evidence for it."""

    mesh = models.ForeignKey(Mesh, on_delete=models.CASCADE, related_name="supports")
    feature = models.ForeignKey(Feature, on_delete=models.CASCADE, related_name="supports")
    level = models.CharField(max_length=10, choices=Level, default=Level.UNKNOWN)
    note = models.CharField(
        max_length=300, blank=True, help_text="Required for 'partial': what exactly is missing."
    )
    source = models.URLField(max_length=500, blank=True)
    stage = models.CharField(
        max_length=12,
        choices=Stage,
        blank=True,
        help_text="How mature the support is, in the project's own words (feature status page, "
        "docs marker, release notes); empty when it does not say. Beta support of the whole "
        "feature is 'yes' with stage beta, not 'partial'.",
    )
    since_version = models.CharField(
        "since version",
        max_length=40,
        blank=True,
        help_text="The version that brought this support (at this stage), as the project "
        "writes it; only where the project says so.",
    )
    removed_in = models.CharField(
        "removed in", max_length=40, blank=True, help_text="For a removed feature: the version."
    )
    stage_source = models.URLField(
        "source: stage and since-version",
        max_length=500,
        blank=True,
        help_text="Where the stage or since-version was read, when not on the cell's source page "
        "(a feature status file, release notes).",
    )
    inherited = models.BooleanField(
        "as upstream",
        default=False,
        help_text="Follows the upstream's cell (level, stage, note, source, date). Switch off to "
        "override it with a first-hand source of this distribution.",
    )
    last_verified = models.DateField(
        default=datetime.date.today,
        help_text="The day a person or a check confirmed this cell against its source.",
    )

    objects = SupportQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        # What editors and readers call it: one mesh x feature cell of the table.
        verbose_name = "cell"
        verbose_name_plural = "cells"
        ordering = ["feature__category__position", "feature__position", "feature__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["mesh", "feature"], name="support_one_per_mesh_feature"
            ),
            models.CheckConstraint(
                name="support_level_valid",
                condition=Q(level__in=Level.values),
                violation_error_message="Level must be yes, partial, no or unknown.",
            ),
            models.CheckConstraint(
                name="support_sourced_unless_unknown",
                condition=Q(level="unknown") | ~Q(source=""),
                violation_error_message="A yes, partial or no needs the source it was read in.",
            ),
            models.CheckConstraint(
                name="support_stage_only_when_supported",
                condition=Q(stage="") | Q(level__in=[Level.YES, Level.PARTIAL]),
                violation_error_message="A stage belongs to a yes or partial.",
            ),
            models.CheckConstraint(
                name="support_removed_only_when_no",
                condition=Q(removed_in="") | Q(level=Level.NO),
                violation_error_message="A feature removed in some version is a no.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mesh} / {self.feature}: {self.level}"

    def save(self, *args, **kwargs) -> None:
        if self.inherited:
            self.take_upstream()
        super().save(*args, **kwargs)
        # A cell is part of its mesh's edit form: an editor who opened that form before this
        # write must be refused, not overwrite it (the admin's edit-version check).
        Mesh.objects.filter(pk=self.mesh_id).update(version=F("version") + 1)
        # Distributions that follow this cell follow it now.
        Support.objects.filter(
            mesh__upstream_id=self.mesh_id, feature_id=self.feature_id
        ).sync_inherited()

    @property
    def upstream_cell(self) -> Support | None:
        upstream_id = self.mesh.upstream_id
        if upstream_id is None:
            return None
        return Support.objects.filter(mesh_id=upstream_id, feature_id=self.feature_id).first()

    def take_upstream(self) -> None:
        """Copy the upstream's cell into this one (an inherited cell's values are its)."""
        origin = self.upstream_cell
        if origin is not None:
            for name in INHERITED_VALUES:
                setattr(self, name, getattr(origin, name))

    def natural_key(self) -> tuple[str, str]:
        return (self.mesh.slug, self.feature.slug)

    natural_key.dependencies = ["comparison.mesh", "comparison.feature"]  # type: ignore[attr-defined]

    @property
    def is_stale(self) -> bool:
        return is_stale(self.last_verified, release=self.mesh.flagged_release_date)

    def clean(self) -> None:
        if self.inherited and self.mesh_id is not None and self.mesh.upstream_id is None:
            raise ValidationError({"inherited": "Only a distribution's cells follow an upstream."})
        if self.level == Level.PARTIAL and not self.note.strip():
            raise ValidationError({"note": "Say what is missing when the support is partial."})
        host = mirror_host(self.source)
        if host:
            raise ValidationError(
                {
                    "source": f"{host} copies or aggregates other pages: cite the project's own "
                    "documentation, release notes or repository."
                }
            )


class SourceCheckQuerySet(models.QuerySet):
    def unreachable_since(self) -> dict[str, datetime.date]:
        """Every broken source URL with the day it started failing, in one query."""
        return {
            url: timezone.localdate(since) if since else timezone.localdate()
            for url, since in self.filter(broken=True).values_list("url", "failing_since")
        }


class SourceCheck(models.Model):
    """What the last check of one cited source URL found (manage.py check_sources)."""

    url = models.URLField(max_length=500, unique=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    status = models.PositiveSmallIntegerField(
        "HTTP status", null=True, blank=True, help_text="Empty when no HTTP answer came."
    )
    final_url = models.URLField(max_length=2000, blank=True, help_text="After redirects.")
    redirects = models.JSONField(default=list, blank=True, help_text="[status, location] pairs.")
    error = models.CharField(max_length=300, blank=True)
    last_ok = models.DateTimeField("last worked", null=True, blank=True)
    failures = models.PositiveSmallIntegerField("consecutive failures", default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
    broken = models.BooleanField(default=False, db_index=True)
    moved = models.BooleanField(default=False, help_text="Permanently redirected elsewhere.")

    objects = SourceCheckQuerySet.as_manager()

    class Meta:
        ordering = ["url"]

    def __str__(self) -> str:
        return self.url


class ReleaseWatchQuerySet(models.QuerySet["ReleaseWatch"]):
    def reassess(self, current_version: str) -> None:
        """Drop a flag the mesh's data has caught up with (an editor entered the new version)."""
        from .versions import is_newer

        for watch in self.exclude(new_release=""):
            if not is_newer(watch.new_release, current_version):
                watch.clear_flag()
                watch.save(update_fields=["new_release", "new_release_date", "new_release_url"])


class ReleaseWatch(models.Model):
    """What the mesh's release feed said when check_releases last read it.

    `new_release` is set when the feed lists a release newer than the mesh's current_version: the
    data may describe an old version, so cells verified before that release count as stale.
    """

    mesh = models.OneToOneField(Mesh, on_delete=models.CASCADE, related_name="release_watch")
    checked_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    latest_release = models.CharField(max_length=200, blank=True)
    latest_release_date = models.DateTimeField(null=True, blank=True)
    latest_release_url = models.URLField(max_length=500, blank=True)
    new_release = models.CharField(max_length=200, blank=True)
    new_release_date = models.DateField(null=True, blank=True)
    new_release_url = models.URLField(max_length=500, blank=True)

    objects = ReleaseWatchQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.mesh}: {self.new_release or self.latest_release or 'not checked'}"

    def clear_flag(self) -> None:
        self.new_release, self.new_release_date, self.new_release_url = "", None, ""


class Suggestion(models.Model):
    """A visitor's proposed correction of one cell, waiting for an editor's decision."""

    Status = SuggestionStatus

    support = models.ForeignKey(Support, on_delete=models.CASCADE, related_name="suggestions")
    level = models.CharField("proposed level", max_length=10, choices=Level)
    note = models.TextField(max_length=1000, blank=True)
    source = models.URLField(max_length=500, blank=True)
    name = models.CharField(max_length=120, blank=True)
    email = models.EmailField(blank=True)
    works_for_vendor = models.BooleanField("works for the vendor", default=False)
    created = models.DateTimeField(auto_now_add=True)
    # The cell as the visitor saw it: a different cell now means it changed meanwhile.
    seen_level = models.CharField(max_length=10, choices=Level)
    seen_note = models.CharField(max_length=300, blank=True)
    seen_source = models.URLField(max_length=500, blank=True)
    status = models.CharField(
        max_length=10, choices=SuggestionStatus, default=SuggestionStatus.PENDING, db_index=True
    )
    replaced_level = models.CharField(max_length=10, choices=Level, blank=True)
    reject_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                name="suggestion_sourced_unless_unknown",
                condition=Q(level="unknown") | ~Q(source=""),
                violation_error_message="A yes, partial or no needs the source it was read in.",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.support.mesh} / {self.support.feature}: {self.level}"

    @property
    def credit(self) -> str:
        who = self.name.strip() or "a visitor"
        return f"{who} (works for the vendor)" if self.works_for_vendor else who

    @property
    def changed_meanwhile(self) -> bool:
        cell = self.support
        return (cell.level, cell.note, cell.source) != (
            self.seen_level,
            self.seen_note,
            self.seen_source,
        )

    @transaction.atomic
    def accept(self, editor) -> Support:
        """Apply the proposal to its cell, recorded in the cell's history as this suggestion's."""
        locked = Suggestion.objects.select_for_update().get(pk=self.pk)
        if locked.status != SuggestionStatus.PENDING:
            raise ValidationError("This suggestion was already decided.")
        cell = (
            Support.objects.select_for_update()
            .select_related("mesh", "feature")
            .get(pk=self.support_id)
        )
        self.replaced_level = cell.level
        cell.level, cell.note, cell.source = self.level, self.note[:300], self.source
        cell.last_verified = timezone.localdate()
        cell.full_clean(exclude=["mesh", "feature"], validate_unique=False)
        # Read by django-simple-history when it records this save.
        cell._change_reason = f"{CORRECTION_REASON_PREFIX}{self.pk} suggested by {self.credit}"  # type: ignore[attr-defined]
        cell._history_user = editor  # type: ignore[attr-defined]
        # The save retires cached pages once this commits, and bumps the mesh's edit version so
        # that an editor's mesh form opened before cannot silently overwrite the cell.
        cell.save()
        self.status, self.decided_by, self.decided_at = (
            SuggestionStatus.ACCEPTED,
            editor,
            timezone.now(),
        )
        self.save()
        self.support = cell
        return cell

    def reject(self, editor, reason: str) -> None:
        if not reason.strip():
            raise ValidationError("Say why the suggestion is rejected.")
        updated = Suggestion.objects.filter(pk=self.pk, status=SuggestionStatus.PENDING).update(
            status=SuggestionStatus.REJECTED,
            reject_reason=reason.strip(),
            decided_by=editor,
            decided_at=timezone.now(),
        )
        if not updated:
            raise ValidationError("This suggestion was already decided.")
        self.refresh_from_db()


@dataclass(frozen=True)
class Change:
    """One public change, as the changes page and feed report it."""

    kind: str
    date: datetime.datetime
    key: str  # stable identity, for the feed's entry ids
    mesh_slug: str = ""
    mesh_name: str = ""
    feature_slug: str = ""
    feature_name: str = ""
    feature_name_de: str = ""
    old: str = ""  # a level (level changes, corrections) or a version
    new: str = ""  # likewise; the status for status changes
    note: str = ""
    source: str = ""
    credit: str = ""

    @property
    def kind_label(self) -> str:
        return str(ChangeKind(self.kind).label)

    @property
    def shows_levels(self) -> bool:
        return self.kind in (ChangeKind.LEVEL, ChangeKind.CORRECTION) and self.new in Level.values

    @property
    def old_label(self) -> str:
        return str(Level(self.old).label) if self.old in Level.values else self.old

    @property
    def new_label(self) -> str:
        return str(Level(self.new).label) if self.new in Level.values else self.new

    @property
    def status_label(self) -> str:
        return str(Status(self.new).label) if self.new in Status.values else self.new

    @property
    def display_feature_name(self) -> str:
        return (in_german() and self.feature_name_de) or self.feature_name

    @property
    def summary(self) -> str:
        """The change in one plain-text line."""
        from django.utils.formats import date_format
        from django.utils.translation import gettext as _

        kind = ChangeKind(self.kind)
        if kind in (ChangeKind.LEVEL, ChangeKind.CORRECTION):
            return (
                f"{self.mesh_name}: {self.display_feature_name} {self.old_label} → {self.new_label}"
            )
        if kind == ChangeKind.STATUS:
            return _("%(mesh)s: %(status)s since %(date)s") % {
                "mesh": self.mesh_name,
                "status": self.status_label,
                "date": date_format(self.date.date(), "DATE_FORMAT"),
            }
        if kind == ChangeKind.VERSION and not self.old:
            return _("%(mesh)s: version %(new)s released") % {
                "mesh": self.mesh_name,
                "new": self.new,
            }
        if kind == ChangeKind.VERSION:
            return _("%(mesh)s: version %(old)s → %(new)s") % {
                "mesh": self.mesh_name,
                "old": self.old or "?",
                "new": self.new,
            }
        # Added or removed: the kind says which, the name says what.
        if kind in (ChangeKind.MESH_ADDED, ChangeKind.MESH_REMOVED):
            return self.mesh_name
        return self.display_feature_name

    @property
    def path(self) -> str:
        """Where the change can be seen, as a path on this site."""
        if self.kind in (ChangeKind.MESH_REMOVED, ChangeKind.FEATURE_REMOVED):
            return reverse("comparison:changes")
        if self.kind == ChangeKind.FEATURE_ADDED:
            return reverse("comparison:matrix") + f"#feature-{self.feature_slug}"
        url = reverse("comparison:mesh-detail", args=[self.mesh_slug])
        return url + (f"#feature-{self.feature_slug}" if self.feature_slug else "")


def _as_datetime(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)


def _own(field: str) -> Window:
    """A history row's own value as a window expression. Filters on it apply after the window
    functions, where a plain filter would remove rows before Lag() could compare with them."""
    return Window(FirstValue(Coalesce(field, Value(""))), partition_by=[F("history_id")])


def _level_changes(limit: int, mesh: str | None) -> list[Change]:
    """Support levels that changed, from the history, in one query.

    Each historical row is paired with the level its cell had just before (a window function), so
    saves that changed only a note, or nothing, are skipped; a cell's first record has nothing to
    compare with. Accepted corrections are reported as corrections instead.
    """
    history = Support.history.model.objects.annotate(
        previous=Window(Lag("level"), partition_by=[F("id")], order_by=F("history_id").asc()),
        mesh_name=F("mesh__name"),
        mesh_slug=F("mesh__slug"),
        feature_name=F("feature__name"),
        feature_name_de=F("feature__name_de"),
        feature_slug=F("feature__slug"),
        row_type=_own("history_type"),
        row_reason=_own("history_change_reason"),
    )
    rows = (
        history.filter(previous__isnull=False)
        .exclude(previous=F("level"))
        .exclude(row_type="-")
        .exclude(row_reason__startswith=CORRECTION_REASON_PREFIX)
    )
    if mesh:
        rows = rows.filter(mesh_slug=mesh)
    return [
        Change(
            kind=ChangeKind.LEVEL,
            date=row.history_date,
            key=f"change-{row.history_id}",
            mesh_slug=row.mesh_slug,
            mesh_name=row.mesh_name,
            feature_slug=row.feature_slug,
            feature_name=row.feature_name,
            feature_name_de=row.feature_name_de,
            old=row.previous,
            new=row.level,
            note=row.note,
            source=row.source,
        )
        for row in rows.order_by("-history_date", "-history_id")[:limit]
    ]


def _version_changes(limit: int, mesh: str | None) -> list[Change]:
    rows = Mesh.history.model.objects.annotate(
        previous=Window(
            Lag("current_version"), partition_by=[F("id")], order_by=F("history_id").asc()
        ),
        row_type=_own("history_type"),
    )
    rows = rows.filter(previous__isnull=False, row_type="~").exclude(previous=F("current_version"))
    if mesh:
        rows = rows.filter(slug=mesh)
    return [
        Change(
            kind=ChangeKind.VERSION,
            date=row.history_date,
            key=f"mesh-version-{row.history_id}",
            mesh_slug=row.slug,
            mesh_name=row.name,
            old=row.previous,
            new=row.current_version,
            source=row.current_version_source,
        )
        for row in rows.order_by("-history_date", "-history_id")[:limit]
    ]


def _releases(mesh: str | None) -> list[Change]:
    """Each mesh's current version, dated by its release (from the data)."""
    rows = Mesh.objects.filter(current_version_date__isnull=False)
    if mesh:
        rows = rows.filter(slug=mesh)
    changes = []
    for row in rows:
        released = row.current_version_date
        if released is None:
            continue
        changes.append(
            Change(
                kind=ChangeKind.VERSION,
                date=_as_datetime(released),
                key=f"release-{row.slug}-{released.isoformat()}",
                mesh_slug=row.slug,
                mesh_name=row.name,
                new=row.current_version,
                source=row.current_version_source,
            )
        )
    return changes


def _watched_releases(mesh: str | None) -> list[Change]:
    """Releases the release watch saw that the data does not describe yet (the editors verify
    the cells against their notes)."""
    rows = ReleaseWatch.objects.exclude(new_release="").exclude(new_release_date=None)
    if mesh:
        rows = rows.filter(mesh__slug=mesh)
    return [
        Change(
            kind=ChangeKind.VERSION,
            date=_as_datetime(row.new_release_date),
            key=f"release-{row.mesh.slug}-{row.new_release_date.isoformat()}",
            mesh_slug=row.mesh.slug,
            mesh_name=row.mesh.name,
            new=row.new_release,
            source=row.new_release_url,
        )
        for row in rows.select_related("mesh")
        if row.new_release_date is not None
    ]


def _added_and_removed(limit: int, mesh: str | None) -> list[Change]:
    """Meshes and features added or removed after the data was first loaded."""
    changes = []
    kinds = {
        Mesh: (ChangeKind.MESH_ADDED, ChangeKind.MESH_REMOVED),
        Feature: (ChangeKind.FEATURE_ADDED, ChangeKind.FEATURE_REMOVED),
    }
    for model, (added, removed) in kinds.items():
        if mesh and model is Feature:
            continue
        rows = model.history.filter(  # type: ignore[attr-defined]
            history_type__in=["+", "-"]
        ).exclude(history_change_reason=INITIAL_DATA_REASON)
        if mesh:
            rows = rows.filter(slug=mesh)
        for row in rows.order_by("-history_date", "-history_id")[:limit]:
            kind = added if row.history_type == "+" else removed
            names = (
                {"mesh_slug": row.slug, "mesh_name": row.name}
                if model is Mesh
                else {
                    "feature_slug": row.slug,
                    "feature_name": row.name,
                    "feature_name_de": row.name_de,
                }
            )
            changes.append(
                Change(kind=kind, date=row.history_date, key=f"{kind}-{row.history_id}", **names)
            )
    return changes


def _status_changes(mesh: str | None) -> list[Change]:
    """Each discontinued product's status, dated by the data itself (archived, end of life…)."""
    rows = Mesh.objects.discontinued().filter(status_date__isnull=False)
    if mesh:
        rows = rows.filter(slug=mesh)
    return [
        Change(
            kind=ChangeKind.STATUS,
            date=_as_datetime(row.status_date),
            key=f"status-{row.slug}-{row.status}-{row.status_date.isoformat()}",
            mesh_slug=row.slug,
            mesh_name=row.name,
            new=row.status,
            note=" ".join(
                part for part in [row.status_note, row.successor and f"→ {row.successor}"] if part
            ),
            source=row.status_source,
        )
        for row in rows
    ]


def _corrections(limit: int, mesh: str | None) -> list[Change]:
    rows = Suggestion.objects.filter(status=SuggestionStatus.ACCEPTED).select_related(
        "support__mesh", "support__feature"
    )
    if mesh:
        rows = rows.filter(support__mesh__slug=mesh)
    return [
        Change(
            kind=ChangeKind.CORRECTION,
            date=row.decided_at or row.created,
            key=f"correction-{row.pk}",
            mesh_slug=row.support.mesh.slug,
            mesh_name=row.support.mesh.name,
            feature_slug=row.support.feature.slug,
            feature_name=row.support.feature.name,
            feature_name_de=row.support.feature.name_de,
            old=row.replaced_level,
            new=row.level,
            note=row.note,
            source=row.source,
            credit=row.credit,
        )
        for row in rows.order_by("-decided_at", "-pk")[:limit]
    ]


def public_changes(limit: int = 50, mesh: str | None = None) -> list[Change]:
    """Every public change, newest first: level changes, accepted corrections, status changes
    and releases (dated by the data), version edits, meshes and features added or removed.
    Optionally only those of one mesh (by slug). One query per kind of change.
    """
    releases = _releases(mesh)
    released = {(change.mesh_slug, change.new) for change in releases}
    # A release the watch saw and the data does not describe yet is news too.
    releases += [c for c in _watched_releases(mesh) if (c.mesh_slug, c.new) not in released]
    changes = [
        *_level_changes(limit, mesh),
        *_corrections(limit, mesh),
        *_status_changes(mesh),
        *releases,
        # An edit that entered a version whose release date is known is listed on that date.
        *(c for c in _version_changes(limit, mesh) if (c.mesh_slug, c.new) not in released),
        *_added_and_removed(limit, mesh),
    ]
    changes.sort(key=lambda change: (change.date, change.key), reverse=True)
    return changes[:limit]


def ensure_history_baseline() -> int:
    """Give every row without history a first record (rows loaded as fixtures have none)."""
    created = 0
    for model in (Category, Feature, Mesh, Support):
        recorded = model.history.values("id")
        missing = list(model.objects.exclude(pk__in=recorded))
        if missing:
            created += len(
                model.history.bulk_history_create(
                    missing, default_change_reason=INITIAL_DATA_REASON
                )
            )
    return created


class ConformanceReportManager(models.Manager["ConformanceReport"]):
    def get_by_natural_key(self, source_path: str) -> ConformanceReport:
        return self.get(source_path=source_path)


class ConformanceReportQuerySet(models.QuerySet["ConformanceReport"]):
    def newest_first(self) -> ConformanceReportQuerySet:
        return self.order_by("-date", "-source_path")


class ConformanceReport(models.Model):
    """One Gateway API conformance report (kind: ConformanceReport) a project submitted upstream.

    Imported from the report file (import_conformance), never typed: `profiles` keeps each
    profile's name, core and extended result with statistics, and the supported and unsupported
    features, as the file lists them (comparison/conformance.py reads and checks them).
    """

    mesh = models.ForeignKey(Mesh, on_delete=models.CASCADE, related_name="conformance_reports")
    implementation = models.CharField(
        max_length=200, help_text="organization/project as the report names it."
    )
    mesh_version = models.CharField("version tested", max_length=80)
    gateway_api_version = models.CharField("Gateway API version", max_length=20)
    gateway_api_channel = models.CharField("channel", max_length=20, blank=True)
    mode = models.CharField(max_length=60, blank=True)
    date = models.DateTimeField(help_text="When the suite ran, as the report says.")
    profiles = models.JSONField(default=list)
    source_url = models.URLField("report", max_length=500)
    source_path = models.CharField(
        "path", max_length=300, unique=True, help_text="The report's path in its repository."
    )
    source_commit = models.CharField("commit", max_length=40, blank=True)
    imported_on = models.DateField(default=datetime.date.today)

    objects = ConformanceReportManager.from_queryset(ConformanceReportQuerySet)()

    class Meta:
        ordering = ["mesh__name", "-date"]

    def __str__(self) -> str:
        return f"{self.mesh}: {self.mesh_version} (Gateway API {self.gateway_api_version})"

    def natural_key(self) -> tuple[str]:
        return (self.source_path,)

    natural_key.dependencies = ["comparison.mesh"]  # type: ignore[attr-defined]

    def profile(self, name: str) -> dict | None:
        return next((p for p in self.profiles if p.get("name") == name), None)

    @property
    def profile_summary(self) -> str:
        """e.g. "MESH-HTTP passed; MESH-GRPC core partial; GATEWAY-HTTP passed"."""
        parts = []
        for profile in sorted(
            self.profiles, key=lambda p: (not p["name"].startswith("MESH"), p["name"])
        ):
            results = [profile["core"]["result"]]
            if profile.get("extended"):
                results.append(profile["extended"]["result"])
            if all(result == "success" for result in results):
                parts.append(f"{profile['name']} passed")
                continue
            text = f"{profile['name']} core {results[0]}"
            if len(results) > 1:
                text += f", extended {results[1]}"
            parts.append(text)
        return "; ".join(parts)


class ConformanceMappingManager(models.Manager["ConformanceMapping"]):
    def get_by_natural_key(self, profile: str, test: str, feature: str) -> ConformanceMapping:
        return self.get(
            profile=profile,
            conformance_feature="" if test == CORE_TESTS else test,
            feature__slug=feature,
        )


# The key part of a mapping that stands for a profile's core tests (no feature name).
CORE_TESTS = "core"


class ConformanceMapping(models.Model):
    """Which conformance results bear on which of the portal's features.

    Empty `conformance_feature` means the profile's core tests (e.g. MESH-HTTP core runs
    MeshHTTPRouteWeight and MeshHTTPRouteMatching); otherwise a feature name the report lists as
    supported or unsupported (e.g. MeshHTTPRouteRewritePath).
    """

    profile = models.CharField(max_length=40, help_text="e.g. MESH-HTTP, MESH-GRPC")
    conformance_feature = models.CharField(
        max_length=80, blank=True, help_text="Empty: the profile's core tests."
    )
    feature = models.ForeignKey(
        Feature, on_delete=models.CASCADE, related_name="conformance_mappings"
    )
    note = models.CharField(max_length=300, blank=True, help_text="Which tests bear on it.")

    objects = ConformanceMappingManager()

    class Meta:
        ordering = ["profile", "conformance_feature", "feature__slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "conformance_feature", "feature"],
                name="conformance_mapping_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.profile} {self.conformance_feature or 'core'} → {self.feature}"

    def natural_key(self) -> tuple[str, str, str]:
        return (self.profile, self.conformance_feature or CORE_TESTS, self.feature.slug)

    natural_key.dependencies = ["comparison.feature"]  # type: ignore[attr-defined]


class ReleaseCycleManager(models.Manager["ReleaseCycle"]):
    def get_by_natural_key(self, mesh: str, cycle: str) -> ReleaseCycle:
        return self.get(mesh__slug=mesh, cycle=cycle)


class ReleaseCycleQuerySet(models.QuerySet["ReleaseCycle"]):
    def supported(self, on: datetime.date | None = None) -> ReleaseCycleQuerySet:
        """Cycles still supported on the day (no end announced counts as supported)."""
        on = on or timezone.localdate()
        return self.filter(Q(end_of_support__isnull=True) | Q(end_of_support__gte=on))


class ReleaseCycle(models.Model):
    """One release line of a mesh and how long it is supported, from a first-hand source.

    Imported from the project's own lifecycle file (import_lifecycles: endoflife.date's format,
    Istio's supportStatus.yml, Kuma's versions.yml) or entered by an editor from the vendor's
    support-policy page.
    """

    mesh = models.ForeignKey(Mesh, on_delete=models.CASCADE, related_name="release_cycles")
    cycle = models.CharField(max_length=40, help_text="As the project writes it, e.g. 1.31.")
    release_date = models.DateField(null=True, blank=True)
    end_of_support = models.DateField(
        "end of support",
        null=True,
        blank=True,
        help_text="Empty while the project has not announced a day.",
    )
    end_of_support_note = models.CharField(
        "end of support, in the project's words",
        max_length=200,
        blank=True,
        help_text="e.g. “~Feb 2027 (expected)” or “6 weeks after 1.33”.",
    )
    latest = models.CharField("latest patch", max_length=80, blank=True)
    latest_date = models.DateField("latest patch released", null=True, blank=True)
    kubernetes_versions = models.CharField(max_length=200, blank=True)
    lts = models.BooleanField("long-term support", default=False)
    source = models.URLField(max_length=500, help_text="The first-hand page the dates are on.")
    source_file = models.CharField(
        "imported from",
        max_length=300,
        blank=True,
        help_text="repository path@commit of the file it was imported from; empty when typed.",
    )
    last_verified = models.DateField(default=datetime.date.today)

    objects = ReleaseCycleManager.from_queryset(ReleaseCycleQuerySet)()
    history = HistoricalRecords()

    class Meta:
        ordering = ["mesh", "cycle"]
        constraints = [
            models.UniqueConstraint(fields=["mesh", "cycle"], name="release_cycle_unique")
        ]

    def __str__(self) -> str:
        return f"{self.mesh} {self.cycle}"

    def natural_key(self) -> tuple[str, str]:
        return (self.mesh.slug, self.cycle)

    natural_key.dependencies = ["comparison.mesh"]  # type: ignore[attr-defined]

    def supported_on(self, day: datetime.date) -> bool:
        return self.end_of_support is None or self.end_of_support >= day

    @staticmethod
    def order_key(cycle: ReleaseCycle) -> tuple[tuple[int, ...], datetime.date]:
        """Newer lines sort higher: by the numbers in the name (1.31, asm-1-30), then release."""
        numbers = tuple(int(n) for n in re.findall(r"\d+", cycle.cycle)[:4])
        return numbers, cycle.release_date or datetime.date.min

    @property
    def ended(self) -> bool:
        return not self.supported_on(timezone.localdate())

    @property
    def end_words(self) -> str:
        """The end of support as a reader should see it: the day, or the project's words."""
        if self.end_of_support_note:
            return self.end_of_support_note
        return self.end_of_support.isoformat() if self.end_of_support else ""

    def clean(self) -> None:
        if self.release_date and self.end_of_support and self.end_of_support < self.release_date:
            raise ValidationError({"end_of_support": "Support cannot end before the release."})
        host = mirror_host(self.source)
        if host:
            raise ValidationError(
                {"source": f"{host} copies or aggregates other pages: cite the vendor's own page."}
            )
