"""Reading the table in a real browser: what fits the window, what stays in view, notes, exports."""

import csv
import re
import shutil
from pathlib import Path

import pytest

from comparison.models import Feature, Mesh

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
FULLY_VISIBLE_COLUMNS = """() => [...document.querySelectorAll('thead th.mesh-col')].filter(c => {
  const r = c.getBoundingClientRect(); return r.left >= 0 && r.right <= innerWidth }).length"""
# Feature rows wholly between the (sticky) header row and the bottom of the window.
FULLY_VISIBLE_FEATURE_ROWS = """() => {
  const top = document.querySelector('table.matrix thead').getBoundingClientRect().bottom;
  return [...document.querySelectorAll('tr[id^="feature-"]')].filter(r => {
    const b = r.getBoundingClientRect(); return b.top >= top - 1 && b.bottom <= innerHeight
  }).length }"""
# Text cut off by a box that hides its overflow, or SVG text reaching beyond its picture.
CUT_OFF = """() => {
  const cut = [];
  for (const e of document.querySelectorAll('body *')) {
    if (e.closest('.visually-hidden') || e.closest('svg')) continue;
    const cs = getComputedStyle(e);
    const hides = ['hidden', 'clip'].includes(cs.overflowX) || cs.textOverflow === 'ellipsis';
    if (cs.clipPath !== 'none') continue;
    if (hides && e.getClientRects().length && e.scrollWidth > e.clientWidth + 1
        && !e.matches('.filters-panel'))
      cut.push(e.tagName + '.' + e.className + ': ' + e.textContent.trim().slice(0, 40));
  }
  for (const svg of document.querySelectorAll('svg.chart-svg')) {
    const [x, y, w, h] = svg.getAttribute('viewBox').split(' ').map(Number);
    for (const t of svg.querySelectorAll('text')) {
      const b = t.getBBox();
      if (b.x < x - 0.5 || b.x + b.width > x + w + 0.5) cut.push('svg: ' + t.textContent);
    }
  }
  return cut;
}"""


@pytest.fixture
def wide(browser, live_server, live_data):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1440, "height": 900}, accept_downloads=True
    )
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser, live_server, live_data):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    yield context.new_page()
    context.close()


def scroll_to_first_feature_rows(page) -> None:
    """Scroll the page (the only scroll) until the first feature category meets the header row."""
    page.evaluate(
        """() => {
          const head = document.querySelector('table.matrix thead').getBoundingClientRect();
          const first = document.querySelector('tbody.category:not(.facts-rows)');
          window.scrollBy(0, first.getBoundingClientRect().top - head.height);
        }"""
    )


