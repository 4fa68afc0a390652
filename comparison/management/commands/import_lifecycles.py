"""manage.py import_lifecycles: release cycles and their end of support, from lifecycle files."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from comparison.lifecycles import FORMATS, Entry, LifecycleError, import_entries, read_manifest
from comparison.sources import mirror_host


class Command(BaseCommand):
    help = (
        "Import release cycles from the files a manifest lists (fixtures/sources/lifecycles.json) "
        "or from one file for one mesh: endoflife.date product files, Istio's supportStatus.yml, "
        "Kuma's versions.yml. Adds and updates cycles, never removes one, never changes a cycle "
        "an editor entered. A bad file stops the import before anything is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("location", help="A manifest (.json) or one lifecycle file.")
        parser.add_argument("--mesh", help="With one file: the mesh it describes.")
        parser.add_argument("--format", choices=FORMATS, default="", help="Default: detected.")
        parser.add_argument("--source", default="", help="With one file: the first-hand page.")
        parser.add_argument(
            "--reference", default="", help="With one file: repository path@commit it came from."
        )
        parser.add_argument("--dry-run", action="store_true", help="Print; write nothing.")

    def handle(self, *args, location: str, mesh: str | None, dry_run: bool, **options):
        path = Path(location)
        try:
            if path.suffix == ".json":
                entries = read_manifest(path)
            else:
                if not mesh or not options["source"]:
                    raise LifecycleError("one file needs --mesh and --source")
                if mirror_host(options["source"]):
                    raise LifecycleError("--source must be the project's own page")
                reference = options["reference"] or str(path)
                entries = [Entry(mesh, path, options["format"], options["source"], reference)]
            result = import_entries(entries, dry_run=dry_run)
        except LifecycleError as error:
            raise CommandError(f"Nothing imported: {error}") from None
        for line in result.lines:
            self.stdout.write(line)
        verb = "Would add" if dry_run else "Added"
        self.stdout.write(
            f"{verb} {result.added} and {'would change' if dry_run else 'changed'} "
            f"{result.changed} release cycle(s); {result.unchanged} unchanged."
        )
