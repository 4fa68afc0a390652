"""comparison/export.py: the JSON API's rows and the CSV download, safe in a spreadsheet."""

import csv
import io

from comparison.models import Mesh, Support


def test_api_survives_a_mesh_without_some_cells(client, db):
    # Rows removed behind the application's back (SQL, an old import): the API answers anyway.
    Support.objects.filter(mesh__slug="linkerd", feature__slug="grpc").delete()
    Mesh.objects.filter(slug="linkerd").update(status_date=None)
    response = client.get("/api/meshes.json?status=all")
    assert response.status_code == 200
    linkerd = next(m for m in response.json() if m["slug"] == "linkerd")
    assert linkerd["features"]["grpc"]["last_verified"] is None
    assert client.get("/export/meshes.csv?status=all").status_code == 200


def test_csv_escapes_formulas(client, db):
    cell = Support.objects.get(mesh__slug="linkerd", feature__slug="grpc")
    Support.objects.filter(pk=cell.pk).update(note='=HYPERLINK("https://evil.example","x")')
    Mesh.objects.filter(slug="linkerd").update(name="+Linkerd")
    rows = list(csv.reader(io.StringIO(client.get("/export/meshes.csv").content.decode())))
    cells = [value for row in rows for value in row]
    assert '\'=HYPERLINK("https://evil.example","x")' in cells
    assert "'+Linkerd" in cells
    assert not any(value.startswith(("=", "+", "@")) for value in cells)


def test_api_reports_gamma(client, db):
    data = client.get("/api/meshes.json", {"mesh": "cilium"}).json()
    assert data[0]["gamma"]["level"] == "conformant"
    assert data[0]["gamma"]["source"].startswith("https://github.com/kubernetes-sigs/")
