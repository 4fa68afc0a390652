"""comparison/facts.py: each mesh fact declared once and read by the admin, the API, the OpenAPI
description, the data rules and the decision; its own check date; list facts as JSON lists."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import models

from comparison import facts
from comparison.admin import MeshAdmin
from comparison.api_schema import FACT_SOURCES, SCHEMAS
from comparison.export import MESH_ATTRIBUTES
from comparison.models import Mesh
from questionnaire.evaluation import FACT_SOURCE_FIELDS
from tests import factories


def test_every_fact_names_real_fields_and_a_url_source():
    for fact in facts.MESH_FACTS:
        Mesh._meta.get_field(fact.name)
        assert isinstance(Mesh._meta.get_field(fact.source), models.URLField), fact.name
        if fact.note:
            assert isinstance(Mesh._meta.get_field(fact.note), models.CharField), fact.name


def test_every_reader_takes_the_facts_from_the_declaration():
    from django.contrib.admin import site

    admin_fields = {
        name
        for _title, options in MeshAdmin(Mesh, site).fieldsets
        for entry in options["fields"]
        for name in (entry if isinstance(entry, tuple) else (entry,))
    }
    properties = SCHEMAS["Mesh"]["properties"]
    for fact in facts.MESH_FACTS:
        for name in filter(None, (fact.name, fact.note, fact.source)):
            assert name in admin_fields, name
            if not name.startswith("gamma_"):
                assert name in properties, name
        if not fact.name.startswith("gamma_"):
            assert fact.source in MESH_ATTRIBUTES or fact.source in FACT_SOURCES
        assert FACT_SOURCE_FIELDS[fact.name] == fact.source
    assert properties["fact_checks"]["propertyNames"]["enum"] == sorted(facts.BY_NAME)


def test_an_edited_fact_is_checked_today_and_no_other(db):
    mesh = factories.mesh(fact_checks={"licence": "2025-01-02"})
    mesh.record_fact_checks(["cloud_note", "summary", "licence_source"])
    today = datetime.date.today().isoformat()
    # The cloud note belongs to the clouds fact; a licence source serves three facts.
    assert mesh.fact_checks == {
        "clouds": today,
        "licence": today,
        "licence_spdx": today,
        "open_source": today,
    }


@pytest.mark.parametrize(
    "checks", [[], {"nonsense": "2026-12-07"}, {"licence": "yesterday"}, {"licence": 20261207}]
)
def test_fact_checks_name_facts_and_dates(db, checks):
    mesh = factories.mesh(fact_checks=checks)
    with pytest.raises(ValidationError, match="fact names"):
        mesh.full_clean()


def test_the_admin_dates_the_facts_an_editor_changed(editor_client, db, mesh_admin):
    mesh = Mesh.objects.get(slug="consul")
    Mesh.objects.filter(pk=mesh.pk).update(fact_checks={"licence": "2025-01-02"})
    data = mesh_admin.form_data(editor_client, mesh)
    data["orchestrators"] = ["vms_on_prem", "nomad"]
    data["successor_links"] = "Consul docs | https://developer.hashicorp.com/consul/docs"
    response = editor_client.post(mesh_admin.url(mesh), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    mesh.refresh_from_db()
    assert mesh.orchestrators == ["vms_on_prem", "nomad"]
    assert mesh.successor_links == [
        {"name": "Consul docs", "url": "https://developer.hashicorp.com/consul/docs"}
    ]
    today = datetime.date.today().isoformat()
    assert mesh.fact_checks == {"licence": "2025-01-02", "orchestrators": today}


def test_the_admin_refuses_a_malformed_link_line(editor_client, db, mesh_admin):
    mesh = Mesh.objects.get(slug="consul")
    data = mesh_admin.form_data(editor_client, mesh)
    data["successor_links"] = "Consul docs without an address"
    response = editor_client.post(mesh_admin.url(mesh), data)
    assert response.status_code == 200
    assert "Line 1: write it as name | https://…" in response.content.decode()


def test_the_mesh_page_says_when_each_fact_was_checked(client, db):
    Mesh.objects.filter(slug="consul").update(fact_checks={"licence": "2026-12-07"})
    html = client.get("/meshes/consul/").content.decode()
    assert (
        '<span class="fact-checked">· checked <time datetime="2026-12-07">Dec. 7, 2026</time>'
        "</span></dd>"
    ) in html
    assert html.count('class="fact-checked"') == 1
