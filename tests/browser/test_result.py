"""The result page as a memo, in a real browser at a desktop and a phone width, in English and
German: the verdict, the top choices and what separates them come first; the rest is folded; the
decision record downloads."""

import json

import pytest

TEAM = {"cloud": "aws", "needs": ["mtls"], "pods": 2000, "latency_sensitive": True}
NOTHING_FITS = {
    "kubernetes": False,
    "outside_kubernetes": ["nomad"],
    "needs": ["mtls"],
    "open_source_only": True,
}


def stored(context, body: dict) -> str:
    response = context.request.post(
        "/api/recommend",
        data=json.dumps({**body, "store": True}),
        headers={"Content-Type": "application/json"},
    )
    assert response.status == 200, response.text()
    return response.json()["permalink"].split("://", 1)[1].split("/", 1)[1]


def bottom(page, selector: str) -> float:
    return page.locator(selector).evaluate("e => e.getBoundingClientRect().bottom + window.scrollY")


@pytest.mark.parametrize(
    ("width", "language"), [(1440, ""), (390, ""), (1440, "/de"), (390, "/de")]
)
def test_the_memo_reads_top_down(browser, live_server, live_data, shot, width, language):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    page.goto(f"{language}/{stored(context, TEAM)}")
    headline = page.locator("#verdict").inner_text()
    assert headline == (
        "Ein Service Mesh scheint der sinnvolle nächste Schritt zu sein."
        if language
        else "A service mesh looks like a sensible next step."
    )
    choices = page.locator("ol.choices > li.choice")
    assert 2 <= choices.count() <= 4
    # One product per family among the top choices: Linkerd and Buoyant never both.
    names = page.locator("ol.choices > li.choice h3 a").all_inner_texts()
    assert not {"Linkerd", "Buoyant Enterprise for Linkerd"} <= set(names)
    assert page.locator("table.differences tbody tr").count() >= 1
    # The full ranking, the excluded and the answers are folded away.
    for summary in ("details.full-ranking", "details.excluded-list", "details.your-answers"):
        assert page.locator(summary).get_attribute("open") is None
    assert page.locator("ol.shortlist").is_visible() is False
    # Nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if width == 1440:
        # The verdict, the top choices and what separates them within a screen and a half.
        assert bottom(page, "table.differences") <= 1.5 * 900
    shot(page, f"result-memo-{width}{language.replace('/', '-')}", full_page=True)
    page.locator("details.full-ranking summary").click()
    assert page.locator("ol.shortlist").is_visible()
    context.close()


@pytest.mark.parametrize(
    ("width", "language", "headings", "chosen"),
    [
        (
            1440,
            "",
            ("## Decision Outcome", "## Pros and Cons of the Options"),
            'Chosen option: "{}"',
        ),
        (
            390,
            "/de",
            ("## Entscheidung", "## Vor- und Nachteile der Optionen"),
            "Gewählte Option: „{}“",
        ),
    ],
)
def test_the_decision_record_downloads(
    browser, live_server, live_data, width, language, headings, chosen
):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    page.goto(f"{language}/{stored(context, TEAM)}")
    with page.expect_download() as download:
        page.locator('a[href$="/decision.md"]').click()
    text = download.value.path().read_text(encoding="utf-8")
    assert text.startswith("---\nstatus: proposed\n")
    assert all(heading in text for heading in headings), text[:400]
    first = page.locator("ol.choices > li.choice h3 a").first.inner_text()
    assert chosen.format(first) in text
    record = page.request.get(
        page.locator('a[href$="/decision.json"]').get_attribute("href")
    ).json()
    assert record["outcome"]["chosen"] == first
    context.close()


def test_nothing_fits_says_what_to_relax_and_relaxing_works(browser, live_server, live_data, shot):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(f"/{stored(context, NOTHING_FITS)}")
    assert page.locator("ol.choices").count() == 0
    empty = page.locator("section.empty").inner_text()
    assert "Accept licences that are not OSI open source" in empty and "Consul" in empty
    assert page.locator("ul.alternatives > li").count() >= 1
    shot(page, "result-nothing-fits", full_page=True)
    page.get_by_role(
        "button", name="Accept licences that are not OSI open source and try again"
    ).click()
    page.wait_for_selector("ol.choices")
    assert page.locator("ol.choices > li.choice h3 a").first.inner_text() == "Consul"
    context.close()
