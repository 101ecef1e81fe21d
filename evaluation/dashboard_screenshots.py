"""The dashboard on the demo data in headless Chromium: time to first paint, to the drawn list of the demo's 200
customers (one page) and to a drawn timeline, and the README's screenshots.

    python -m emotrace.evaluation.dashboard_screenshots [--out docs]

Needs Debian's ``chromium`` (as the tests do).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from emotrace.evaluation.common import print_figures
from emotrace.evaluation.live_server import running_server

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
RUNS = 5
DEMO_CUSTOMERS = 200  # the demo floor's customers, one page of the dashboard's list


def main() -> None:
    """Measure paint times over a few page loads and write two screenshots."""
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("docs"))
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("chromium is not installed (apt-get install chromium)")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, running_server(f"sqlite:///{Path(tmp) / 'demo.db'}", "--demo",
                                                             env={"EMOTRACE_AGENT_MIN_CONVERSATIONS": "2"}) as base, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        paints, listed, drawn = [], [], []
        for _ in range(RUNS):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            started = time.perf_counter()
            page.goto(f"{base}/?customer=dora.kiss")
            page.wait_for_selector(f"#customers tbody tr:nth-child({DEMO_CUSTOMERS})")
            listed.append(1000 * (time.perf_counter() - started))
            page.wait_for_selector("#chart path.score")
            drawn.append(1000 * (time.perf_counter() - started))
            paints.append(page.evaluate("performance.getEntriesByName('first-contentful-paint')[0].startTime"))
            page.close()
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(f"{base}/?customer=dora.kiss")
        page.wait_for_selector("#chart circle.alert-marker")
        page.locator("#chart circle.alert-marker").last.click()
        page.wait_for_selector("#messages li.highlight mark")
        page.screenshot(path=str(args.out / "dashboard.png"))
        page.click("#tab-agents")
        page.wait_for_selector("#agents tbody tr")
        page.locator("#agents tbody tr").first.click()
        page.wait_for_selector("#agent-conversations li")
        page.screenshot(path=str(args.out / "dashboard-agents.png"))
        browser.close()
    print_figures("dashboard on the demo data (headless Chromium)", {
        "page loads": RUNS, "first contentful paint, median ms": round(statistics.median(paints), 1),
        f"list of {DEMO_CUSTOMERS} customers drawn, median ms": round(statistics.median(listed), 1),
        "timeline drawn, median ms": round(statistics.median(drawn), 1),
        "screenshots": f"{args.out / 'dashboard.png'}, {args.out / 'dashboard-agents.png'}"})


if __name__ == "__main__":
    main()
