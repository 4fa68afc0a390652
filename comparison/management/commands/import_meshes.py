"""manage.py import_meshes file [--dry-run]: validate everything, then write it all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from comparison.data_exchange import apply, diff, removal_refusals, validate
from comparison.models import ensure_history_baseline


class Command(BaseCommand):
    help = (
        "Make the mesh data equal to a file in the fixture format. The whole file is validated "
        "first; nothing is written unless every row is valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would change, write nothing"
        )
        parser.add_argument(
            "--allow-removals",
            action="store_true",
            help="remove more than a tenth of the meshes, features, categories or cells (or all "
            "of them) if the file lacks them; visitor suggestions are never removed",
        )

    def handle(self, *args, file: str, dry_run: bool, allow_removals: bool = False, **options):
        try:
            text = Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"cannot read {file}: {error}") from error
        plan = validate(text)
        if plan.problems:
            for problem in plan.problems:
                self.stderr.write(f"{file}: {problem}")
            for line in plan.omitted():
                self.stderr.write(f"{file}: {line}")
            raise CommandError(f"{plan.problem_total} problem(s) found; nothing was written.")
        if plan.filled:
            shown = ", ".join(plan.filled[:20]) + (" …" if len(plan.filled) > 20 else "")
            self.stdout.write(
                f"{len(plan.filled)} mesh × feature cell(s) missing from the file are set to "
                f"unknown: {shown}"
            )
        changes = diff(plan)
        cells = [line for line in changes if " support " in line]
        summary = (
            f"{sum(line.startswith('+') for line in cells)} cells added, "
            f"{len({line.split(':')[0] for line in cells if line.startswith('~')})} changed, "
            f"{sum(line.startswith('-') for line in cells)} removed; "
            f"{len(changes)} changes in all"
        )
        refusals = removal_refusals(plan, allow_removals)
        if dry_run:
            for line in changes:
                self.stdout.write(line)
            for refusal in refusals:
                self.stdout.write(f"Would be refused: {refusal}.")
            self.stdout.write(f"Dry run: {summary}. Nothing was written.")
            return
        if refusals:
            for refusal in refusals:
                self.stderr.write(f"{file}: {refusal}.")
            raise CommandError("The import was refused; nothing was written.")
        # Every row needs a first history record, so the first imported change has an "old".
        ensure_history_baseline()
        apply(plan)
        self.stdout.write(f"Imported {file}: {summary}.")
