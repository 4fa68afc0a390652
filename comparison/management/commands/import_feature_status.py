"""manage.py import_feature_status: cells' stages from Istio's feature status file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from comparison.feature_status import FeatureStatusError, import_feature_status


class Command(BaseCommand):
    help = (
        "Set the stage (and, where Istio's release announcement says, the since-version) of the "
        "cells a map names, from Istio's feature status file (istio/enhancements features.yaml). "
        "Never changes a level. A bad file or map stops it before anything is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("features", help="features.yaml")
        parser.add_argument("map", help="The map of entry ids to features and meshes (.json).")
        parser.add_argument("--dry-run", action="store_true", help="Print; write nothing.")

    def handle(self, *args, features: str, map: str, dry_run: bool, **options):
        try:
            result = import_feature_status(Path(features), Path(map), dry_run=dry_run)
        except FeatureStatusError as error:
            raise CommandError(f"Nothing imported: {error}") from None
        for line in result.lines:
            self.stdout.write(line)
        verb = "Would change" if dry_run else "Changed"
        self.stdout.write(
            f"{verb} {result.changed} cell(s); {result.unchanged} unchanged, "
            f"{result.skipped} kept because they do not claim support."
        )
