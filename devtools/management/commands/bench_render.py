"""Print the median time to answer / uncached, its size raw and compressed, and bytes per cell.

Sizes: the fixture, 30 meshes x 100 features on the table (generated rows added to the fixture),
and 200 x 150 generated rows added. Each request goes through the whole middleware stack with
`Accept-Encoding: br` and the page cache off, so the time includes rendering and compression.
Runs inside a transaction that is rolled back, so the database is left as it was.
"""

import statistics
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.http import QueryDict
from django.test import Client, override_settings

from comparison.filters import TableQuery
from devtools.sample_data import fill_table, generate

TABLE_MESHES, TABLE_FEATURES = 30, 100


class Rollback(Exception):
    pass


class QueryCounter(list):
    def __call__(self, execute, sql, params, many, context):
        self.append(sql)
        return execute(sql, params, many, context)


class Command(BaseCommand):
    help = "Median uncached time, size and bytes per cell of / at three data sizes."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=15)

    @override_settings(PAGE_CACHE=False)  # measure rendering, not the page cache
    def handle(self, *args, runs: int, **options):
        client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_ENCODING="br")
        paths = ["/", "/?must=mtls-tcp&must=fault-injection&status=all"]
        try:
            with transaction.atomic():
                call_command("loaddata", "meshes", verbosity=0)
                self.measure(client, runs, "fixture", paths)
                fill_table(TABLE_MESHES, TABLE_FEATURES)
                self.measure(client, runs, f"table of {TABLE_MESHES} x {TABLE_FEATURES}", ["/"])
                raise Rollback
        except Rollback:
            pass
        try:
            with transaction.atomic():
                call_command("loaddata", "meshes", verbosity=0)
                generate(meshes=200, features=150)
                self.measure(client, max(runs // 3, 3), "fixture + 200 x 150 generated", ["/"])
                raise Rollback
        except Rollback:
            pass

    def measure(self, client: Client, runs: int, label: str, paths: list[str]) -> None:
        for path in paths:
            query = path.partition("?")[2]
            matrix = TableQuery(QueryDict(query)).matrix()
            cells = len(matrix.meshes) * matrix.row_count
            client.get(path)  # warm-up: translations, templates, connections
            timings = []
            for _ in range(runs):
                # Counted by a wrapper: the test client clears connection.queries per request.
                queries = QueryCounter()
                with connection.execute_wrapper(queries):
                    start = time.perf_counter()
                    response = client.get(path)
                    timings.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, response.status_code
            raw = client.get(path, HTTP_ACCEPT_ENCODING="identity").content
            self.stdout.write(
                f"{label:30} {len(matrix.meshes):4} x {matrix.row_count:4} shown  GET {path:48}"
                f" median {statistics.median(timings):7.1f} ms  {len(queries)} queries"
                f"  {len(raw) / 1024:7.0f} KiB raw  {len(response.content) / 1024:6.1f} KiB br"
                f"  {len(raw) / max(cells, 1):5.0f} B/cell raw"
                f"  {len(response.content) / max(cells, 1):5.1f} B/cell br"
            )
