"""The database itself enforces the data rules, not only the forms."""

import datetime
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from comparison.data_exchange import export_data
from comparison.models import Category, Feature, Level, Mesh, OverheadFigure, Support


@pytest.fixture
def mesh(db) -> Mesh:
    return Mesh.objects.create(
        slug="demo",
        name="Demo mesh",
        summary="A mesh for tests.",
        licence="Apache-2.0",
        developer="Tests",
        proxy="Envoy",
        data_plane=Mesh.DataPlane.SIDECAR,
        platforms=Mesh.Platforms.KUBERNETES_ONLY,
        maturity=Mesh.Maturity.LEADING,
        cncf_status=Mesh.CncfStatus.NONE,
    )


@pytest.fixture
def feature(db) -> Feature:
    category = Category.objects.create(slug="test-security", name="Test security")
    return Feature.objects.create(slug="mtls", name="mTLS", category=category, description="x")


def test_new_mesh_and_feature_get_an_unknown_cell(mesh, feature):
    cell = Support.objects.get(mesh=mesh, feature=feature)
    assert cell.level == Level.UNKNOWN
    assert Support.objects.filter(mesh=mesh).count() == Feature.objects.count()


def test_duplicate_mesh_feature_row_is_rejected_by_the_database(mesh, feature):
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.bulk_create([Support(mesh=mesh, feature=feature)])


def test_invalid_level_is_rejected_by_the_database(mesh, feature):
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.filter(mesh=mesh, feature=feature).update(level="maybe")


def test_yes_without_source_is_rejected_by_the_database(mesh, feature):
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.filter(mesh=mesh, feature=feature).update(level=Level.YES, source="")


def test_yes_with_source_is_accepted(mesh, feature):
    Support.objects.filter(mesh=mesh, feature=feature).update(
        level=Level.YES, source="https://example.org/docs"
    )
    assert Support.objects.get(mesh=mesh, feature=feature).level == Level.YES


def test_partial_needs_a_note(mesh, feature):
    cell = Support.objects.get(mesh=mesh, feature=feature)
    cell.level, cell.source = Level.PARTIAL, "https://example.org/docs"
    with pytest.raises(ValidationError) as excinfo:
        cell.full_clean()
    assert "note" in excinfo.value.message_dict


def test_duplicate_slugs_are_rejected(mesh, feature):
    with pytest.raises(IntegrityError), transaction.atomic():
        Feature.objects.create(
            slug="mtls", name="Other", category=feature.category, description="x"
        )


def test_discontinued_status_needs_matching_maturity_and_date(mesh):
    mesh.status = Mesh.Status.ARCHIVED
    with pytest.raises(IntegrityError), transaction.atomic():
        mesh.save()  # maturity still 'leading', no date
    mesh.maturity = Mesh.Maturity.DISCONTINUED
    with pytest.raises(IntegrityError), transaction.atomic():
        mesh.save()  # still no date
    mesh.status_date = datetime.date(2023, 7, 11)
    mesh.save()
    assert mesh not in Mesh.objects.active()
    assert mesh in Mesh.objects.discontinued()


def test_traffic_split_lines_count_only_configuration(mesh):
    mesh.traffic_split_yaml = "# comment\napiVersion: v1\n\nkind: X\n---\nmetadata: {}\n"
    assert mesh.traffic_split_lines == 3


# Stages, versions and distributions that follow their upstream.


@pytest.fixture
def family(db):
    from tests import factories

    factories.clear_catalogue()
    upstream = factories.mesh(slug="upstream", name="Upstream", current_version="1.4.2")
    feature = factories.feature(slug="retries")
    origin = factories.cell(
        upstream, feature, level="yes", stage="beta", since_version="1.3", note="Per route."
    )
    distribution = factories.mesh(slug="dist", name="Distribution", upstream=upstream)
    return upstream, distribution, feature, origin


def test_a_distribution_starts_with_its_upstreams_cells(family):
    _upstream, distribution, feature, origin = family
    cell = Support.objects.get(mesh=distribution, feature=feature)
    assert cell.inherited
    assert (cell.level, cell.stage, cell.since_version, cell.note, cell.source) == (
        "yes",
        "beta",
        "1.3",
        "Per route.",
        origin.source,
    )
    assert cell.last_verified == origin.last_verified


def test_an_upstream_change_reaches_every_distribution_at_once(family):
    upstream, distribution, feature, origin = family
    from tests import factories

    other = factories.mesh(slug="other-dist", upstream=upstream)
    version_before = Mesh.objects.get(pk=distribution.pk).version
    origin.stage, origin.since_version = "stable", "1.4"
    origin.save()
    for mesh in (distribution, other):
        cell = Support.objects.get(mesh=mesh, feature=feature)
        assert (cell.stage, cell.since_version) == ("stable", "1.4")
    # A distribution's open edit form must not overwrite what changed under it.
    assert Mesh.objects.get(pk=distribution.pk).version > version_before


