"""manage.py import_conformance: keep Gateway API conformance reports and what they prove."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from comparison.conformance import ReportError, contradictions, import_reports


class Command(BaseCommand):
    help = (
        "Read ConformanceReport YAML files (a file, or a folder searched recursively, with an "
        "optional SOURCES.json naming the repository and each file's commit), keep those of the "
        "implementations a mesh names, derive the meshes' GAMMA facts from their newest report, "
        "and list the cells the newest reports contradict. A bad file stops the import before "
        "anything is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("location", help="A report file or a folder of them.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would change; write nothing."
        )

    def handle(self, *args, location: str, dry_run: bool, **options):
        try:
            result = import_reports(Path(location), dry_run=dry_run)
        except ReportError as error:
            raise CommandError(f"Nothing imported: {error}") from None
        for line in result.lines:
            self.stdout.write(line)
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(
            f"{verb} {len(result.added)} new and {len(result.changed)} changed report(s); "
            f"{len(result.unchanged)} unchanged, {len(result.unmatched)} of other implementations."
        )
        if not dry_run:
            for problem in contradictions():
                self.stdout.write(f"flagged: {problem}")
