"""The result as a decision record (MADR): record() and markdown() on small hand-made options,
and the .md/.json downloads of a stored result, in English and German."""

import json
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import translation

from questionnaire import madr
from questionnaire.answers import from_answers
from questionnaire.decision import Answers, MeshFacts, decide
from questionnaire.evaluation import Evaluation, store
from questionnaire.models import Questionnaire

FEATURES = {
    "mtls-http": "mTLS for HTTP",
    "tracing": "Tracing",
    "traffic-split": "Percentage-based traffic split",
}
HEADINGS = (
    "## Context and Problem Statement",
    "## Decision Drivers",
    "## Considered Options",
    "## Decision Outcome",
    "### Consequences",
    "## Pros and Cons of the Options",
    "## More Information",
)
GERMAN_HEADINGS = (
    "## Kontext und Problemstellung",
    "## Entscheidungskriterien",
    "## Betrachtete Optionen",
    "## Entscheidung",
    "### Konsequenzen",
    "## Vor- und Nachteile der Optionen",
    "## Weitere Informationen",
)
ANSWER_LINES = [("Is a mesh sensible at all?", [("How many services?", "Many")])]
PERMALINK = "https://portal.example/questionnaire/result/00000000-0000-4000-8000-000000000000/"


def mesh(slug: str, **overrides) -> MeshFacts:
    fields = {
        "slug": slug,
        "name": slug.capitalize(),
        "maturity": "followers",
        "discontinued": False,
        "status_label": "",
        "data_plane": "sidecar",
        "clouds": frozenset(),
        "config_lines": 10,
        "support": {},
    }
    fields.update(overrides)
    return MeshFacts(**fields)


def full(slug: str, **overrides) -> MeshFacts:
    """Supports mTLS and tracing, each with a source of its own."""
    return mesh(
        slug,
        support={"mtls-http": "yes", "tracing": "yes"},
        feature_sources={
            "mtls-http": f"https://{slug}.example/docs/mtls",
            "tracing": f"https://{slug}.example/docs/tracing_(otel)",
        },
        **overrides,
    )


def evaluation(meshes, **answers) -> tuple[Answers, Evaluation]:
    given = Answers(**{"needs": frozenset({"mtls"}), "nice": frozenset({"tracing"}), **answers})
    return given, Evaluation(decide(given, meshes, FEATURES), FEATURES)


def record_of(meshes, **answers) -> dict:
    given, found = evaluation(meshes, **answers)
    return madr.record(from_answers(given), found, ANSWER_LINES, PERMALINK, data_version="v1")


def as_link(url: str) -> str:
    return "](" + url.replace("(", "%28").replace(")", "%29") + ")"


def test_markdown_follows_the_madr_layout():
    text = madr.markdown(record_of([full("alpha"), mesh("beta", support={"mtls-http": "yes"})]))
    assert text.startswith("---\nstatus: proposed\ndate: ")
    assert "\n# Use Alpha as the service mesh\n" in text
    positions = [text.index(heading + "\n") for heading in HEADINGS]
    assert positions == sorted(positions)
    assert 'Chosen option: "Alpha", because' in text
    assert "…" not in text
    assert "\n\n\n" not in text


def test_every_cited_source_is_a_link_and_listed_once():
    found = record_of([full("alpha"), full("beta", stable_releases_free=False)])
    text = madr.markdown(found)
    assert "https://alpha.example/docs/tracing_(otel)" in found["links"]
    assert found["links"][-1] == PERMALINK
    assert len(found["links"]) == len(set(found["links"]))
    for url in found["links"]:
        assert as_link(url) in text, url
    # Each alternative with its documentation
    for alternative in found["alternatives"]:
        assert alternative["url"] in found["links"]


def test_the_record_is_json_and_carries_the_same_content():
    found = record_of([full("alpha"), mesh("beta", support={"mtls-http": "yes"})])
    assert json.loads(json.dumps(found)) == found
    assert found["status"] == "proposed"
    assert found["data_version"] == "v1"
    assert {"title", "date", "context", "drivers", "options", "outcome", "links"} <= set(found)
    text = madr.markdown(found)
    for option in found["options"]:
        assert f"### {option['name']}\n" in text
        for line in option["pros"] + option["cons"]:
            assert line["text"] in text


