"""In a real browser: Debian's Chromium driven by Playwright (never a downloaded browser)."""

import re

import pytest

HEADER_COUNT = "document.querySelectorAll('table.matrix thead th.mesh-col').length"


@pytest.fixture
def page(browser, live_server, live_data):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1440, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def mesh_headers(page) -> list[str]:
    return page.locator("table.matrix thead th.mesh-col a").all_inner_texts()


def test_ticking_a_must_have_filters_in_place_and_back_restores(page, shot):
    page.goto("/")
    before = mesh_headers(page)
    page.evaluate("window.__sameDocument = true")
    page.locator("summary.filters-summary").click()
    page.locator("summary", has_text="Must-have features").click()
    page.check("#must-fault-injection")
    page.wait_for_url(re.compile(r"must=fault-injection"))
    page.wait_for_function(f"n => {HEADER_COUNT} < n", arg=len(before))
    after = mesh_headers(page)
    assert 0 < len(after) < len(before)
    assert page.evaluate("window.__sameDocument") is True, "the page was reloaded"
    shot(page, "table-filtered")
    page.go_back()
    page.wait_for_url(re.compile(r"/$"))
    page.wait_for_function(f"n => {HEADER_COUNT} === n", arg=len(before))
    assert mesh_headers(page) == before


def test_mtls_tcp_and_fault_injection_then_compare_two(page, shot):
    page.goto("/?must=mtls-tcp&must=fault-injection")
    names = mesh_headers(page)
    assert "Istio (sidecar mode)" in names and "Linkerd" not in names
    page.check("#cmp-istio-sidecar")
    page.check("#cmp-kuma")
    page.get_by_role("button", name="Compare side by side").click()
    page.wait_for_url(re.compile(r"/compare/\?mesh=istio-sidecar&mesh=kuma"))
    assert page.locator("h1").inner_text().startswith("Istio (sidecar mode)")
    assert page.locator("table.matrix tr.differs").count() > 0
    assert page.locator(".differs-mark").count() > 0
    shot(page, "compare")
    with page.expect_download() as download:
        page.goto("/")
        page.get_by_role("link", name="CSV").click()
    assert re.fullmatch(r"service-meshes-\d{4}-\d{2}-\d{2}\.csv", download.value.suggested_filename)


def test_filters_work_without_javascript(browser, live_server, live_data):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/")
    page.locator("summary.filters-summary").click()
    page.locator("summary", has_text="Must-have features").click()
    page.check("#must-fault-injection")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"must=fault-injection"))
    assert "Linkerd" not in mesh_headers(page)
    assert "Istio (sidecar mode)" in mesh_headers(page)
    context.close()


def answer_gate(page, services, diverse, synchronous, kubernetes, changes, needs=()):
    page.check(f"input[name=services][value={services}]")
    page.check(f"input[name=tech_diversity][value={diverse}]")
    communication = "sync" if synchronous == "yes" else "async"
    page.check(f"input[name=communication][value={communication}]")
    page.check(f"input[name=kubernetes][value={kubernetes}]")
    page.check(f"input[name=change_frequency][value={changes}]")
    for item in needs:
        page.check(f"input[name=needs][value={item}]")
    page.get_by_role("button", name="Next →").click()


def answer_environment(page, outside=(), cloud="on_prem"):
    page.wait_for_selector("text=Step 2 of 4")
    for place in outside:
        page.check(f"input[name=outside_kubernetes][value={place}]")
    page.check(f"input[name=cloud][value={cloud}]")
    page.check("input[name=openshift][value=no]")
    page.check("input[name=standards][value=none]")
    page.get_by_role("button", name="Next →").click()


def answer_fit(page):
    page.wait_for_selector("text=Step 4 of 4")
    page.check("input[name=min_maturity][value=followers]")
    page.check("input[name=complexity_tolerance][value=high]")
    page.check("input[name=latency_sensitive][value=no]")
    page.check("input[name=open_source_only][value=no]")
    page.check("input[name=cncf_graduated_only][value=no]")
    page.check("input[name=support][value=welcome]")
    page.get_by_role("button", name="See my result").click()


def test_wizard_to_shortlist_with_back_and_forward(page, shot):
    page.goto("/questionnaire/")
    answer_gate(page, "many", "high", "yes", "yes", "often", needs=["mtls"])
    answer_environment(page, cloud="gcp")
    page.wait_for_selector("text=Step 3 of 4")
    assert page.url.endswith("/questionnaire/?step=2")
    assert page.is_checked("input[name='f_mtls-http'][value=must]")
    # Step 3 asks problems: tracing is behind "do you need to see how services call each other?"
    page.locator("#problem-visibility > summary").click()
    page.check("input[name='f_tracing'][value=nice]")
    # Back to the environment: the answers are still there, and so are step 3's on return.
    page.get_by_role("button", name="← Back").click()
    page.wait_for_selector("text=Step 2 of 4")
    assert page.is_checked("input[name=cloud][value=gcp]")
    page.get_by_role("button", name="Next →").click()
    page.wait_for_selector("text=Step 3 of 4")
    assert page.is_checked("input[name='f_tracing'][value=nice]")
    page.get_by_role("button", name="Next →").click()
    answer_fit(page)
    page.wait_for_url(re.compile(r"/questionnaire/result/[0-9a-f-]{36}/$"))
    assert "A service mesh looks like a sensible next step." in page.inner_text("body")
    assert page.locator("ol.choices > li").count() > 0
    shot(page, "questionnaire-result")
    permalink = page.url
    page.goto(permalink)
    assert page.locator("ol.choices > li").count() > 0


def test_few_services_no_kubernetes_async_is_not_worth_it(page):
    page.goto("/questionnaire/")
    answer_gate(page, "few", "low", "no", "no", "rarely")
    answer_environment(page, outside=["vms_on_prem"])
    page.wait_for_selector("text=Step 3 of 4")
    page.get_by_role("button", name="Next →").click()
    answer_fit(page)
    page.wait_for_url(re.compile(r"/questionnaire/result/"))
    assert "A service mesh is probably not worth it for you." in page.inner_text("h2#verdict")
