"""The sources that prove the data, in a real browser: a "tested" mark that opens its report, a
mesh's release lines with the current one marked, a feature's timeline, and the overview's
freshness figures, in English at 1440 px and in German at 390 px."""

import pytest


@pytest.mark.parametrize(
    ("language", "width", "words"),
    [
        ("", 1440, {"tested": "tested", "lines": "Release lines and support", "since": "Since"}),
        (
            "/de",
            390,
            {"tested": "getestet", "lines": "Release-Linien und Support", "since": "Seit"},
        ),
    ],
    ids=["en-1440", "de-390"],
)
def test_tested_marks_release_lines_and_timeline(
    browser, live_server, live_data, shot, language, width, words
):
    from comparison.models import ConformanceReport

    report = ConformanceReport.objects.filter(mesh__slug="linkerd").order_by("-date").first()
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 844}
    )
    page = context.new_page()

    page.goto(f"{language}/meshes/linkerd/#feature-traffic-split")
    mark = page.locator("#feature-traffic-split a.tested").first
    assert mark.is_visible()
    assert mark.inner_text().startswith(words["tested"])
    assert mark.get_attribute("href") == report.source_url

    page.goto(f"{language}/meshes/istio-sidecar/#lifecycle")
    heading = page.locator("#lifecycle")
    assert heading.inner_text() == words["lines"]
    current = page.locator("table.lifecycle tr.cycle-current th")
    assert current.inner_text().startswith("1.31")
    assert page.locator("table.lifecycle tr.cycle-ended").count() >= 1
    shot(page, f"sources-lifecycle{language.replace('/', '-')}-{width}")
    # A wide table scrolls in its own box, never widening the page.
    box = "t => t.parentElement.getBoundingClientRect().right"
    assert page.locator("table.lifecycle").evaluate(box) <= width

    page.goto(f"{language}/features/traffic-split/#timeline")
    timeline = page.locator("table.timeline")
    assert words["since"] in timeline.locator("thead").inner_text()
    # The row whose product is Kuma (Kong Mesh's row names Kuma as its upstream).
    kuma = timeline.locator("tbody tr").filter(
        has=page.get_by_role("link", name="Kuma", exact=True)
    )
    assert "2.1.0" in kuma.inner_text()
    assert kuma.locator("a.tested").count() == 1
    assert timeline.evaluate(box) <= width
    shot(page, f"sources-timeline{language.replace('/', '-')}-{width}")

    page.goto(f"{language}/overview/#freshness-title")
    assert page.locator("table.freshness tbody tr").count() >= 10
    context.close()
