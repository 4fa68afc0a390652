"""manage.py check_releases: did a mesh ship a release newer than the data describes?"""

from django.conf import settings
from django.core.management.base import BaseCommand

from comparison.models import Mesh
from comparison.watch import check_releases


class Command(BaseCommand):
    help = (
        "Read each mesh's release feed and flag meshes with a release newer than their current "
        "version, for editors to verify. Changes no data by itself."
    )

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=settings.CHECK_WORKERS)
        parser.add_argument("--timeout", type=float, default=settings.CHECK_TIMEOUT)
        parser.add_argument("--interval", type=float, default=settings.CHECK_HOST_INTERVAL)

    def handle(self, *args, workers: int, timeout: float, interval: float, **options):
        meshes = Mesh.objects.exclude(release_feed_url="").order_by("slug")
        watches = check_releases(meshes, workers=workers, timeout=timeout, interval=interval)
        for watch in watches:
            if watch.error:
                line = f"failed: {watch.error}"
            elif watch.new_release:
                line = (
                    f"new release {watch.new_release} ({watch.new_release_date}) since last "
                    f"verification of {watch.mesh.current_version or 'an unknown version'}"
                )
            else:
                line = f"up to date ({watch.latest_release or 'no release listed'})"
            self.stdout.write(f"{watch.mesh.slug}: {line}")
        flagged = sum(bool(watch.new_release) for watch in watches)
        self.stdout.write(f"Read {len(watches)} feeds: {flagged} mesh(es) with a new release.")
