"""Step 3 of the questionnaire as an interview, in a real browser: short enough to read at a
desktop and a phone width in English and German, a problem opens to reveal its features, a
must-have changes the "options still fit" count (htmx), and without JavaScript the plain form
still posts and stores the answers."""

import json
import re
import shutil

import pytest

from tests.browser.conftest import SCREENSHOTS, serious_violations
from tests.browser.test_browser import answer_fit
from tests.browser.test_reading import DOCS_SCREENSHOTS

HEIGHTS = {1440: 900, 390: 844}
# At most this many screens tall with no problem opened.
SCREENS = {1440: 2, 390: 4}
NEXT = "button[name=next]"


def to_step_three(page, language: str = "", outside=()) -> None:
    """Answer the gate (Kubernetes, no features named) and the environment, as a visitor."""
    page.goto(f"{language}/questionnaire/")
    page.check("input[name=services][value=many]")
    page.check("input[name=tech_diversity][value=high]")
    page.check("input[name=communication][value=sync]")
    page.check("input[name=kubernetes][value=yes]")
    page.check("input[name=change_frequency][value=often]")
    page.locator(NEXT).click()
    page.wait_for_selector("input[name=cloud]")
    for place in outside:
        page.check(f"input[name=outside_kubernetes][value={place}]")
    page.check("input[name=cloud][value=on_prem]")
    page.check("input[name=openshift][value=no]")
    page.check("input[name=standards][value=none]")
    page.locator(NEXT).click()
    page.wait_for_selector("details.problem")
    assert page.url.endswith("/questionnaire/?step=2")


def fits(page) -> int:
    text = page.locator("#still-fit strong").inner_text()
    number = re.match(r"\d+", text)
    assert number, text
    return int(number.group())


def record_height(width: int, language: str, height: int) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / "interview-heights.json"
    heights = json.loads(path.read_text()) if path.exists() else {}
    heights[f"{language.strip('/') or 'en'}-{width}"] = height
    path.write_text(json.dumps(heights, indent=2, sort_keys=True))


@pytest.mark.parametrize(
    ("width", "language"), [(1440, ""), (390, ""), (1440, "/de"), (390, "/de")]
)
def test_step_three_is_short_and_a_must_have_changes_the_count(
    browser, live_server, live_data, shot, width, language
):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": HEIGHTS[width]}
    )
    page = context.new_page()
    to_step_three(page, language)
    problems = page.locator("details.problem")
    assert problems.count() == 7  # six problems and every other feature, for experts
    assert page.locator("details.problem[open]").count() == 0
    assert page.locator("input[name='f_fault-injection']").first.is_visible() is False
    height = page.evaluate("document.documentElement.scrollHeight")
    record_height(width, language, height)
    assert height <= SCREENS[width] * HEIGHTS[width], height
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, f"interview-{width}{language.replace('/', '-')}", full_page=True)

    before = fits(page)
    page.locator("#problem-resilience > summary").click()
    fault = page.locator("input[name='f_fault-injection'][value=must]")
    assert fault.is_visible()
    # Only the resilience features were revealed.
    assert page.locator("input[name='f_tracing'][value=must]").is_visible() is False
    link = page.locator("#feature-fault-injection legend a")
    assert link.get_attribute("href") == f"{language}/features/fault-injection/"
    fault.check()
    page.wait_for_function(
        "n => parseInt(document.querySelector('#still-fit strong').textContent) < n", arg=before
    )
    assert fits(page) < before
    assert serious_violations(page) == []
    opened = shot(page, f"interview-open-{width}{language.replace('/', '-')}", full_page=True)
    if width == 1440 and not language:
        shutil.copy(opened, DOCS_SCREENSHOTS / "interview-1440.png")
    # Back to don't care: the count returns.
    page.locator("input[name='f_fault-injection'][value=ignore]").check()
    page.wait_for_function(
        "n => parseInt(document.querySelector('#still-fit strong').textContent) == n", arg=before
    )
    context.close()


def test_workloads_on_vms_are_asked_about_and_dark_mode_keeps_contrast(
    browser, live_server, live_data
):
    context = browser.new_context(base_url=live_server.url, color_scheme="dark")
    page = context.new_page()
    to_step_three(page, outside=["vms_on_prem"])
    page.locator("#problem-platform > summary").click()
    assert page.locator("input[name=f_vms][value=must]").is_visible()
    page.locator("input[name=f_vms][value=must]").check()
    assert serious_violations(page) == []
    context.close()


def test_without_javascript_the_form_posts_and_stores_the_answers(browser, live_server, live_data):
    from questionnaire.models import Questionnaire

    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    to_step_three(page)
    # The count as of the page load.
    assert fits(page) > 0
    page.locator("#problem-visibility > summary").click()
    page.check("input[name=f_tracing][value=must]")
    page.check("input[name=f_dashboard][value=nice]")
    page.locator("#problem-all > summary").click()
    page.check("input[name=f_grpc][value=nice]")
    page.locator(NEXT).click()
    answer_fit(page)
    page.wait_for_url(re.compile(r"/questionnaire/result/[0-9a-f-]{36}/$"))
    stored = Questionnaire.objects.latest("created").answers["steps"]["features"]
    assert stored == {
        "must": ["tracing"],
        "nice": ["dashboard", "grpc"],
        "partial_ok": False,
        "experimental_ok": False,
    }
    # Back at step 3, the answered problems are open again.
    page.goto("/questionnaire/?step=2")
    assert page.locator("#problem-visibility").get_attribute("open") is not None
    assert page.locator("#problem-all").get_attribute("open") is not None
    assert page.locator("#problem-resilience").get_attribute("open") is None
    context.close()
