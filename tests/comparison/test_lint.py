"""comparison/lint.py and manage.py lint_data: each rule fails on the data it is about and passes
on clean data (built with factories; the real fixture is checked in test_fixture.py)."""

import pytest
from django.core.management import CommandError, call_command

from comparison.lint import lint
from comparison.models import Support
from tests import factories

pytestmark = pytest.mark.django_db


def kinds() -> set[str]:
    return {problem.kind for problem in lint()}


@pytest.fixture
def clean():
    factories.clear_catalogue()
    upstream = factories.mesh(
        slug="upstream", name="Upstream", docs_url="https://upstream.example.org/docs/"
    )
    feature = factories.feature(slug="retries")
    factories.cell(upstream, feature, level="yes", note="Retries are configured per route.")
    return upstream, feature


def test_clean_data_passes(clean):
    assert lint() == []
    call_command("lint_data")


def test_command_fails_and_names_each_problem(clean, capsys):
    upstream, feature = clean
    factories.cell(upstream, feature, level="yes", note="Not supported yet …")
    with pytest.raises(CommandError, match=r"2 problem\(s\): 1 cut off, 1 note contradicts level"):
        call_command("lint_data")
    out = capsys.readouterr().out
    assert "upstream/retries: the note ends with an ellipsis [cut off]" in out


def test_mirror_and_thread_sources(clean):
    upstream, feature = clean
    factories.cell(upstream, feature, level="yes", source="https://servicemesh.es/")
    assert kinds() == {"second-hand source"}
    thread = "https://github.com/example/mesh/issues/12"
    factories.cell(upstream, feature, level="partial", source=thread, note="Only on GET.")
    assert kinds() == {"thread as source"}
    # An open request on the project's own tracker may back a "no".
    factories.cell(upstream, feature, level="no", source=thread, note="")
    assert kinds() == set()


def test_partial_needs_a_rubric_that_defines_it_and_a_note(clean):
    upstream, feature = clean
    feature.description = "yes: it works."
    feature.save()
    assert kinds() == {"rubric without partial"}
    feature.description = "yes: it works. partial: only some of it."
    feature.save()
    Support.objects.filter(mesh=upstream, feature=feature).update(level="partial", note="")
    assert kinds() == {"partial without note"}


@pytest.mark.parametrize(
    ("level", "note", "kind"),
    [
        ("yes", "Found with grep in the docs repository.", "research wording"),
        ("yes", "Read in a stored copy of the page.", "research wording"),
        ("no", "Not found in the docs.", "research wording"),
        ("unknown", "No pricing statement found in the add-on docs.", "research wording"),
        ("yes", "Retries per route, and more…", "cut off"),
        ("yes", "Not supported: there is no retry policy.", "note contradicts level"),
        (
            "unknown",
            "The vendor says this is not supported by the add-on.",
            "note contradicts level",
        ),
        ("yes", "Experimental: an alpha API.", "stage in the note"),
        ("yes", "Routes use Gateway API's experimental channel.", None),
        ("yes", "Annotate balancer.alpha.linkerd.io/penalize-failures.", None),
    ],
)
def test_notes(clean, level, note, kind):
    upstream, feature = clean
    fields = {"level": level, "note": note}
    if level == "unknown":
        fields["source"] = ""
    factories.cell(upstream, feature, **fields)
    assert kinds() == ({kind} if kind else set())


def test_a_stage_settles_the_maturity_word(clean):
    upstream, feature = clean
    factories.cell(upstream, feature, level="yes", note="An alpha API.", stage="alpha")
    assert kinds() == set()


def test_distribution_overrides_need_their_own_source(clean):
    upstream, feature = clean
    distribution = factories.mesh(slug="dist", upstream=upstream)
    assert kinds() == set()  # inherited: as upstream
    # An own "unknown" claims nothing.
    factories.cell(distribution, feature, inherited=False, level="unknown", stage="", source="")
    assert kinds() == set()
    upstream.repository_url = "https://github.com/example/upstream"
    upstream.save()
    factories.cell(
        distribution,
        feature,
        inherited=False,
        level="no",
        source="https://github.com/example/upstream/issues/1",
        note="",
    )
    assert kinds() == {"override without own source"}
    factories.cell(
        distribution, feature, inherited=False, level="no", source="https://upstream.example.org/x"
    )
    assert kinds() == {"override without own source"}
    factories.cell(
        distribution, feature, inherited=False, level="no", source="https://dist.example.com/x"
    )
    assert kinds() == set()


def test_distribution_built_on_a_newer_upstream_than_the_row(clean):
    upstream, _feature = clean
    distribution = factories.mesh(slug="dist", upstream=upstream, upstream_version="1.0.0")
    assert kinds() == set()
    distribution.upstream_version = "1.2.0"
    distribution.save()
    assert kinds() == {"upstream behind"}


def test_a_fact_that_says_something_cites_its_page(clean):
    upstream, _feature = clean
    upstream.runs_without_kubernetes = False  # "no" is a claim too
    upstream.save()
    problems = lint()
    assert [(p.kind, p.text) for p in problems] == [
        (
            "fact without source",
            "runs_without_kubernetes is set, but runs_without_kubernetes_source is empty",
        )
    ]
    upstream.runs_without_kubernetes_source = "https://upstream.example.org/vms"
    upstream.requires_openshift = False  # an unset flag claims nothing
    upstream.gamma_level = "unknown"
    upstream.save()
    assert kinds() == set()


def test_mesh_texts_and_overhead_figures(clean):
    upstream, _feature = clean
    upstream.cloud_note = "I did not check the other clouds"
    upstream.save()
    assert kinds() == {"research wording"}
    upstream.cloud_note = ""
    upstream.save()
    upstream.overhead_figures.create(
        slug="f",
        kind="project",
        publisher="Upstream",
        title="Benchmark",
        source="https://upstream.example.org/bench",
        component="sidecar",
        setup="Two nodes, found with grep.",
        latency_p50_ms=1.0,
    )
    assert kinds() == {"research wording"}


def test_query_count_is_flat(clean, django_assert_num_queries):
    upstream, _feature = clean
    for _ in range(3):
        factories.mesh(upstream=upstream)
        factories.feature()
    # Meshes with their release lines, features, cells, figures, and the conformance mappings
    # (none here, so no reports are read).
    with django_assert_num_queries(6):
        lint()


def test_an_unmigrated_database_gets_a_clear_message(tmp_path):
    """A new machine runs lint_data before migrating: a sentence, not a traceback."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"}
    run = subprocess.run(
        [sys.executable, "manage.py", "lint_data"], env=env, capture_output=True, text=True
    )
    assert run.returncode == 1
    assert "run manage.py migrate and manage.py import_meshes" in run.stderr
    assert "Traceback" not in run.stderr
