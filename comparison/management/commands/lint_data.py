"""Check the catalogue against the data's own rules (comparison/lint.py); exit 1 on a problem."""

from __future__ import annotations

from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from comparison.lint import lint


class Command(BaseCommand):
    help = (
        "Check every cell, mesh and overhead figure against the data rules: first-hand sources, "
        "partial explained, distributions that differ only with their own source, no research "
        "wording in public text, notes that agree with their level. Exits 1 on any problem."
    )

    def handle(self, *args, **options) -> None:
        try:
            problems = lint()
        except DatabaseError as error:
            raise CommandError(
                f"The catalogue cannot be read ({error}): run manage.py migrate and "
                "manage.py import_meshes fixtures/meshes.json first."
            ) from None
        for problem in problems:
            self.stdout.write(str(problem))
        if problems:
            counts = Counter(problem.kind for problem in problems)
            summary = ", ".join(f"{count} {kind}" for kind, count in sorted(counts.items()))
            raise CommandError(f"{len(problems)} problem(s): {summary}.")
        self.stdout.write(self.style.SUCCESS("The data passes every rule."))
