"""The dashboard in a real headless Chromium against the real server."""

from __future__ import annotations

import shutil

import httpx
import pytest

from emotrace.evaluation.live_server import running_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic"]


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.fail("chromium is not installed (apt-get install chromium; .ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


def test_dashboard_shows_timelines_and_live_alerts(browser, tmp_path) -> None:
    with running_server(f"sqlite:///{tmp_path / 'dash.db'}", "--demo") as base:
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(base)
        page.wait_for_selector("tr[data-customer='ben.okafor']", timeout=30_000)
        assert page.locator("tbody tr").count() == 5
        page.click("tr[data-customer='ben.okafor']")
        page.wait_for_function("document.querySelector('#title').textContent.startsWith('ben.okafor')")
        page.wait_for_selector("#chart svg path.score", timeout=15_000)
        assert page.locator("#chart path.score").get_attribute("d").count("L") >= 5
        assert page.locator("#messages li").count() >= 10
        page.wait_for_selector("#outreach.hold", timeout=15_000)  # ben is frustrated: no campaign for now
        assert "Outreach: hold until" in page.inner_text("#outreach")
        assert "E806" in page.inner_text("#segments")  # five demo customers are too few to segment, and it says so
        page.wait_for_selector("#live.on", timeout=15_000)

        page.click("tr[data-customer='ana.costa']")
        page.wait_for_function("document.querySelector('#title').textContent.startsWith('ana.costa')")
        before = page.locator("#chart circle.alert-marker").count()
        httpx.post(f"{base}/v1/messages", json={"messages": [{"customer_id": "ana.costa", "conversation_id": "ana-4",
                   "text": "This is disgusting, I'm absolutely furious, you charged me twice!!! 😡😡"}]}, timeout=30)
        page.wait_for_function(f"document.querySelectorAll('#chart circle.alert-marker').length > {before}",
                               timeout=20_000)
        page.wait_for_function("document.querySelector('#alerts').innerText.includes('ana.costa')", timeout=20_000)
        assert errors == []
        page.close()


def test_the_api_docs_render_offline(browser, tmp_path) -> None:
    with running_server(f"sqlite:///{tmp_path / 'docs.db'}") as base:
        page = browser.new_page()
        outside: list[str] = []
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base)
                   else (outside.append(route.request.url), route.abort()))
        page.goto(f"{base}/docs")
        page.wait_for_selector(".opblock", timeout=30_000)
        assert page.locator(".opblock").count() >= 14
        assert "/v1/messages" in page.locator(".opblock-summary-path").all_inner_texts()
        assert outside == []  # nothing fetched from a CDN
