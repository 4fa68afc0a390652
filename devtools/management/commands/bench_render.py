"""Print the median time to render the comparison table at the fixture's size and at 200 x 150.

Runs inside a transaction that is rolled back, so the database is left as it was.
"""

import statistics
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext

from comparison import views
from comparison.models import Feature, Mesh
from devtools.sample_data import generate


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Median render time of / with the fixture and with 200 meshes x 150 features."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=15)

    @override_settings(PAGE_CACHE=False)  # measure rendering, not the page cache
    def handle(self, *args, runs: int, **options):
        factory = RequestFactory()
        try:
            with transaction.atomic():
                call_command("loaddata", "meshes", verbosity=0)
                self.measure(factory, runs, "fixture")
                generate(meshes=200, features=150)
                self.measure(factory, runs, "fixture + 200 x 150 generated")
                raise Rollback
        except Rollback:
            pass

    def measure(self, factory: RequestFactory, runs: int, label: str) -> None:
        for path in ["/", "/?must=mtls-tcp&must=fault-injection&status=all"]:
            timings = []
            for _ in range(runs):
                request = factory.get(path)
                request.htmx = False
                with CaptureQueriesContext(connection) as queries:
                    start = time.perf_counter()
                    response = views.matrix(request)
                    timings.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200
            self.stdout.write(
                f"{label:32} {Mesh.objects.count():4} meshes x {Feature.objects.count():4} features"
                f"  GET {path:50} median {statistics.median(timings):8.1f} ms"
                f"  ({len(queries)} queries, {len(response.content) // 1024} KiB)"
            )
