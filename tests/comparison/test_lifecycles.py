"""Release lifecycles: real lifecycle files (tests/comparison/data/lifecycles, see SOURCES.md) read
in their three formats, imported idempotently and never half-way, and shown as support windows."""

import datetime
import json
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from comparison import lifecycles
from comparison.lifecycles import Entry, LifecycleError, import_entries, istio_date, parse
from comparison.lint import lint
from comparison.matrix import FACTS
from comparison.models import Mesh, ReleaseCycle
from tests import factories

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data" / "lifecycles"
SOURCE = "https://istio.io/latest/docs/releases/supported-releases/"


def test_endoflife_date_front_matter():
    cycles = {c.cycle: c for c in parse((DATA / "endoflife-istio.md").read_text())}
    assert cycles["1.30"].release_date == datetime.date(2026, 5, 18)
    assert cycles["1.30"].end_of_support == datetime.date(2026, 11, 30)
    assert cycles["1.30"].latest == "1.30.3"
    assert cycles["1.30"].kubernetes_versions == "1.32 - 1.36"
    cilium = {c.cycle: c for c in parse((DATA / "endoflife-cilium.md").read_text())}
    assert cilium["1.20"].end_of_support is None  # eol: false, still supported
    assert cilium["1.17"].end_of_support == datetime.date(2026, 7, 29)


def test_istio_support_status_file():
    cycles = parse((DATA / "istio-supportStatus.yml").read_text())
    names = [c.cycle for c in cycles]
    assert "master" not in names and names[:2] == ["1.21", "1.20"]
    by_name = {c.cycle: c for c in cycles}
    assert by_name["1.18"].end_of_support == datetime.date(2024, 1, 4)
    assert by_name["1.19"].release_date == datetime.date(2023, 9, 5)  # "Sept 5, 2023"
    # A month alone is the project's expectation, not a day: kept as its words.
    assert by_name["1.21"].end_of_support is None
    assert by_name["1.21"].end_of_support_note == "~Dec 2024 (Expected)"
    assert by_name["1.21"].kubernetes_versions == "1.26, 1.27, 1.28, 1.29"


def test_kuma_versions_file():
    cycles = {c.cycle: c for c in parse((DATA / "kuma-versions.yml").read_text())}
    assert "2.15" not in cycles  # the development line
    assert cycles["2.13"].lts and not cycles["2.14"].lts
    assert cycles["2.13"].end_of_support == datetime.date(2027, 12, 22)
    assert cycles["2.14"].latest == "2.14.3"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("just text", "not a lifecycle file"),
        ("---\nreleases: [\n---\n", "not valid YAML"),
        ("---\ntitle: x\n---\n", "no releases list"),
        ("---\nreleases:\n  - releaseCycle: '1'\n    eol: someday\n---\n", "is not a date"),
        ("---\nreleases:\n  - releaseCycle: '1'\n    eol: true\n---\n", "without a date"),
        ("- version: '1.2'\n  eolDate: 'Smarch 3, 2024'\n", "is not a date"),
        ("- edition: kuma\n  release: 1.x\n  releaseDate: '2024-02-30'\n", "is not a date"),
    ],
)
def test_a_bad_file_is_refused_with_what_is_wrong(text, message):
    with pytest.raises(LifecycleError, match=message):
        parse(text)


def test_istio_dates_in_their_words():
    assert istio_date("12 Oct 2026 (Expected)") == (
        datetime.date(2026, 10, 12),
        "12 Oct 2026 (Expected)",
    )
    assert istio_date("Jun 3, 2023") == (datetime.date(2023, 6, 3), "")
    assert istio_date("~March 2024 (Expected)") == (None, "~March 2024 (Expected)")


@pytest.fixture
def istio():
    factories.clear_catalogue()
    return factories.mesh(slug="istio", name="Istio", current_version="1.31.1")


def entry(path: Path, mesh: str = "istio") -> Entry:
    return Entry(
        mesh, path, "", SOURCE, "istio/istio.io data/compatibility/supportStatus.yml@8892748"
    )


def test_import_is_idempotent_and_records_where_each_value_came_from(istio):
    result = import_entries([entry(DATA / "istio-supportStatus.yml")])
    assert result.added == 9
    cycle = ReleaseCycle.objects.get(mesh=istio, cycle="1.18")
    assert cycle.source == SOURCE
    assert cycle.source_file.endswith("supportStatus.yml@8892748")
    assert cycle.last_verified == datetime.date.today()
    again = import_entries([entry(DATA / "istio-supportStatus.yml")])
    assert (again.added, again.changed, again.unchanged) == (0, 0, 9)


