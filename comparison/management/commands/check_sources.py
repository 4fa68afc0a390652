"""manage.py check_sources: is every cited source page still there?"""

from django.conf import settings
from django.core.management.base import BaseCommand

from comparison.models import SourceCheck
from comparison.watch import check_sources


class Command(BaseCommand):
    help = (
        "Fetch every distinct source URL cited by a support cell (HEAD, GET if HEAD is refused; "
        "redirects followed) and record status, final address and when it last worked. Sources "
        "failing SOURCE_BROKEN_AFTER checks in a row (or answering 404/410) are flagged broken."
    )

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=settings.CHECK_WORKERS)
        parser.add_argument("--timeout", type=float, default=settings.CHECK_TIMEOUT)
        parser.add_argument(
            "--interval",
            type=float,
            default=settings.CHECK_HOST_INTERVAL,
            help="seconds between two requests to the same host",
        )

    def handle(self, *args, workers: int, timeout: float, interval: float, **options):
        results = check_sources(
            workers=workers,
            timeout=timeout,
            interval=interval,
            broken_after=settings.SOURCE_BROKEN_AFTER,
            progress=self.stderr.write,
        )
        failed = sorted(url for url, result in results.items() if not result.ok)
        for url in failed:
            self.stdout.write(f"failed: {url} ({results[url].error or results[url].status})")
        broken = SourceCheck.objects.filter(broken=True).count()
        moved = SourceCheck.objects.filter(moved=True).count()
        self.stdout.write(
            f"Checked {len(results)} URLs: {len(results) - len(failed)} answered, "
            f"{len(failed)} failed; {broken} broken, {moved} moved."
        )
