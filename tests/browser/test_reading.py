"""Reading the table in a real browser: what fits the window, what stays in view, notes, exports."""

import base64
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


DOCUMENT_OVERFLOW = "() => document.documentElement.scrollWidth - innerWidth"
# Every column header's width, to the tenth of a pixel.
COLUMN_WIDTHS = """() => [...document.querySelectorAll('table.matrix thead th')].map(
  th => Math.round(th.getBoundingClientRect().width * 10) / 10)"""


@pytest.mark.parametrize("language", ["", "/de"])
def test_the_active_meshes_fit_1440_by_900_and_features_start_on_the_first_screen(
    wide, language, shot
):
    page = wide
    page.goto(f"{language}/")
    active = Mesh.objects.active().service_meshes().count()
    assert page.locator("thead th.mesh-col").count() == active >= 15
    assert page.evaluate(FULLY_VISIBLE_COLUMNS) == active
    assert page.evaluate(DOCUMENT_OVERFLOW) <= 0, "the page never scrolls sideways"
    # One scroll, the page's: the table sits in no scrolling box of its own.
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('main *')].filter(e => {
          const cs = getComputedStyle(e);
          return ['auto', 'scroll'].includes(cs.overflowY) && e.scrollHeight > e.clientHeight + 1
            && e.contains(document.querySelector('table.matrix')) }).length"""
    )
    assert boxes == 0
    # The decision comes first: the two ways in, then the table within the first screen.
    assert page.locator(".ways-in a.button").bounding_box()["y"] < 250
    assert page.locator(".chips label.chip").count() >= 8
    first_screen_rows = page.evaluate(
        """() => [...document.querySelectorAll('tr[id^="feature-"]')].filter(r => {
          const b = r.getBoundingClientRect(); return b.top >= 0 && b.bottom <= innerHeight
        }).length"""
    )
    assert first_screen_rows >= 3
    scroll_to_first_feature_rows(page)
    assert page.evaluate(FULLY_VISIBLE_FEATURE_ROWS) >= 15
    if not language:
        page.evaluate("window.scrollTo(0, 0)")
        path = shot(page, "table-1440")
        shutil.copy(path, DOCS_SCREENSHOTS / "table-1440.png")


@pytest.mark.parametrize("language", ["", "/de"])
def test_every_mesh_at_1440_scrolls_in_the_table_s_own_box(wide, language):
    page = wide
    page.goto(f"{language}/?status=all&kind=all")
    assert page.locator("thead th.mesh-col").count() == Mesh.objects.count()
    assert page.evaluate(DOCUMENT_OVERFLOW) <= 0
    wrap = page.locator(".table-wrap")
    assert "is-boxed" in wrap.get_attribute("class")
    wrap.evaluate("w => w.scrollBy(500, 0)")
    assert wrap.evaluate("w => w.scrollLeft") > 100
    feature = page.locator("tbody th.feature-col").first
    assert abs(feature.bounding_box()["x"] - wrap.bounding_box()["x"]) < 3


def test_header_feature_column_and_category_stay_in_view(phone):
    page = phone
    page.goto("/?status=all")
    assert page.evaluate(DOCUMENT_OVERFLOW) <= 0, "only the table scrolls sideways"
    wrap = page.locator(".table-wrap")
    header = page.locator("thead th.mesh-col").first
    feature = page.locator("#feature-mtls-http th")
    category = page.locator("#cat-security .category-toggle")
    natural_x = feature.bounding_box()["x"]
    # The table's box fills the window; inside it the header row sticks to the top.
    wrap.scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, document.querySelector('.table-wrap').offsetTop)")
    wrap.evaluate("w => w.scrollTo(0, 600)")
    top = wrap.bounding_box()["y"]
    assert abs(header.bounding_box()["y"] - top) < 2
    # Sideways: the feature column and the category's name stick to the box's left edge.
    wrap.evaluate("w => w.scrollTo(600, w.scrollTop)")
    assert wrap.evaluate("w => w.scrollLeft") > 300
    left = wrap.bounding_box()["x"]
    feature.evaluate("e => e.closest('.table-wrap').scrollTop = e.offsetTop - 80")
    assert abs(feature.bounding_box()["x"] - left) < 2 and natural_x > 2
    category.evaluate("e => e.closest('.table-wrap').scrollTop = e.closest('tr').offsetTop - 80")
    name = category.bounding_box()
    assert left <= name["x"] < left + 50, "the category's name stays in view"
    assert abs(page.locator("thead th.feature-col").bounding_box()["y"] - top) < 2


@pytest.mark.parametrize("width", [390, 1440])
@pytest.mark.parametrize("language", ["", "/de"])
def test_a_note_opens_over_the_table_without_changing_a_column(
    browser, live_server, live_data, width, language, shot
):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}, is_mobile=width < 500
    )
    page = context.new_page()
    page.goto(f"{language}/")
    before = page.evaluate(COLUMN_WIDTHS)
    rows_before = page.evaluate("() => document.querySelector('table.matrix').offsetHeight")
    cell = page.locator("table.matrix td:nth-child(6) > details:has(p.note)").first
    summary = cell.locator("summary")
    summary.scroll_into_view_if_needed()
    summary.click()
    note = cell.locator("p.note")
    assert note.is_visible()
    assert page.evaluate(COLUMN_WIDTHS) == before, "no column changes width"
    assert page.evaluate("() => document.querySelector('table.matrix').offsetHeight") == (
        rows_before
    ), "no row moves"
    assert page.evaluate(DOCUMENT_OVERFLOW) <= 0
    if width == 1440 and not language:
        shot(page, "note-open-1440")
    # One note at a time; Escape closes it and gives the focus back to its level word.
    other = page.locator("table.matrix td:nth-child(3) > details:has(p.note)").first
    other.locator("summary").scroll_into_view_if_needed()
    other.locator("summary").click()
    assert page.locator("table.matrix td > details[open]").count() == 1
    page.keyboard.press("Escape")
    assert page.locator("table.matrix td > details[open]").count() == 0
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    context.close()


def test_a_note_opens_without_javascript(browser, live_server, live_data):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1440, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/")
    # Without script, measured by the header cells' boxes.
    widths = [box["width"] for box in (h.bounding_box() for h in page.locator("thead th").all())]
    cell = page.locator("table.matrix td > details:has(p.note)").first
    cell.locator("summary").click()
    assert cell.locator("p.note").is_visible()
    after = [box["width"] for box in (h.bounding_box() for h in page.locator("thead th").all())]
    assert after == widths
    context.close()


def test_chips_pick_must_haves_in_place_and_the_address_stays_clean(wide):
    page = wide
    page.goto("/")
    shown = page.locator("thead th.mesh-col").count()
    page.locator("label.chip", has=page.locator("#must-mtls-strict")).click()
    page.wait_for_url(re.compile(r"/\?must=mtls-strict$"))
    page.wait_for_function(f"document.querySelectorAll('thead th.mesh-col').length < {shown}")
    assert page.is_checked("#must-mtls-strict")
    page.locator("label.chip", has=page.locator("#must-tracing")).click()
    page.wait_for_url(re.compile(r"/\?must=mtls-strict&must=tracing$"))
    # A facet and a view option from the filters: the address names only what was chosen.
    page.locator("summary.filters-summary").click()
    page.select_option("#id_data_plane", "sidecar")
    page.wait_for_url(re.compile(r"data_plane=sidecar"))
    assert page.url.endswith("/?must=mtls-strict&must=tracing&data_plane=sidecar")
    page.check("#id_facts")
    page.wait_for_url(re.compile(r"facts=show"))
    assert "density=" not in page.url and "q=" not in page.url and "platforms=" not in page.url
    # Unticking the chips takes them out of the address again.
    page.locator("label.chip", has=page.locator("#must-mtls-strict")).click()
    page.locator("label.chip", has=page.locator("#must-tracing")).click()
    page.wait_for_url(lambda url: "must=" not in url)


def test_chips_work_without_javascript(browser, live_server, live_data):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1440, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/")
    page.check("#must-retries")
    page.check("#must-tracing")
    page.get_by_role("button", name="Apply", exact=True).click()
    page.wait_for_url(re.compile(r"must=retries"))
    assert "must=tracing" in page.url
    assert page.is_checked("#must-retries") and page.is_checked("#must-tracing")
    context.close()


def test_notes_toggle_is_kept_in_the_url(wide):
    page = wide
    page.goto("/")
    cell = page.locator("#feature-fault-injection td details:has(p.note):has(a.src)").first
    note = cell.locator("p.note")
    assert not note.is_visible()
    cell.locator("summary").click()
    assert note.is_visible() and cell.locator("a.src").is_visible()
    page.locator("summary.filters-summary").click()
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
    # The table starts within the first screen, and only the table scrolls sideways.
    assert page.locator("table.matrix").bounding_box()["y"] < 844
    assert page.evaluate(DOCUMENT_OVERFLOW) <= 0
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


@pytest.mark.parametrize("language", ["", "/de"])
def test_no_divider_between_header_cells(wide, language):
    """Header cells stick on layers of their own; where two met at a fraction of a pixel the
    table's background showed through as a thin line. Read the header's top pixel row, above
    the mesh names: one colour from the feature column to the table's right edge."""
    page = wide
    page.goto(f"{language}/")
    head = page.locator("table.matrix thead").bounding_box()
    first = page.locator("thead th.mesh-col").first.bounding_box()
    clip = {
        "x": first["x"],
        "y": head["y"] + 2,
        "width": head["width"] - first["x"] - 3,
        "height": 1,
    }
    png = base64.b64encode(page.screenshot(clip=clip)).decode()
    colours = page.evaluate(
        """async png => {
          const image = new Image();
          image.src = 'data:image/png;base64,' + png;
          await image.decode();
          const canvas = document.createElement('canvas');
          canvas.width = image.width; canvas.height = image.height;
          const context = canvas.getContext('2d');
          context.drawImage(image, 0, 0);
          const data = context.getImageData(0, 0, image.width, 1).data;
          const seen = new Set();
          for (let i = 0; i < data.length; i += 4) seen.add(data.slice(i, i + 3).join(','));
          return [...seen];
        }""",
        png,
    )
    assert len(colours) == 1, colours