def test_options_carry_pros_with_sources_and_cons():
    found = record_of(
        [
            full("alpha"),
            mesh(
                "beta",
                support={"mtls-http": "yes", "tracing": "no"},
                stable_releases_free=False,
                fact_sources={"stable_releases_free": "https://beta.example/releases"},
            ),
        ],
        nice=frozenset({"tracing"}),
    )
    alpha, beta = found["options"]
    assert alpha["name"] == "Alpha" and alpha["rank"] == 1 and alpha["score"] > beta["score"]
    assert {"text": "mTLS for HTTP (must-have): supported", "source": alpha_source("mtls")} in (
        alpha["pros"]
    )
    assert any(p["source"] == alpha_source("tracing_(otel)") for p in alpha["pros"])
    assert any(c["source"] == "https://beta.example/releases" for c in beta["cons"])
    assert any("Tracing" in c["text"] and "not supported" in c["text"] for c in beta["cons"])


def alpha_source(page: str) -> str:
    return f"https://alpha.example/docs/{page}"


def test_drivers_come_from_the_answers():
    found = record_of(
        [full("alpha")],
        nice=frozenset({"tracing"}),
        cloud="gcp",
        open_source_only=True,
        pods=300,
        partial_ok=True,
    )
    drivers = {(d["kind"], d["text"]) for d in found["drivers"]}
    assert ("must", "Must-have: mTLS for HTTP") in drivers
    assert ("nice", "Nice-to-have: Tracing") in drivers
    assert ("platform", "Runs on Kubernetes") in drivers
    assert ("platform", "Hosting: Google Cloud") in drivers
    assert ("constraint", "OSI open source licences only") in drivers
    assert ("constraint", "About 300 pods in the mesh") in drivers
    assert ("constraint", "Partial support may meet a must-have") in drivers


def test_the_chosen_option_is_the_first_family_head():
    upstream = full("alpha")
    distribution = full("alphaplus", upstream="alpha", family_name="Alpha", name="Alpha Plus")
    found = record_of([distribution, upstream, mesh("beta", support={"mtls-http": "yes"})])
    assert found["outcome"]["chosen"] == "Alpha"
    assert found["outcome"]["tied_with"] == []  # its own distribution is no rival
    text = madr.markdown(found)
    assert "a distribution of Alpha" in text
    assert "### Alpha Plus\n" in text


def test_ties_stay_ties():
    _given, found = evaluation([full("zeta"), full("alpha")])
    result = found.result
    assert result.shortlist[0].score == result.shortlist[1].score
    rec = madr.record(None, found, [], "", data_version="v1")
    first, second = (f.head.mesh.name for f in result.families)
    # The decision's order names the first; the record says it is tied, not better.
    assert rec["outcome"]["chosen"] == first
    assert rec["outcome"]["tied_with"] == [second]
    assert "tied with" in rec["outcome"]["because"]
    assert rec["title"] == f"Use {first} as the service mesh, tied with {second}"
    text = madr.markdown(rec)
    assert f"tied with {second}" in text
    assert "(tied)" in text
    assert "highest score" not in text


def test_no_option_chosen_names_the_relax_hint_and_the_alternatives():
    found = record_of([mesh("alpha", maturity="very_new", support={"mtls-http": "yes"})])
    outcome = found["outcome"]
    assert outcome["chosen"] is None
    assert outcome["relax"] == {"text": "Accept very new projects", "would_admit": ["Alpha"]}
    assert "No option is chosen" in outcome["because"]
    assert "Accept very new projects: that would admit Alpha." in outcome["because"]
    assert outcome["alternatives"]
    for title in outcome["alternatives"]:
        assert title in outcome["because"]
    text = madr.markdown(found)
    assert "Chosen option" not in text
    assert "No option is chosen" in text
    assert "### Consequences" not in text
    assert "## Decision Outcome" in text and "## More Information" in text


def test_unverified_and_excluded_are_listed():
    found = record_of(
        [full("alpha"), mesh("beta", support={}), mesh("gamma", discontinued=True)],
    )
    assert [u["name"] for u in found["unverified"]] == ["Beta"]
    assert found["unverified"][0]["check"] == ["mTLS for HTTP"]
    assert [e["name"] for e in found["excluded"]] == ["Gamma"]
    text = madr.markdown(found)
    assert "* Beta: check mTLS for HTTP" in text
    assert "* Gamma: " in text


def test_long_texts_are_kept_whole_and_marks_escaped():
    note = "Stable builds come only with the vendor's subscription. " * 12
    found = record_of(
        [full("alpha", name="Alpha_*mesh*", stable_releases_free=False, release_note=note)]
    )
    text = madr.markdown(found)
    assert " ".join(note.split()) in text
    assert "Alpha\\_\\*mesh\\*" in text
    assert "…" not in text