def test_an_override_keeps_its_own_value_until_it_follows_again(family):
    _upstream, distribution, feature, origin = family
    cell = Support.objects.get(mesh=distribution, feature=feature)
    cell.inherited, cell.level, cell.stage, cell.note = False, "no", "", "Not in this product."
    cell.source = "https://dist.example.com/limits"
    cell.save()
    origin.note = "Per route and per host."
    origin.save()
    cell.refresh_from_db()
    assert (cell.level, cell.note) == ("no", "Not in this product.")
    cell.inherited = True
    cell.save()
    cell.refresh_from_db()
    assert (cell.level, cell.note) == ("yes", "Per route and per host.")


def test_checked_unchanged_on_an_inherited_cell_checks_the_upstream_cell(family):
    upstream, distribution, feature, _origin = family
    old = datetime.date(2025, 1, 2)
    Support.objects.filter(feature=feature).update(last_verified=old)
    Support.objects.filter(mesh=distribution).mark_verified()
    today = datetime.date.today()
    assert Support.objects.get(mesh=upstream, feature=feature).last_verified == today
    assert Support.objects.get(mesh=distribution, feature=feature).last_verified == today


def test_upstream_rules(family):
    upstream, distribution, _feature, _origin = family
    from tests import factories

    with pytest.raises(ValidationError, match="must be an upstream project"):
        factories.mesh(slug="chain", upstream=distribution).full_clean()
    upstream.upstream = upstream
    with pytest.raises(ValidationError, match="its own upstream"):
        upstream.full_clean()
    upstream.upstream = distribution
    with pytest.raises(ValidationError):
        upstream.full_clean()
    loose = factories.mesh(slug="loose", upstream_version="1.0")
    with pytest.raises(ValidationError, match="Only a distribution"):
        loose.full_clean()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"level": "no", "stage": "beta"}, "A stage belongs to a yes or partial."),
        ({"level": "yes", "removed_in": "1.6"}, "A feature removed in some version is a no."),
    ],
)
def test_stage_and_removal_fit_the_level(mesh, feature, fields, message):
    cell = Support.objects.get(mesh=mesh, feature=feature)
    for name, value in {"source": "https://example.org/x", **fields}.items():
        setattr(cell, name, value)
    with pytest.raises(ValidationError, match=message):
        cell.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        cell.save()


def test_an_own_mesh_cannot_inherit(mesh, feature):
    cell = Support.objects.get(mesh=mesh, feature=feature)
    cell.inherited = True
    with pytest.raises(ValidationError, match="Only a distribution"):
        cell.full_clean()


@pytest.mark.parametrize(
    ("measured", "published", "old"),
    [
        ("1.29", "2026-09", False),  # two minors back, recent
        ("1.28.3", "2026-09", True),  # three minors back
        ("0.9", "2026-09", True),  # another major version
        ("1.30", "2025-05", True),  # published 19 months ago
        ("", "2025-07", False),
    ],
)
def test_overhead_figure_is_old(mesh, measured, published, old):
    figure = mesh.overhead_figures.create(
        slug="f", kind="project", publisher="p", title="t", source="https://example.org/b",
        component="sidecar", setup="s", latency_p50_ms=1, mesh_version=measured,
        published=published,
    )  # fmt: skip
    assert figure.is_old("1.31.1", today=datetime.date(2026, 12, 7)) is old
    assert figure.missing_context == (["mesh_version"] if not measured else []) + [
        "data_plane_mode",
        "hardware",
        "requests_per_second",
    ]
    assert figure not in OverheadFigure.objects.comparable()
    figure.mesh_version, figure.data_plane_mode, figure.hardware = "1.29", "sidecar", "2 nodes"
    figure.requests_per_second = 1000
    figure.save()
    assert figure in OverheadFigure.objects.comparable()
    # A control plane's figure says its load instead of a request rate.
    figure.resource_scope, figure.requests_per_second, figure.load = "control plane", None, ""
    figure.save()
    assert figure.missing_context == ["load"]
    assert figure not in OverheadFigure.objects.comparable()
    figure.load = "2,000 sidecars"
    figure.save()
    assert figure in OverheadFigure.objects.comparable()


def test_bulk_verification_and_import_bump_the_mesh_version(db, tmp_path):
    mesh = Mesh.objects.get(slug="consul")
    before = mesh.version
    Support.objects.filter(mesh=mesh).mark_verified()
    mesh.refresh_from_db()
    assert mesh.version > before

    before = mesh.version
    data = json.loads(export_data())
    cell = next(
        item
        for item in data
        if item["model"] == "comparison.support" and item["fields"]["mesh"] == ["consul"]
    )
    cell["fields"]["note"] = "Imported note."
    if cell["fields"]["level"] == "unknown":
        cell["fields"].update(level="no", source="https://example.org/imported")
    path = tmp_path / "data.json"
    path.write_text(json.dumps(data))
    call_command("import_meshes", str(path), stdout=io.StringIO())
    mesh.refresh_from_db()
    assert mesh.version > before
