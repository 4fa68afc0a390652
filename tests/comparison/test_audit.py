"""comparison/audit.py and manage.py audit_sample: the sampled cells and docs/data-audit.md."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from comparison.audit import report, sample

from .conftest import FIXTURE


def test_audit_report_is_reproducible_and_holds():
    """docs/data-audit.md is what `manage.py audit_sample --seed 2026 --size 48` writes, every
    sampled cell was checked, and at least 95 % of them are fully supported by their own cited
    page after the corrections the audit led to."""
    verdicts = json.loads((Path(settings.BASE_DIR) / "docs/data-audit.json").read_text())
    cells = sample(FIXTURE, seed=2026, size=48)
    assert len(cells) == 48
    expected = report(cells, verdicts, 2026, "python manage.py audit_sample --seed 2026 --size 48")
    assert (Path(settings.BASE_DIR) / "docs/data-audit.md").read_text() == expected
    assert all(c.key in verdicts for c in cells)
    supported = sum(verdicts[c.key]["verdict"] == "supported" for c in cells)
    assert supported / len(cells) >= 0.95
    assert sample(FIXTURE, seed=2026, size=48) == cells
    # An inherited cell is its upstream's claim: the sample draws only cells with their own.
    inherited = {
        f"{item['fields']['mesh'][0]}/{item['fields']['feature'][0]}"
        for item in json.loads(FIXTURE.read_text())
        if item["model"] == "comparison.support" and item["fields"]["inherited"]
    }
    assert inherited and not inherited & {c.key for c in cells}


def test_audit_command_prints_the_report(capsys):
    call_command("audit_sample")
    assert capsys.readouterr().out == (Path(settings.BASE_DIR) / "docs/data-audit.md").read_text()


def test_the_audit_names_the_cells_it_turned_unknown():
    from comparison.audit import SampledCell

    cell = SampledCell("a", "b", "yes", "", "https://example.org/a")
    verdicts = {
        "a/b": {"verdict": "supported", "first_check": "partly", "quote": "q"},
        "c/d": {"verdict": "not", "first_check": "not", "left": True},
        "e/f": {"verdict": "partly", "first_check": "partly"},  # not sampled, not left: unnamed
    }
    text = report([cell], verdicts, 1, "cmd")
    assert (
        "1 of 1 fully supported" in text
        and "at the first check, before corrections, 0 of 1" in text
    )
    assert "1 sampled cells were found unsupported" in text and "c/d (not)." in text
    assert "e/f" not in text
