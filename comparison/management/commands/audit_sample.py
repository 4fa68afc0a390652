"""manage.py audit_sample: draw the seeded sample of decided cells and write the audit report."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from comparison.audit import report, sample


class Command(BaseCommand):
    help = "Print (or write) docs/data-audit.md: a seeded random sample of decided cells."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--size", type=int, default=48)
        parser.add_argument("--fixture", default=str(settings.BASE_DIR / "fixtures/meshes.json"))
        parser.add_argument(
            "--verdicts",
            default=str(settings.BASE_DIR / "docs/data-audit.json"),
            help="JSON object: 'mesh/feature' -> {verdict, quote, remark}",
        )
        parser.add_argument("--output", help="write here instead of standard output")
        parser.add_argument("--keys", action="store_true", help="print only the sampled cells")

    def handle(self, *args, seed: int, size: int, fixture: str, verdicts: str, **options):
        cells = sample(Path(fixture), seed, size)
        if options["keys"]:
            for cell in cells:
                self.stdout.write(f"{cell.key}\t{cell.level}\t{cell.source}\t{cell.note}")
            return
        path = Path(verdicts)
        known = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        command = f"python manage.py audit_sample --seed {seed} --size {size}"
        text = report(cells, known, seed, command)
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
