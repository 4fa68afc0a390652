"""comparison/sources.py: mirrors and aggregators are recognised, and refused as a cell's source."""

import pytest
from django.core.exceptions import ValidationError

from comparison.choices import Level
from comparison.models import Support
from comparison.sources import mirror_host


@pytest.mark.parametrize(
    "url",
    [
        "https://newreleases.io/project/github/istio/istio/release/1.31.1",
        "https://www.masterthemesh.com/x",
        "https://kuma.sourceforge.net/x",
    ],
)
def test_mirror_hosts_are_recognised_and_refused_for_cells(db, url):
    assert mirror_host(url)
    cell = Support.objects.filter(level=Level.YES).first()
    cell.source = url
    with pytest.raises(ValidationError, match="own"):
        cell.full_clean()


def test_project_hosts_are_not_mirrors():
    assert mirror_host("https://istio.io/latest/docs/") is None
    assert mirror_host("https://github.com/istio/istio/releases") is None
