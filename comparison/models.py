"""The mesh data: meshes, features grouped in categories, one support cell per mesh x feature."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Count, F, Q, TextChoices, Window
from django.db.models.functions import Lag
from django.urls import reverse
from django.utils import timezone, translation
from simple_history.models import HistoricalRecords

from .choices import (
    SMI_FEATURE_PREFIX,
    BuildsOn,
    Cloud,
    CncfStatus,
    DataPlane,
    Level,
    Maturity,
    Orchestrator,
    Platforms,
    ProxyFamily,
    Status,
)


def comma_list_validator(choices: type[TextChoices]) -> RegexValidator:
    """Comma-separated values from one choice list, e.g. "aws,gcp" (empty allowed)."""
    return RegexValidator(
        r"^(({c})(,({c}))*)?$".format(c="|".join(choices.values)),
        "Comma-separated, from: " + ", ".join(choices.values) + ".",
    )


def source_field(fact: str) -> models.URLField:
    return models.URLField(
        f"source: {fact}", max_length=500, blank=True, help_text="The page this fact was read on."
    )


def in_german() -> bool:
    return (translation.get_language() or "").startswith("de")


class Bilingual:
    """Names and descriptions kept in English and German; pages show the active language's."""

    @property
    def display_name(self) -> str:
        return (in_german() and self.name_de) or self.name

    @property
    def display_description(self) -> str:
        return (in_german() and self.description_de) or self.description


def stale_before() -> datetime.date:
    """Data last verified before this date counts as stale (settings.STALE_AFTER_DAYS)."""
    return timezone.localdate() - datetime.timedelta(days=settings.STALE_AFTER_DAYS)


def is_stale(verified: datetime.date | None, before: datetime.date | None = None) -> bool:
    """The one staleness rule; pass `before` when checking many dates in one request."""
    return verified is None or verified < (before or stale_before())


class VerifiedQuerySet(models.QuerySet):
    """Rows with a last_verified date: the stale and the fresh ones, by the one rule above."""

    def mark_verified(self, **also: object) -> int:
        """Set last_verified to today in one UPDATE, and say that the data changed."""
        from .signals import data_updated

        count = self.update(last_verified=timezone.localdate(), **also)
        data_updated.send(sender=self.model)
        return count

    def stale(self):
        return self.filter(last_verified__lt=stale_before())

    def fresh(self):
        return self.filter(last_verified__gte=stale_before())


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

    objects = SlugManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class FeatureQuerySet(models.QuerySet):
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

    natural_key.dependencies = ["comparison.category"]

    def support_by_level(self) -> list[tuple[str, str, list[Support]]]:
        """Every mesh's cell for this feature, grouped yes, partial, no, unknown (one query)."""
        cells = self.supports.select_related("mesh").order_by("mesh__name")
        groups: dict[str, list[Support]] = {level: [] for level in Level.values}
        for cell in cells:
            groups[cell.level].append(cell)
        return [(level, str(Level(level).label), groups[level]) for level in Level.values]


