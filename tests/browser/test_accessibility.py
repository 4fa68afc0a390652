"""Look and reach in a real browser: axe-core, keyboard, phones to wide screens, both languages."""

import re

import pytest

from questionnaire.answers import build
from tests.browser.conftest import serious_violations

PAGES = [
    "/",
    "/?must=mtls-tcp&must=fault-injection&diff=true",
    "/compare/",
    "/compare/?mesh=istio-sidecar&mesh=linkerd",
    "/meshes/linkerd/",
    "/meshes/open-service-mesh/",
    "/meshes/aws-app-mesh/",
    "/features/mtls-http/",
    "/?status=all&density=comfortable&notes=true",
    "/compare/?mesh=istio-sidecar&mesh=linkerd&notes=true",
    "/questionnaire/",
    "/overview/",
    "/changes/",
]


def stored_result_url(gate: dict) -> str:
    from questionnaire.evaluation import store

    steps = {
        # The wizard's form values, stored as the answers' vocabulary has them.
        "gate": {**gate, "kubernetes": gate["kubernetes"] == "yes"},
        "environment": {
            "outside_kubernetes": [],
            "cloud": "gcp",
            "openshift": False,
            "experience": ["envoy"],
            "languages": [],
            "standards": "none",
        },
        "features": {
            "must": ["mtls-http"],
            "nice": ["tracing"],
            "partial_ok": False,
            "experimental_ok": False,
        },
        "fit": {
            "min_maturity": "followers",
            "complexity_tolerance": "high",
            "latency_sensitive": False,
            "pods": None,
            "open_source_only": False,
            "cncf_graduated_only": False,
            "support": "welcome",
        },
    }
    return store(build(steps)).get_absolute_url()


# A data table may also scroll inside a box of its own (.table-scroll): the box must fit, what
# scrolls inside it need not.
OVERFLOW_BESIDE_TABLES = """Math.max(0, ...[...document.querySelectorAll('body *')]
  .filter(e => !e.closest('table.matrix') && !e.closest('.visually-hidden') && e.checkVisibility())
  .filter(e => !(e.parentElement && e.parentElement.closest('.table-scroll')))
  .filter(e => !e.closest('svg.chart-svg'))
  .map(e => e.getBoundingClientRect().right + window.scrollX)) - window.innerWidth"""


@pytest.fixture
def context(browser, live_server, live_data):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1440, "height": 900})
    yield context
    context.close()


@pytest.mark.parametrize("language", ["", "/de"])
def test_axe_finds_no_serious_issue_on_any_page(context, language, wizard):
    page = context.new_page()
    report = {}
    for path in [*PAGES, stored_result_url(wizard.GATE_YES)]:
        page.goto(language + path)
        assert page.locator("html").get_attribute("lang") == (language.strip("/") or "en")
        report[language + path] = serious_violations(page)
    # The wizard's later steps and the empty-shortlist form are pages of their own.
    page.goto(language + "/questionnaire/")
    for name, value in wizard.GATE_YES.items():
        for item in value if isinstance(value, list) else [value]:
            page.check(f"input[name={name}][value={item}]")
    page.locator("button[name=next]").click()
    page.wait_for_url(re.compile(r"step=1"))
    report[language + " wizard step 2"] = serious_violations(page)
    assert report == {key: [] for key in report}


def test_dark_mode_keeps_contrast(browser, live_server, live_data, shot):
    context = browser.new_context(base_url=live_server.url, color_scheme="dark")
    page = context.new_page()
    for path in ["/", "/meshes/linkerd/", "/overview/"]:
        page.goto(path)
        assert serious_violations(page) == [], path
    shot(page, "overview-dark-1440")
    context.close()


def test_keyboard_reaches_filters_and_changes_the_table(context):
    page = context.new_page()
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # The filters wait folded above the table; the keyboard opens them like any disclosure.
    page.focus("summary.filters-summary")
    page.keyboard.press("Enter")
    page.focus("#id_q")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "focus must be visible"
    summary = page.locator("summary", has_text="Must-have features")
    summary.focus()
    page.keyboard.press("Enter")
    page.focus("#must-fault-injection")
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(r"must=fault-injection"))
    assert page.is_checked("#must-fault-injection")


def test_category_toggle_is_a_keyboard_button(context):
    page = context.new_page()
    page.goto("/")
    toggle = page.locator("button.category-toggle").first
    assert toggle.get_attribute("aria-expanded") == "true"
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.locator("tbody.category").first.locator("tr.collapsed").count() > 0


@pytest.mark.parametrize("width", [360, 390, 1440])
def test_pages_fit_the_screen_and_the_first_column_stays(
    browser, live_server, live_data, width, wizard, shot
):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}, is_mobile=width < 500
    )
    page = context.new_page()
    result = stored_result_url(wizard.GATE_YES)
    for name, path in [
        ("table", "/"),
        ("compare", "/compare/?mesh=istio-sidecar&mesh=linkerd"),
        ("mesh", "/meshes/linkerd/"),
        ("lifecycle", "/meshes/istio-sidecar/"),
        ("feature", "/features/traffic-split/"),
        ("questionnaire", "/questionnaire/"),
        ("result", result),
        ("overview", "/overview/"),
    ]:
        page.goto(path)
        # No page scrolls sideways: a table wider than the screen scrolls in its own box, and so
        # do charts on a phone (at their drawn size, so that their 12px labels stay readable).
        overflow = page.evaluate(OVERFLOW_BESIDE_TABLES)
        assert overflow <= 1, f"{path} is {overflow}px wider than a {width}px screen"
        document = page.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert document <= 0, f"{path} scrolls {document}px sideways at {width}px"
        if name == "overview":
            label_heights = page.locator(".chart-label").evaluate_all(
                "labels => labels.map(label => label.getBoundingClientRect().height)"
            )
            assert label_heights and min(label_heights) >= 12, "chart text is drawn at 12px"
        if width == 1440 and name in ("mesh", "result", "overview"):
            shot(page, f"{name}-{width}")
        if width == 390 and name != "table":
            shot(page, f"{name}-{width}")
    page.goto("/?status=all&kind=all")
    assert page.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0
    first_column = page.locator("tbody th.feature-col").first
    assert first_column.evaluate("e => getComputedStyle(e).position") == "sticky"
    # The table wider than the screen scrolls in its own box, its feature column pinned there.
    wrap = page.locator(".table-wrap")
    wrap.evaluate("w => w.scrollTo(400, 0)")
    assert wrap.evaluate("w => w.scrollLeft") > 100
    box = first_column.bounding_box()
    assert abs(box["x"] - wrap.bounding_box()["x"]) < 3, "the feature column stays pinned"
    context.close()


def test_language_switch_keeps_the_url_state(context):
    page = context.new_page()
    page.goto("/?must=grpc&status=all")
    page.locator(".language-switch a", has_text="Deutsch").click()
    page.wait_for_url(re.compile(r"/de/\?must=grpc&status=all$"))
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.is_checked("#must-grpc")
    page.locator(".language-switch a", has_text="English").click()
    page.wait_for_url(re.compile(r"/\?must=grpc&status=all$"))
    assert page.locator("html").get_attribute("lang") == "en"
