"""The comparison table as rendered now (comparison/matrix.py and the Jinja2 template
templates/jinja2/comparison/matrix_rows.html) against the f-string rows of a git revision (HEAD by
default), on the same 30 meshes x 100 features, in one process.

Two figures, each the median of interleaved runs (A, B, A, B, ...) in CPU time of the process
(steadier than wall time on a shared machine; both are printed), and their ratio:
- the table: build_matrix() (its queries) and comparison/_matrix_table.html rendered;
- the uncached page: GET / through the whole stack with brotli and the page cache off, as
  bench_render times it; the revision's side swaps in its build_matrix and its
  _matrix_table.html, nothing else.

Runs on its own SQLite database (a temporary file, migrated, filled, thrown away), so the
project's database is left alone. Needs DEBUG on (the devtools app fills the table):

    DEBUG=true .venv/bin/python bench/table_render.py [--rev HEAD] [--runs 40] [--rounds 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import ModuleType
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
MESHES, FEATURES = 30, 100
# Extra call depths the runs cycle through (compare()).
DEPTHS = range(0, 40, 3)


def git_show(rev: str, path: str) -> str:
    return subprocess.run(
        ["git", "show", f"{rev}:{path}"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


def module_at(rev: str) -> ModuleType:
    """comparison/matrix.py as it was at `rev`, imported beside today's as another module."""
    name = "comparison._matrix_at_rev"
    spec = importlib.util.spec_from_loader(name, loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "comparison"
    sys.modules[name] = module  # dataclasses look their module up
    exec(compile(git_show(rev, "comparison/matrix.py"), f"{rev}:comparison/matrix.py", "exec"),
         module.__dict__)  # fmt: skip
    return module


def timed(
    run: Callable[[], object], wall: list[float], cpu: list[float], faults: list[int]
) -> None:
    faults_start = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    wall_start, cpu_start = time.perf_counter(), time.process_time()
    run()
    cpu.append((time.process_time() - cpu_start) * 1000)
    wall.append((time.perf_counter() - wall_start) * 1000)
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults_start)


def at_depth(depth: int, run: Callable[[], object]) -> object:
    """`run` called `depth` Python frames deeper (see compare())."""
    return run() if depth == 0 else at_depth(depth - 1, run)


def compare(label: str, now: Callable[[], object], then: Callable[[], object], runs: int) -> float:
    """Print the medians of both sides and their ratio; return the ratio of CPU times.

    Run i of each side is called DEPTHS[i % len(DEPTHS)] frames deeper. Code with a Python call
    per cell pays, at the depths where that call lands on the edge of one of CPython's 16 KiB
    frame chunks, a mmap/munmap pair per call (README, "The table"): each fresh chunk is a page
    fault, so the depths where a side has more minor page faults than its median by over one per
    cell are listed with their time.
    """
    now(), then()  # warm-up: templates, translations, connections
    samples: dict[str, tuple[list[float], list[float], list[int]]] = {
        "now": ([], [], []),
        "rev": ([], [], []),
    }
    for i in range(runs):
        depth = DEPTHS[i % len(DEPTHS)]
        for side, run in [("now", now), ("rev", then)]:
            timed(partial(at_depth, depth, run), *samples[side])
    median = statistics.median
    (now_wall, now_cpu, _), (then_wall, then_cpu, _) = samples["now"], samples["rev"]
    cpu_ratio = median(now_cpu) / median(then_cpu)
    print(
        f"  {label:42} CPU now {median(now_cpu):6.1f} ms rev {median(then_cpu):6.1f} ms "
        f"ratio {cpu_ratio:5.3f} | wall now {median(now_wall):6.1f} ms "
        f"rev {median(then_wall):6.1f} ms ratio {median(now_wall) / median(then_wall):5.3f}"
    )
    for side, (_wall, cpu, faults) in samples.items():
        usual = median(faults)
        edges = {
            DEPTHS[i % len(DEPTHS)]: (ms, count)
            for i, (ms, count) in enumerate(zip(cpu, faults, strict=True))
            if count > usual + MESHES * FEATURES
        }
        print(
            f"    {side}: median {usual:.0f} minor page faults; frame-chunk edge at depth "
            + (
                ", ".join(f"{d} ({ms:.0f} ms, {n} faults)" for d, (ms, n) in edges.items())
                or "none"
            )
        )
    return cpu_ratio


def main(workdir: str) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rev", default="HEAD")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/db.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.http import QueryDict
    from django.template import Context, engines
    from django.test import Client, override_settings
    from django.utils import translation

    from comparison import filters
    from comparison.filters import TableQuery
    from devtools.sample_data import fill_table

    call_command("migrate", verbosity=0)
    call_command("loaddata", "meshes", verbosity=0)
    fill_table(MESHES, FEATURES)
    then_matrix = module_at(args.rev)
    then_table = git_show(args.rev, "templates/comparison/_matrix_table.html")

    # The revision's page: its build_matrix, and its _matrix_table.html instead of today's.
    engine = engines["django"].engine  # type: ignore[attr-defined]
    now_table = engine.get_template("comparison/_matrix_table.html")
    then_table_template = engine.from_string(then_table)
    find_template = engine.find_template

    def find_then(name: str, dirs: object = None, skip: object = None) -> tuple[object, object]:
        if name == "comparison/_matrix_table.html":
            return then_table_template, then_table_template.origin
        return find_template(name, dirs, skip)

    def matrix_now() -> object:
        return TableQuery(QueryDict()).matrix()

    def matrix_then() -> object:
        with mock.patch.object(filters, "build_matrix", then_matrix.build_matrix):
            return TableQuery(QueryDict()).matrix()

    def table_now() -> str:
        return now_table.render(Context({"matrix": matrix_now(), "selectable": True}))

    def table_then() -> str:
        return then_table_template.render(Context({"matrix": matrix_then(), "selectable": True}))

    client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_ENCODING="br")

    def page_now() -> None:
        with override_settings(PAGE_CACHE=False):
            assert client.get("/").status_code == 200

    def page_then() -> None:
        with (
            override_settings(PAGE_CACHE=False),
            mock.patch.object(filters, "build_matrix", then_matrix.build_matrix),
            mock.patch.object(engine, "find_template", find_then),
        ):
            assert client.get("/").status_code == 200

    with translation.override("en"):
        matrix = matrix_now()
        cells = len(matrix.meshes) * matrix.row_count  # type: ignore[attr-defined]
        print(
            f"{len(matrix.meshes)} meshes x {matrix.row_count} features = {cells} cells; "  # type: ignore[attr-defined]
            f"now = working tree, rev = {args.rev}; medians of {args.runs} interleaved runs, "
            f"at extra call depths {DEPTHS.start}..{DEPTHS.stop - 1} step {DEPTHS.step}"
        )
        table, page = [], []
        for round_ in range(1, args.rounds + 1):
            print(f"round {round_}:")
            table.append(compare("table (build_matrix + _matrix_table.html)", table_now,
                                 table_then, args.runs))  # fmt: skip
            page.append(compare("uncached GET / (whole stack, brotli)", page_now, page_then,
                                args.runs))  # fmt: skip
    print(
        f"CPU time ratio now/rev: table {' '.join(f'{r:.3f}' for r in table)}; "
        f"page {' '.join(f'{r:.3f}' for r in page)}"
    )


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="bench-table-") as workdir:
        main(workdir)