def test_a_cycle_an_editor_typed_is_never_overwritten(istio):
    ReleaseCycle.objects.create(
        mesh=istio, cycle="1.21", end_of_support=datetime.date(2025, 1, 2), source=SOURCE
    )
    result = import_entries([entry(DATA / "istio-supportStatus.yml")])
    assert "istio 1.21: kept (entered by an editor)" in "\n".join(result.lines)
    assert ReleaseCycle.objects.get(mesh=istio, cycle="1.21").end_of_support == datetime.date(
        2025, 1, 2
    )


def test_dry_run_and_a_bad_file_write_nothing(istio, tmp_path):
    result = import_entries([entry(DATA / "istio-supportStatus.yml")], dry_run=True)
    assert result.added == 9 and not ReleaseCycle.objects.exists()
    broken = tmp_path / "supportStatus.yml"
    broken.write_text((DATA / "istio-supportStatus.yml").read_text().replace("Jan 4, 2024", "soon"))
    with pytest.raises(LifecycleError, match=r"supportStatus\.yml"):
        # The good file is listed first: it must not be imported either.
        import_entries([entry(DATA / "kuma-versions.yml"), entry(broken)])
    assert not ReleaseCycle.objects.exists()


def test_the_manifest_names_the_first_hand_page_never_an_aggregator(istio, tmp_path):
    shutil.copy(DATA / "kuma-versions.yml", tmp_path / "versions.yml")
    manifest = {
        "files": [
            {
                "mesh": "istio",
                "path": "versions.yml",
                "repository": "https://github.com/kumahq/kuma",
                "repository_path": "versions.yml",
                "commit": "348b652",
                "source": "https://endoflife.date/kuma",
            }
        ]
    }
    (tmp_path / "lifecycles.json").write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="cite the project's own page"):
        call_command("import_lifecycles", str(tmp_path / "lifecycles.json"))
    manifest["files"][0]["source"] = "https://github.com/kumahq/kuma/blob/master/versions.yml"
    (tmp_path / "lifecycles.json").write_text(json.dumps(manifest))
    call_command("import_lifecycles", str(tmp_path / "lifecycles.json"), stdout=None)
    assert ReleaseCycle.objects.filter(mesh=istio).count() == 13  # 14 lines, one unreleased


def cycles(mesh, *rows):
    for name, end in rows:
        ReleaseCycle.objects.create(mesh=mesh, cycle=name, end_of_support=end, source=SOURCE)


def test_the_current_line_and_its_support_window(client, istio):
    today = datetime.date.today()
    cycles(
        istio,
        ("1.3", today - datetime.timedelta(days=900)),
        ("1.31", today + datetime.timedelta(days=60)),
    )
    istio = Mesh.objects.get(pk=istio.pk)
    assert istio.current_cycle.cycle == "1.31"  # 1.31.1 is not in the 1.3 line
    assert not istio.out_of_support
    version = next(f for f in FACTS if f.slug == "version")
    assert version.value(istio).startswith("1.31.1, until ")
    page = client.get(reverse("comparison:mesh-detail", args=["istio"])).content.decode()
    assert 'class="cycle-supported cycle-current"' in page
    assert 'class="cycle-ended"' in page
    data = client.get(reverse("comparison:api-meshes"), {"mesh": "istio"}).json()[0]
    assert [(c["cycle"], c["supported"], c["current"]) for c in data["release_cycles"]] == [
        ("1.31", True, True),
        ("1.3", False, False),
    ]


def test_an_active_mesh_past_every_end_of_support_is_flagged(client, istio):
    cycles(istio, ("1.31", datetime.date.today() - datetime.timedelta(days=1)))
    assert Mesh.objects.get(pk=istio.pk).out_of_support
    assert [p.where for p in lint() if p.kind == "out of support"] == ["mesh istio"]
    page = client.get(reverse("comparison:mesh-detail", args=["istio"])).content.decode()
    assert "Every release line we know of has passed its end of support" in page


def test_a_mesh_without_a_lifecycle_says_so(client, istio):
    page = client.get(reverse("comparison:mesh-detail", args=["istio"])).content.decode()
    assert "No release line with a first-hand end-of-support date" in page
    assert lifecycles.FORMATS == ("endoflife.date", "istio", "kuma")
