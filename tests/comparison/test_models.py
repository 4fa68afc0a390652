"""The database itself enforces the data rules, not only the forms."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from comparison.models import Category, Feature, Level, Mesh, Support


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
