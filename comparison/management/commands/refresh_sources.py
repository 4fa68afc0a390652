"""manage.py refresh_sources: every source refreshed in one command, for an editor."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Refresh every source in one run: the release watch (check_releases) and the link check "
        "(check_sources) over the network, then the importers from settings.SOURCES_DIR: "
        "Gateway API conformance reports, release lifecycles and Istio's feature status. Each "
        "importer writes nothing if one of its files is bad; the others still run."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--offline", action="store_true", help="Skip the release watch and the link check."
        )
        parser.add_argument("--dry-run", action="store_true", help="Importers only print.")

    def handle(self, *args, offline: bool, dry_run: bool, **options):
        sources = settings.SOURCES_DIR
        steps: list[tuple[str, list[str], dict]] = []
        if not offline:
            steps += [("check_releases", [], {}), ("check_sources", [], {})]
        steps += [
            ("import_conformance", [str(sources / "gateway-api")], {"dry_run": dry_run}),
            ("import_lifecycles", [str(sources / "lifecycles.json")], {"dry_run": dry_run}),
            (
                "import_feature_status",
                [
                    str(sources / "istio" / "features.yaml"),
                    str(sources / "istio" / "features-map.json"),
                ],
                {"dry_run": dry_run},
            ),
        ]
        failed = []
        for name, arguments, flags in steps:
            self.stdout.write(self.style.MIGRATE_HEADING(f"{name} {' '.join(arguments)}"))
            try:
                call_command(name, *arguments, stdout=self.stdout, stderr=self.stderr, **flags)
            except CommandError as error:
                self.stderr.write(f"{name}: {error}")
                failed.append(name)
        if failed:
            raise CommandError(f"Failed: {', '.join(failed)} (the other steps ran).")
        self.stdout.write("Every source is refreshed.")
