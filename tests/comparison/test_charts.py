"""comparison/charts.py: coverage counts only current standards; published overhead is charted
with its caveat."""

from django.urls import reverse

from comparison import charts
from comparison.models import Category, Feature, Mesh, OverheadFigure


def test_smi_is_history(client, db):
    smi = Category.objects.get(slug="smi")
    assert smi.is_archived and smi.archived_source.startswith("https://www.cncf.io/")
    # Coverage counts only current standards.
    current = Feature.objects.current().count()
    assert current == Feature.objects.exclude(category=smi).count() < Feature.objects.count()
    chart = charts.coverage_by_mesh(list(Mesh.objects.active()))
    assert {row.total for row in chart.rows} == {current}
    by_area = charts.coverage_by_category(Mesh.objects.get(slug="linkerd"))
    assert smi.name not in [row.label for row in by_area.rows]
    # The table and the feature page say so.
    table = client.get("/").content.decode()
    assert "archived Oct 2023" in table
    page = client.get(reverse("comparison:feature-detail", args=["smi-traffic-split"]))
    assert "Archived on" in page.content.decode()


def test_overview_charts_published_overhead_with_the_caveat(client, db):
    page = client.get("/overview/").content.decode()
    assert "Set-ups differ." in page
    assert "Latency added at p99, as published" in page
    assert "Memory used, as published" in page
    assert "Third-party benchmark" in page
    chart = charts.overhead_chart(
        OverheadFigure.objects.select_related("mesh"), "memory_mib", "m", "MiB"
    )
    assert chart.bars and all("control plane" not in bar.label for bar in chart.bars)
    values = [bar.value for bar in chart.bars]
    assert values == sorted(values)