class MeshQuerySet(VerifiedQuerySet):
    def active(self) -> MeshQuerySet:
        return self.filter(status=Mesh.Status.ACTIVE)

    def discontinued(self) -> MeshQuerySet:
        return self.exclude(status=Mesh.Status.ACTIVE)

    def with_smi_counts(self) -> MeshQuerySet:
        """Annotate how many SMI parts each mesh implements fully and at least partly."""
        smi = Q(supports__feature__slug__startswith=SMI_FEATURE_PREFIX)
        return self.annotate(
            smi_yes=Count("supports", filter=smi & Q(supports__level=Level.YES)),
            smi_any=Count(
                "supports", filter=smi & Q(supports__level__in=[Level.YES, Level.PARTIAL])
            ),
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
    summary = models.CharField(max_length=240)
    website = models.URLField(blank=True)
    docs_url = models.URLField("documentation", blank=True)
    repository_url = models.URLField("repository", blank=True)
    licence = models.CharField(max_length=80)
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
    proxy = models.CharField("proxy used", max_length=120)
    data_plane = models.CharField("data-plane model", max_length=20, choices=DataPlane)
    platforms = models.CharField(max_length=20, choices=Platforms)
    platform_notes = models.CharField(max_length=240, blank=True)
    maturity = models.CharField("maturity tier", max_length=20, choices=Maturity)
    status = models.CharField(max_length=20, choices=Status, default=Status.ACTIVE)
    status_date = models.DateField(
        null=True,
        blank=True,
        help_text="When it was archived, reached end of life, or development was declared stopped.",
    )
    status_note = models.TextField(blank=True)
    status_source = models.URLField(blank=True)
    successor = models.CharField(
        max_length=200, blank=True, help_text="What users of a discontinued product moved to."
    )
    successor_links = models.TextField(
        blank=True,
        validators=[
            RegexValidator(
                r"^(\S[^\n|]*\|\s*https?://\S+\s*(\n|$))*$",
                "One link per line: name | https://…",
            )
        ],
        help_text="The documentation of what users moved to, one per line: name | https://…",
    )
    cncf_status = models.CharField("CNCF status", max_length=20, choices=CncfStatus)
    cncf_source = source_field("CNCF status")
    clouds = models.CharField(
        "offered by clouds",
        max_length=40,
        blank=True,
        validators=[comma_list_validator(Cloud)],
        help_text="Clouds offering this mesh as a managed service or add-on: aws, gcp, azure.",
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
    orchestrators = models.CharField(
        "orchestrators outside Kubernetes",
        max_length=80,
        blank=True,
        validators=[comma_list_validator(Orchestrator)],
        help_text="Comma-separated, from: " + ", ".join(Orchestrator.values) + ".",
    )
    orchestrators_note = models.CharField(max_length=300, blank=True)
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
    traffic_split_yaml = models.TextField(
        "90/10 traffic split (YAML)",
        blank=True,
        help_text="The configuration this mesh needs to send 90% of traffic to v1 and 10% to v2.",
    )
    traffic_split_source = models.URLField(blank=True)

    # Optimistic concurrency: every save through the admin must name the version it started from.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = SlugManager.from_queryset(MeshQuerySet)()
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

    def get_absolute_url(self) -> str:
        return reverse("comparison:mesh-detail", args=[self.slug])

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def cloud_set(self) -> frozenset[str]:
        return frozenset(c for c in self.clouds.split(",") if c)

    @property
    def orchestrator_set(self) -> frozenset[str]:
        return frozenset(o for o in self.orchestrators.split(",") if o)

    def get_orchestrators_display(self) -> str:
        return ", ".join(
            str(Orchestrator(o).label) for o in Orchestrator if o in self.orchestrator_set
        )

    @property
    def successor_link_list(self) -> list[tuple[str, str]]:
        """(name, url) of each successor link, in the editor's order."""
        links = []
        for line in self.successor_links.splitlines():
            name, _bar, url = line.partition("|")
            if name.strip() and url.strip():
                links.append((name.strip(), url.strip()))
        return links

    @property
    def is_discontinued(self) -> bool:
        return self.status != self.Status.ACTIVE

    @property
    def is_stale(self) -> bool:
        return is_stale(self.last_verified)

    @property
    def traffic_split_lines(self) -> int:
        """Non-empty, non-comment lines: what an operator actually has to write."""
        return sum(
            1
            for line in self.traffic_split_yaml.splitlines()
            if line.strip() and not line.strip().startswith("#") and line.strip() != "---"
        )


class SupportQuerySet(VerifiedQuerySet):
    def mark_verified(self, **also: object) -> int:
        # Cells changed in bulk bump their meshes' edit versions, as Support.save() does.
        Mesh.objects.filter(pk__in=self.values("mesh_id")).update(version=F("version") + 1)
        return super().mark_verified(**also)

    def get_by_natural_key(self, mesh_slug: str, feature_slug: str) -> Support:
        return self.get(mesh__slug=mesh_slug, feature__slug=feature_slug)

    def fill_missing(self, meshes=None, features=None) -> None:
        """Create an 'unknown' cell for every mesh x feature pair that has none yet."""
        meshes = list(meshes) if meshes is not None else list(Mesh.objects.all())
        features = list(features) if features is not None else list(Feature.objects.all())
        self.bulk_create(
            [Support(mesh=m, feature=f) for m in meshes for f in features],
            ignore_conflicts=True,
        )


class Support(models.Model):
    """How far one mesh supports one feature, with the evidence for it."""

    mesh = models.ForeignKey(Mesh, on_delete=models.CASCADE, related_name="supports")
    feature = models.ForeignKey(Feature, on_delete=models.CASCADE, related_name="supports")
    level = models.CharField(max_length=10, choices=Level, default=Level.UNKNOWN)
    note = models.CharField(
        max_length=300, blank=True, help_text="Required for 'partial': what exactly is missing."
    )
    source = models.URLField(max_length=500, blank=True)
    last_verified = models.DateField(default=datetime.date.today)

    objects = SupportQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
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
        ]

    def __str__(self) -> str:
        return f"{self.mesh} / {self.feature}: {self.level}"

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        # A cell is part of its mesh's edit form: an editor who opened that form before this
        # write must be refused, not overwrite it (the admin's edit-version check).
        Mesh.objects.filter(pk=self.mesh_id).update(version=F("version") + 1)

    def natural_key(self) -> tuple[str, str]:
        return (self.mesh.slug, self.feature.slug)

    natural_key.dependencies = ["comparison.mesh", "comparison.feature"]

    @property
    def is_stale(self) -> bool:
        return is_stale(self.last_verified)

    def clean(self) -> None:
        if self.level == Level.PARTIAL and not self.note.strip():
            raise ValidationError({"note": "Say what is missing when the support is partial."})


@dataclass(frozen=True)
class LevelChange:
    """One support cell changing level, read from the history."""

    id: int
    date: datetime.datetime
    mesh_slug: str
    mesh_name: str
    feature_slug: str
    feature_name: str
    old: str
    new: str
    note: str
    source: str
    feature_name_de: str = ""

    @property
    def old_label(self) -> str:
        return Level(self.old).label

    @property
    def new_label(self) -> str:
        return Level(self.new).label

    @property
    def display_feature_name(self) -> str:
        return (in_german() and self.feature_name_de) or self.feature_name


def recent_level_changes(limit: int = 50) -> list[LevelChange]:
    """The latest changes of support levels, newest first, in one query.

    Each historical row is paired with the level its cell had just before (a window function), so
    saves that changed only a note, or nothing, are skipped. A cell's first record has nothing to
    compare with: loading the data should create those (manage.py populate_history --auto).
    """
    history = Support.history.model.objects.annotate(
        previous=Window(Lag("level"), partition_by=[F("id")], order_by=F("history_id").asc()),
        mesh_name=F("mesh__name"),
        mesh_slug=F("mesh__slug"),
        feature_name=F("feature__name"),
        feature_name_de=F("feature__name_de"),
        feature_slug=F("feature__slug"),
    )
    rows = (
        history.filter(previous__isnull=False)
        .exclude(previous=F("level"))
        .exclude(history_type="-")
        .order_by("-history_date", "-history_id")[:limit]
    )
    return [
        LevelChange(
            id=row.history_id,
            date=row.history_date,
            mesh_slug=row.mesh_slug,
            mesh_name=row.mesh_name,
            feature_slug=row.feature_slug,
            feature_name=row.feature_name,
            old=row.previous,
            new=row.level,
            note=row.note,
            source=row.source,
            feature_name_de=row.feature_name_de,
        )
        for row in rows
    ]


def ensure_history_baseline() -> int:
    """Give every row without history a first record (rows loaded as fixtures have none)."""
    created = 0
    for model in (Category, Feature, Mesh, Support):
        recorded = model.history.values("id")
        missing = list(model.objects.exclude(pk__in=recorded))
        if missing:
            created += len(model.history.bulk_history_create(missing))
    return created