@pytest.mark.parametrize("language", ["", "/de"])
def test_a_dozen_meshes_and_fifteen_rows_fit_1440_by_900(wide, language, shot):
    page = wide
    page.goto(f"{language}/?status=all&kind=all")
    assert page.locator("thead th.mesh-col").count() == Mesh.objects.count()
    assert page.evaluate(FULLY_VISIBLE_COLUMNS) >= 12
    # One scroll, the page's: the table sits in no scrolling box of its own.
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('main *')].filter(e => {
          const cs = getComputedStyle(e);
          return ['auto', 'scroll'].includes(cs.overflowY) && e.scrollHeight > e.clientHeight + 1
            && e.contains(document.querySelector('table.matrix')) }).length"""
    )
    assert boxes == 0
    # The filters sit beside the table, not above it.
    filters = page.locator("#filters").bounding_box()
    table = page.locator("table.matrix").bounding_box()
    assert filters["x"] + filters["width"] <= table["x"]
    assert table["y"] < 450
    scroll_to_first_feature_rows(page)
    assert page.evaluate(FULLY_VISIBLE_FEATURE_ROWS) >= 15
    assert page.evaluate(FULLY_VISIBLE_COLUMNS) >= 12
    if not language:
        page.evaluate("window.scrollTo(0, document.querySelector('#results').offsetTop - 8)")
        path = shot(page, "table-1440")
        shutil.copy(path, DOCS_SCREENSHOTS / "table-1440.png")


def test_header_feature_column_and_category_stay_in_view(phone):
    page = phone
    page.goto("/?status=all")
    header = page.locator("thead th.mesh-col").first
    feature = page.locator("#feature-mtls-http th")
    category = page.locator("#cat-security .category-toggle")
    natural_x = feature.bounding_box()["x"]
    # Down: the header row sticks to the top of the window.
    feature.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, 200)")
    assert abs(header.bounding_box()["y"]) < 2
    # Sideways: the feature column and the category's name stick to the left edge.
    page.evaluate("window.scrollTo(600, window.scrollY)")
    assert page.evaluate("window.scrollX") > 300
    box = feature.bounding_box()
    assert abs(box["x"]) < 2 and natural_x > 2
    category.scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(600, window.scrollY)")
    name = category.bounding_box()
    assert 0 <= name["x"] < 50, "the category's name stays in view"
    # Both ways at once: the header row is still on top.
    page.evaluate("window.scrollBy(0, 300)")
    assert abs(header.bounding_box()["y"]) < 2 or header.bounding_box()["x"] < 0
    assert abs(page.locator("thead th.feature-col").bounding_box()["y"]) < 2


def test_notes_toggle_is_kept_in_the_url(wide):
    page = wide
    page.goto("/")
    cell = page.locator("#feature-fault-injection td details:has(p.note):has(a.src)").first
    note = cell.locator("p.note")
    assert not note.is_visible()
    cell.locator("summary").click()
    assert note.is_visible() and cell.locator("a.src").is_visible()
    page.check("#id_notes")
    page.wait_for_url(re.compile(r"notes=true"))
    page.wait_for_selector("table.matrix.with-notes")
    assert page.locator("table.matrix td > p.note").first.is_visible()
    page.reload()
    assert page.is_checked("#id_notes")
    assert page.locator("table.matrix.with-notes").count() == 1
    page.get_by_role("link", name="Hide notes").click()
    page.wait_for_url(lambda url: "notes=" not in url)
    assert page.locator("table.matrix.with-notes").count() == 0


def test_feature_page_from_the_row_header(wide):
    page = wide
    page.goto("/")
    page.locator("#feature-mtls-tcp a.feature-name").click()
    page.wait_for_url(re.compile(r"/features/mtls-tcp/$"))
    assert page.locator("h1").inner_text() == Feature.objects.get(slug="mtls-tcp").name
    headings = page.locator("section.level-group h2").all_inner_texts()
    assert [h.split("(")[0].strip(" ✓◐✗?") for h in headings] == [
        "Yes",
        "Partial",
        "No",
        "Unknown",
    ]
    assert page.locator(".support-list li").count() == Mesh.objects.count()
    assert page.locator(".support-list a[rel~=external]").count() >= 10


def test_csv_opens_with_its_byte_order_mark_and_facts(wide, tmp_path):
    page = wide
    page.goto("/de/?must=mtls-tcp")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    name = download.value.suggested_filename
    assert re.fullmatch(r"service-meshes-de-\d{4}-\d{2}-\d{2}-mtls-tcp\.csv", name)
    path = tmp_path / name
    download.value.save_as(path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0][:3] == ["Kategorie", "Feature (Schlüssel)", "Feature"]
    facts = [row for row in rows if row[0] == "Eckdaten"]
    assert [row[1] for row in facts][:3] == ["status", "maturity", "open-source"]
    assert any("…" in cell or "ä" in cell or "ü" in cell for row in rows for cell in row)
    assert not any("Ã" in cell for row in rows for cell in row)
    assert len({len(row) for row in rows}) == 1


def test_phone_shows_results_first_and_filters_behind_a_disclosure(phone, shot):
    page = phone
    page.goto("/?must=grpc")
    summary = page.locator("summary.filters-summary")
    assert "Filters (1 active)" in summary.inner_text()
    assert not page.locator("#id_q").is_visible()
    # The results start within the first screen.
    assert page.locator("table.matrix").bounding_box()["y"] < 844
    assert page.locator("#results").bounding_box()["y"] < 450
    summary.click()
    assert page.locator("#id_q").is_visible()
    page.check("#must-tracing")
    page.wait_for_url(re.compile(r"must=tracing"))
    page.wait_for_function("document.querySelector('#active-count').textContent.includes('2')")
    page.goto("/")
    path = shot(page, "table-390")
    shutil.copy(path, DOCS_SCREENSHOTS / "table-390.png")


def test_phone_filters_work_without_javascript(browser, live_server, live_data):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/")
    assert not page.locator("#id_q").is_visible()
    page.locator("summary.filters-summary").click()
    page.locator("summary", has_text="Must-have features").click()
    page.check("#must-fault-injection")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"must=fault-injection"))
    assert "(1 active)" in page.locator("summary.filters-summary").inner_text()
    context.close()


@pytest.mark.parametrize("width", [390, 1440])
def test_no_label_is_cut_off(browser, live_server, live_data, width):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    for path in [
        "/",
        "/?status=all",
        "/compare/?mesh=google-cloud-service-mesh&mesh=linkerd",
        "/overview/",
        "/de/overview/",
        "/meshes/google-cloud-service-mesh/",
        "/features/mtls-http/",
    ]:
        page.goto(path)
        assert page.evaluate(CUT_OFF) == [], path
    context.close()


def test_compare_screenshot(wide, shot):
    page = wide
    page.goto("/compare/?mesh=istio-sidecar&mesh=linkerd")
    assert page.locator("#fact-licence").count() == 1
    path = shot(page, "compare-1440")
    shutil.copy(path, DOCS_SCREENSHOTS / "compare-1440.png")


@pytest.mark.parametrize("language", ["", "/de"])
def test_axe_on_the_phone_layout_and_new_views(phone, language):
    from axe_playwright_python.sync_playwright import Axe

    report = {}
    for path in ["/?notes=true", "/features/mtls-http/", "/?density=comfortable&q=licence"]:
        phone.goto(language + path)
        if path.startswith("/?notes"):
            phone.locator("summary.filters-summary").click()
        violations = Axe().run(phone).response["violations"]
        report[language + path] = [
            (v["id"], len(v["nodes"])) for v in violations if v["impact"] in ("serious", "critical")
        ]
    assert report == {key: [] for key in report}
