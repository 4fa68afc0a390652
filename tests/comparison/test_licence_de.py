"""The licence text in German: German pages show `licence_de` where the data has one, and every
licence written in English words has one."""

import json
import re

import pytest
from django.utils import translation

from comparison.data_exchange import export_data
from comparison.models import Mesh

from .conftest import MeshAdminForm, fixture_items

ECS = "amazon-ecs-service-connect"
ECS_LICENCE = "Proprietary (managed AWS feature); the Service Connect Agent is Apache-2.0"
ECS_LICENCE_DE = "Proprietär (verwaltete AWS-Funktion); Service Connect Agent unter Apache-2.0"
CILIUM_LICENCE = "Apache-2.0; BPF code templates GPL-2.0-only or BSD-2-Clause"
CILIUM_LICENCE_DE = "Apache-2.0; BPF-Code-Vorlagen GPL-2.0-only oder BSD-2-Clause"


def fact_row(html: str, slug: str) -> str:
    match = re.search(rf'<tr id="fact-{slug}"[^>]*>.*?</tr>', html, re.DOTALL)
    assert match, slug
    return match.group(0)


def licence_item(html: str) -> str:
    """The mesh page's licence entry (its <dd>)."""
    match = re.search(r"<dt>(?:Licence|Lizenz)</dt><dd>(.*?)</dd>", html, re.DOTALL)
    assert match
    return match.group(1)


def test_display_licence_is_german_on_german_pages_where_there_is_one(db):
    ecs = Mesh.objects.get(slug=ECS)
    consul = Mesh.objects.get(slug="consul")  # BUSL-1.1: nothing to translate
    assert consul.licence_de == ""
    with translation.override("de"):
        assert ecs.display_licence == ECS_LICENCE_DE
        assert consul.display_licence == "BUSL-1.1"
    with translation.override("en"):
        assert ecs.display_licence == ECS_LICENCE
        assert consul.display_licence == "BUSL-1.1"


def test_facts_row_shows_the_licence_in_the_pages_language(client, db):
    german = fact_row(client.get("/de/", {"facts": "show"}).content.decode(), "licence")
    assert CILIUM_LICENCE_DE in german and CILIUM_LICENCE not in german
    assert "BUSL-1.1" in german  # Consul: identifiers only, the same in both languages
    english = fact_row(client.get("/", {"facts": "show"}).content.decode(), "licence")
    assert CILIUM_LICENCE in english and CILIUM_LICENCE_DE not in english


def test_compare_page_shows_the_licence_in_the_pages_language(client, db):
    chosen = {"mesh": ["cilium", ECS]}
    german = fact_row(client.get("/de/compare/", chosen).content.decode(), "licence")
    assert CILIUM_LICENCE_DE in german and ECS_LICENCE_DE in german
    english = fact_row(client.get("/compare/", chosen).content.decode(), "licence")
    assert CILIUM_LICENCE in english and ECS_LICENCE in english


def test_facts_row_differs_alike_in_both_languages(client, db):
    """Whether the row is marked as differing follows the English text in either language: a
    German text missing for one mesh does not make the row differ on German pages."""
    solo = Mesh.objects.get(slug="solo-enterprise-for-istio")
    solo.licence_de = ""
    solo.save()
    meshes = {"facts": "show", "mesh": ["kong-mesh", "solo-enterprise-for-istio"]}
    german = fact_row(client.get("/de/", meshes).content.decode(), "licence")
    assert "Proprietär" in german and "Proprietary" in german
    english = fact_row(client.get("/", meshes).content.decode(), "licence")
    assert "differs" not in german and "differs" not in english


def test_mesh_page_shows_the_licence_in_the_pages_language(client, db):
    german = licence_item(client.get(f"/de/meshes/{ECS}/").content.decode())
    assert german.startswith(ECS_LICENCE_DE)
    english = licence_item(client.get(f"/meshes/{ECS}/").content.decode())
    assert english.startswith(ECS_LICENCE)
    # Without a German text the German page shows the English one.
    assert licence_item(client.get("/de/meshes/consul/").content.decode()).startswith("BUSL-1.1")


def test_the_admin_shows_the_german_licence_beside_the_english(editor_client, db):
    mesh = Mesh.objects.get(slug=ECS)
    html = editor_client.get(MeshAdminForm.url(mesh)).content.decode()
    row = re.search(r'<div class="form-row[^"]*field-licence [^"]*field-licence_de', html)
    assert row, "licence and licence_de share one line of the form"
    assert f'value="{ECS_LICENCE_DE}"' in html


def test_export_and_import_carry_the_german_licence(db, tmp_path):
    from django.core.management import call_command

    data = json.loads(export_data())
    ecs = next(i for i in data if i["model"] == "comparison.mesh" and i["fields"]["slug"] == ECS)
    assert ecs["fields"]["licence_de"] == ECS_LICENCE_DE
    ecs["fields"]["licence_de"] = "Proprietär (importiert)"
    path = tmp_path / "data.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    call_command("import_meshes", str(path), verbosity=0)
    mesh = Mesh.objects.get(slug=ECS)
    assert mesh.licence_de == "Proprietär (importiert)"
    assert mesh.history.first().licence_de == "Proprietär (importiert)"


# Data quality ------------------------------------------------------------------------------------

# The rule, kept simple: a licence text is SPDX identifiers, SPDX operators and English words. Every
# SPDX identifier the data uses carries a version number (Apache-2.0, BUSL-1.1, GPL-2.0-only,
# BSD-2-Clause), and the few without one are listed here; AND, OR and WITH (upper case) are the
# operators. Any other word (Proprietary, managed, or, ...) is English and needs a German text.
SPDX_WITHOUT_DIGITS = {"MIT", "ISC"}
SPDX_OPERATORS = {"AND", "OR", "WITH"}
WORD = re.compile(r"[A-Za-z][\w.+-]*")


def is_identifier(word: str) -> bool:
    return any(c.isdigit() for c in word) or word in SPDX_WITHOUT_DIGITS


def is_spdx(word: str) -> bool:
    return is_identifier(word) or word in SPDX_OPERATORS


def english_words(licence: str) -> list[str]:
    return [word for word in WORD.findall(licence) if not is_spdx(word)]


@pytest.mark.parametrize(
    ("licence", "words"),
    [
        ("Apache-2.0", []),
        ("BUSL-1.1", []),
        ("Apache-2.0 OR MIT", []),
        ("GPL-2.0-only WITH Classpath-exception-2.0", []),
        ("Proprietary", ["Proprietary"]),
        (CILIUM_LICENCE, ["BPF", "code", "templates", "or"]),
    ],
)
def test_english_words_are_the_words_that_are_not_spdx(licence, words):
    assert english_words(licence) == words


MESHES = [item["fields"] for item in fixture_items() if item["model"] == "comparison.mesh"]


@pytest.mark.parametrize("mesh", MESHES, ids=[fields["slug"] for fields in MESHES])
def test_every_licence_in_english_words_has_a_german_text(mesh):
    licence, licence_de = mesh["licence"], mesh["licence_de"]
    if english_words(licence):
        assert licence_de, f"{mesh['slug']}: “{licence}” needs a licence_de"
        # The German keeps the SPDX identifiers as they are.
        identifiers = [word for word in WORD.findall(licence) if is_identifier(word)]
        assert all(i in licence_de for i in identifiers), licence_de
    else:
        # Identifiers only: the same in every language.
        assert licence_de == "", mesh["slug"]
