"""manage.py export_meshes [file]: write all mesh data in the fixture format, deterministically."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from comparison.data_exchange import export_data


class Command(BaseCommand):
    help = "Write categories, features, meshes and support cells as JSON (stdout or a file)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="where to write; standard output if omitted")

    def handle(self, *args, file: str | None = None, **options):
        text = export_data()
        if file:
            Path(file).write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {file}")
        else:
            sys.stdout.write(text)
