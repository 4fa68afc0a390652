"""Every public page, in both languages, is valid HTML by the W3C Nu HTML Checker (vnu.jar).

scripts/test installs the checker (npm's vnu-jar) into a cache directory; VNU_JAR names it.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from comparison.models import Feature, Mesh

DEFAULT_JAR = (
    Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    / "portal-vnu/node_modules/vnu-jar/build/dist/vnu.jar"
)
VNU_JAR = Path(os.environ.get("VNU_JAR", DEFAULT_JAR))
# A page the checker must reject: proof that it runs and reports.
KNOWN_BAD = '<!doctype html><html lang="en"><title>x</title><div hx-get="/">x</div></html>'

pytestmark = pytest.mark.skipif(
    not (VNU_JAR.exists() and shutil.which("java")),
    reason="needs Java and the Nu HTML Checker (scripts/test installs it)",
)


def public_pages(wizard, client) -> list[str]:
    result = wizard.complete().get_absolute_url()
    second_step = f"{reverse('questionnaire:start')}?step=1"
    pages = [
        "/",
        "/?must=mtls-tcp&must=fault-injection&partial=true&diff=true",
        "/?status=all&density=comfortable&notes=true",
        "/?facts=hide&q=linkerd",
        "/?q=no-such-thing",
        "/?platforms=mars",
        "/compare/",
        "/compare/?mesh=istio-sidecar&mesh=linkerd&notes=true",
        "/compare/?mesh=aws-app-mesh&mesh=consul&mesh=kuma&diff=true",
        "/compare/?mesh=linkerd",
        "/overview/",
        "/changes/",
        reverse("questionnaire:start"),
        second_step,
        result,
        *(mesh.get_absolute_url() for mesh in Mesh.objects.all()),
        *(feature.get_absolute_url() for feature in Feature.objects.all()),
    ]
    return pages + ["/de" + page for page in pages]


def test_nu_checker_finds_no_error_on_any_page(client, db, wizard, tmp_path):
    pages = public_pages(wizard, client)
    files = {}
    for index, page in enumerate(pages):
        response = client.get(page)
        assert response.status_code in (200, 400), page
        assert response["Content-Type"].startswith("text/html"), page
        path = tmp_path / f"page-{index:03}.html"
        path.write_bytes(response.content)
        files[path.name] = page
    bad = tmp_path / "known-bad.html"
    bad.write_text(KNOWN_BAD)
    run = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    messages = json.loads(run.stderr or run.stdout)["messages"]
    errors: dict[str, list[str]] = {}
    for message in messages:
        if message.get("type") == "error":
            name = message.get("url", "").rsplit("/", 1)[-1]
            where = files.get(name, name)
            errors.setdefault(where, []).append(message["message"])
    assert errors.pop(bad.name, None), "the checker must reject the known-bad page"
    assert errors == {}
    assert len(files) == len(pages) >= 2 * (15 + Mesh.objects.count() + Feature.objects.count())