def test_markdown_in_german():
    with translation.override("de"):
        found = record_of([full("alpha"), mesh("beta", support={"mtls-http": "yes"})])
        text = madr.markdown(found)
    for heading in GERMAN_HEADINGS:
        assert f"\n{heading}\n" in text
    assert "Gewählte Option: „Alpha“, weil" in text
    assert "([Quelle](https://alpha.example/docs/mtls))" in text
    assert found["drivers"][0]["text"] == "Must-have: mTLS for HTTP"


def test_madr_for_is_record_then_markdown():
    given, found = evaluation([full("alpha")])
    assert madr.madr_for(
        from_answers(given), found, ANSWER_LINES, PERMALINK, "v1"
    ) == madr.markdown(
        madr.record(from_answers(given), found, ANSWER_LINES, PERMALINK, data_version="v1")
    )


# --- the downloads ------------------------------------------------------------------------


@pytest.fixture
def stored(db) -> Questionnaire:
    answers = Answers(needs=frozenset({"mtls", "tracing"}), nice=frozenset({"traffic-split"}))
    return store(from_answers(answers))


def url(name: str, public_id) -> str:
    return reverse(f"questionnaire:decision-{name}", args=[public_id])


def test_markdown_download(client, stored):
    response = client.get(url("markdown", stored.public_id))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="service-mesh-decision-{stored.created:%Y-%m-%d}.md"'
    )
    text = response.content.decode()
    for heading in HEADINGS:
        assert f"\n{heading}\n" in text
    assert f"date: {stored.created:%Y-%m-%d}\n" in text
    assert re.search(r'^Chosen option: "[^"]+", because ', text, re.MULTILINE)
    assert "http://testserver" + stored.get_absolute_url() in text
    assert "…" not in text


def test_json_download_has_the_same_content(client, stored):
    found = client.get(url("json", stored.public_id)).json()
    text = client.get(url("markdown", stored.public_id)).content.decode()
    assert found["id"] == str(stored.public_id)
    assert found["status"] == "proposed"
    assert found["permalink"] == "http://testserver" + stored.get_absolute_url()
    assert found["links"], "a stored result on the real data cites its sources"
    assert found["options"] and found["outcome"]["chosen"] == found["options"][0]["name"]
    assert found["options"][0]["pros"]
    for link in found["links"]:
        assert as_link(link) in text, link
    assert found["answers"], "the answers of every step"
    assert stored.shortlist == [o["slug"] for o in found["options"]]


def test_downloads_in_german(client, stored):
    with translation.override("de"):
        markdown_url, json_url = url("markdown", stored.public_id), url("json", stored.public_id)
    assert markdown_url.startswith("/de/")
    text = client.get(markdown_url).content.decode()
    for heading in GERMAN_HEADINGS:
        assert f"\n{heading}\n" in text
    assert "## Context and Problem Statement" not in text
    found = client.get(json_url).json()
    assert found["permalink"].startswith("http://testserver/de/")
    assert found["drivers"][0]["text"].startswith("Must-have: ")


@pytest.mark.parametrize("name", ["markdown", "json"])
def test_unreadable_answers_are_gone(client, db, name):
    old = Questionnaire.objects.create(
        answers={"schema": 99, "steps": {}}, data_fingerprint="old", verdict="x", shortlist=[]
    )
    response = client.get(url(name, old.public_id))
    assert response.status_code == 410
    assert "This result can no longer be computed" in response.content.decode()


@pytest.mark.parametrize("name", ["markdown", "json"])
def test_unknown_ids_are_404_and_only_get_is_allowed(client, db, stored, name):
    assert client.get(url(name, uuid.uuid4())).status_code == 404
    assert client.head(url(name, stored.public_id)).status_code == 200
    assert client.post(url(name, stored.public_id)).status_code == 405


def test_the_api_offers_the_same_record(client, db):
    body = {"needs": ["mtls", "tracing"], "nice": ["traffic-split"], "format": "madr"}
    response = client.post(reverse("api-recommend"), body, content_type="application/json")
    assert response.status_code == 200
    found = response.json()
    text = found["madr"]
    assert text.startswith("---\nstatus: proposed\n")
    for heading in HEADINGS:
        assert f"\n{heading}\n" in text
    first = found["shortlist"][0]["name"]
    assert f'Chosen option: "{first}", because' in text
