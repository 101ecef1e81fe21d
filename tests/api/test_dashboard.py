"""The dashboard in a real headless Chromium against the real server."""

from __future__ import annotations

import math
import re
import shutil

import httpx
import pytest

from emotrace.evaluation.live_server import running_server
from tests.api.conftest import copy_of

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic",
         "--host-resolver-rules=MAP emotrace.test 127.0.0.1"]  # a host name that is not this machine's own


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.fail("chromium is not installed (apt-get install chromium; .ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_database):
    """A demo server: 200 customers, 12 agents, 90 days (a copy of the run's demo floor, which its tests change)."""
    database = copy_of(demo_database, tmp_path_factory.mktemp("dash") / "dash.db")
    with running_server(f"sqlite:///{database}") as base:
        yield base


def _open(browser, base: str, customer: str | None = None, **context):
    page = browser.new_page(**context)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(base + (f"/?customer={customer}" if customer else ""))
    page.wait_for_selector("tr[data-customer='ben.okafor']", timeout=30_000)
    return page, errors


def test_the_timeline_has_a_time_axis_and_draws_gaps_as_gaps(browser, demo) -> None:
    page, errors = _open(browser, demo, timezone_id="America/Los_Angeles", locale="en-US")
    assert page.locator("tbody tr").count() >= 5
    page.click("tr[data-customer='ben.okafor']")
    page.wait_for_function("document.querySelector('#title').textContent.startsWith('ben.okafor')")
    page.wait_for_selector("#chart svg path.score", timeout=15_000)
    dates = page.locator("#chart text.time-axis").all_text_contents()
    assert len(dates) >= 3 and all(any(ch.isdigit() for ch in d) and any(ch.isalpha() for ch in d) for d in dates)
    # one point per conversation (ben has four, days apart), the gaps between them a thin band, not the plot
    assert page.locator("#chart circle.conversation").count() == 4
    assert page.locator("#chart rect.gap").count() >= 1
    assert all(float(g.get_attribute("height")) <= 4 for g in page.locator("#chart rect.gap").all())
    page.locator("#chart circle.conversation").last.focus()
    page.keyboard.press("Enter")  # the conversation view: its messages alone
    page.wait_for_selector("#conversation-view", timeout=10_000)
    shown = page.locator("#messages li[data-message]").count()
    assert 1 <= shown < 12
    page.click("#all-messages")
    page.wait_for_function(f"document.querySelectorAll('#messages li[data-message]').length > {shown}")
    page.get_by_label("Time range of the timeline").select_option("7")
    assert page.locator("#chart circle.conversation").count() < 4  # the range trims the axis
    assert page.locator("#mix rect.mix").count() >= 4 and page.locator("#mix-legend .k").count() == 7
    mix_dates = page.locator("#mix text.mix-axis").all_text_contents()  # the emotion mix has a date axis
    assert mix_dates and all(any(ch.isdigit() for ch in d) for d in mix_dates)
    assert page.locator("#messages li.agent").count() >= 3  # agent turns shown, greyed, not scored
    assert "valence" not in page.locator("#messages li.agent").first.inner_text()
    # found by a review: a message's colour came from its satisfaction (< -0.3, > 0.3), not its stored class, which
    # the correction form preselects and the floor counts (ben's -0.12 "dissatisfied" was drawn neutral, his -0.33
    # "neutral" dissatisfied)
    tone = {"dissatisfied": "neg", "neutral": "mid", "satisfied": "pos"}
    stored = httpx.get(f"{demo}/v1/customers/ben.okafor/timeline", timeout=30).json()["messages"]
    expected = {str(m["id"]): f"customer {tone[m['satisfaction_class']]}" for m in stored if m["speaker"] == "customer"}
    drawn = {li.get_attribute("data-message"): li.get_attribute("class") for li in page.locator("#messages li.customer").all()}
    assert drawn == expected
    page.wait_for_selector("#outreach.hold", timeout=15_000)  # ben is frustrated: no campaign for now
    assert "Next step:" in page.inner_text("#next-step")
    page.wait_for_selector("#segment-table tbody tr", timeout=15_000)  # 200 customers: emotional segments found
    page.wait_for_selector("#floor path.floor-mood", timeout=15_000)  # the floor's trend: mood line, alert bars
    assert page.locator("#floor rect.floor-alerts").count() >= 5 and len(page.locator("#floor text.floor-axis").all()) == 3
    assert page.request.get(f"{demo}/favicon.ico").status == 200
    # found by a new-user trial: with exactly a page of customers (200) "›" led to an empty page, and the alerts
    # list showed 30 with no word of how many there are
    assert page.locator("#page-next").is_disabled()
    # a score shown agrees with its segment's band (41.6 read "42 frustrated"), and no trend reads "(-0)"; a trend's
    # change agrees with its name (found by a review: -4.6, under the 5 points of a change, read "stable (-5)")
    listed = {c["id"]: c for c in page.request.get(f"{demo}/v1/customers?limit=200").json()}
    for row in page.locator("#customers tbody tr").all()[:40]:
        cells = row.locator("td").all_inner_texts()
        assert cells[1] == str(math.floor(listed[cells[0]]["score"])) and "(-0)" not in cells[3], cells
        change = math.trunc(listed[cells[0]]["trend_delta"])
        assert cells[3] == f"{listed[cells[0]]['trend']} ({f'{change:+d}' if change else '±0'})", cells
    # with a trend threshold under a point (the rules allow it), a rising or falling change is never shown as none
    assert page.evaluate("[signedPoints(-0.8, 'falling'), signedPoints(0.4, 'rising'), signedPoints(-0.8, 'stable')]") \
        == ["-1", "+1", "±0"]
    assert not re.search(r"(?<!\d)1 alerts", page.inner_html("#floor"))  # "11 alerts" is right
    assert re.fullmatch(r"\(30 of \d{3}\)", page.inner_text("#alerts-count")), page.inner_text("#alerts-count")
    # found by a review: the time axis had its ticks at UTC midnights, labelled with the browser's date; in Los
    # Angeles a conversation at Dec 3 18:00Z (10:00 there) sat between the "Dec 2" and "Dec 3" ticks
    page.get_by_label("Time range of the timeline").select_option("all")
    page.evaluate("""() => drawChart({alerts: [], history: [{score: 60}, {score: 40}], messages: [
        {speaker: "customer", conversation_id: "a", timestamp: "2026-12-01T18:00:00Z", valence: 0.2},
        {speaker: "customer", conversation_id: "b", timestamp: "2026-12-03T18:00:00Z", valence: -0.2}]})""")
    ticks = [(float(t.get_attribute("x")), t.text_content()) for t in page.locator("#chart text.time-axis").all()]
    assert [label for _, label in ticks] == ["Dec 1", "Dec 2", "Dec 3"]
    for conversation, day in (("a", "Dec 1"), ("b", "Dec 3")):
        x = float(page.locator(f"#chart circle[data-conversation='{conversation}']").get_attribute("cx"))
        assert [label for at, label in ticks if at <= x][-1:] == [day], (conversation, x, ticks)
    assert errors == []
    page.close()


def test_clicking_an_alert_highlights_its_messages_and_the_words_that_drove_them(browser, demo) -> None:
    page, errors = _open(browser, demo, "dora.kiss")
    page.wait_for_selector("#chart circle.alert-marker", timeout=15_000)
    markers = page.locator("#chart circle.alert-marker")
    times = {markers.nth(i).get_attribute("data-at") for i in range(markers.count())}
    assert len(times) == markers.count()  # each alert at its own time, none merged
    markers.first.focus()
    page.keyboard.press("Enter")  # keyboard-operable
    page.wait_for_selector("#messages li.highlight mark", timeout=15_000)
    assert page.locator("#alert-detail").inner_text()
    # found by a review: of two alerts at the same time, clicking the second in "Alerts to work" marked the first
    listed = httpx.get(f"{demo}/v1/alerts", params={"sort": "newest", "limit": 30}, timeout=30).json()
    seen: dict[tuple[str, str], dict] = {}
    for alert in listed:
        twin = seen.setdefault((alert["customer_id"], alert["at"]), alert)
        if twin is not alert:
            break
    else:
        pytest.fail("the demo's newest alerts have no two at the same time")
    for clicked in (twin, alert):
        page.evaluate("document.querySelector('#alert-detail')?.remove()")
        page.locator(f"#alerts li[data-alert='{clicked['id']}'] .alert-text").click()
        page.wait_for_selector("#alert-detail", timeout=15_000)
        active = page.locator("#chart circle.alert-marker.active")
        assert active.count() == 1 and active.get_attribute("data-alert") == str(clicked["id"]), clicked
    assert errors == []
    page.close()


def test_the_agents_view_ranks_agents_and_drills_into_conversations(browser, demo) -> None:
    page, errors = _open(browser, demo)
    page.click("#tab-agents")
    page.wait_for_selector("#agents tbody tr", timeout=15_000)
    rows = page.locator("#agents tbody tr")
    assert rows.count() == 12 and rows.first.inner_text().startswith("1. ")  # the demo's twelve agents, all ranked
    means = [float(rows.nth(i).locator("td").nth(1).inner_text().split(" ")[0]) for i in range(rows.count())]
    assert means == sorted(means, reverse=True)
    rows.first.click()
    page.wait_for_selector("#agent-conversations li", timeout=15_000)
    said = page.locator("#agent-conversations li").first.inner_text()
    assert re.search(r"ended (better|worse|same)|ending not measured", said), said
    assert errors == []
    page.close()


def test_an_agent_s_conversations_are_dated_and_open_their_messages_from_the_keyboard(browser, demo) -> None:
    """Issue 28: each of an agent's conversations shows when it started, as the rest of the dashboard writes dates in
    the browser's locale, and a button named for screen readers opens its messages in the conversation view."""
    page = browser.new_page(locale="de-DE")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(demo)
    page.click("#tab-agents")
    page.wait_for_selector("#agents tbody tr", timeout=15_000)
    page.locator("#agents tbody tr").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#agent-conversations li", timeout=15_000)
    items = page.locator("#agent-conversations li")
    assert items.locator("time").count() == items.count() > 1
    starts = [items.nth(i).locator("time").get_attribute("datetime") for i in range(items.count())]
    assert starts == sorted(starts, reverse=True)  # newest first
    first = items.first
    stamp = first.locator("time")
    assert stamp.inner_text() == page.evaluate("(iso) => when(iso)", starts[0])  # the dashboard's one date format
    assert "Dez." in page.evaluate("(iso) => when(iso)", "2026-12-02T12:00:00Z")  # ... in the browser's locale
    conversation, customer = first.get_attribute("data-conversation"), first.get_attribute("data-customer")
    page.get_by_role("button", name=f"Open conversation {conversation} of customer {customer}").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#conversation-view", timeout=15_000)
    assert page.locator("#customers-view").is_visible() and page.locator("#agents-view").is_hidden()
    assert page.inner_text("#title").startswith(customer)
    assert page.evaluate("document.activeElement.id") == "conversation-view"  # a screen reader reads it next
    timeline = httpx.get(f"{demo}/v1/customers/{customer}/timeline", timeout=30).json()
    expected = sorted(m["id"] for m in timeline["messages"] if m["conversation_id"] == conversation)
    shown = sorted(int(li.get_attribute("data-message")) for li in page.locator("#messages li[data-message]").all())
    assert shown == expected and expected
    assert errors == []
    page.close()


def test_new_readings_alerts_and_deletions_arrive_live(browser, demo) -> None:
    page, errors = _open(browser, demo, "ana.costa")
    page.wait_for_selector("#live.on", timeout=15_000)
    page.wait_for_function("document.querySelector('#title').textContent.startsWith('ana.costa')")
    before = page.locator("#chart circle.alert-marker").count()
    posted = httpx.post(f"{demo}/v1/messages", json={"messages": [{"customer_id": "ana.costa", "conversation_id": "ana-9",
                        "text": "This is disgusting, I'm absolutely furious, you charged me twice!!! 😡😡"},
                        {"customer_id": "ana.costa", "conversation_id": "ana-9",
                         "text": "I'm cancelling my contract and moving to another provider."}]}, timeout=30)
    message_id, leaving_id = (m["id"] for m in posted.json()["messages"])
    page.wait_for_selector(f"#messages li[data-message='{message_id}']", timeout=20_000)
    assert "intent: churn threat" in page.inner_text(f"#messages li[data-message='{leaving_id}']")  # its intents
    page.wait_for_function(f"document.querySelectorAll('#chart circle.alert-marker').length > {before}", timeout=20_000)
    page.wait_for_function("document.querySelector('#alerts').innerText.includes('ana.costa')", timeout=20_000)
    page.click("tr[data-customer='chen.wei']")  # the customer erased is the one on screen
    page.wait_for_function("document.querySelector('#title').textContent.startsWith('chen.wei')")
    assert httpx.delete(f"{demo}/v1/customers/chen.wei", timeout=30).status_code == 204
    page.wait_for_selector("tr[data-customer='chen.wei']", state="detached", timeout=20_000)
    # found by a trial: the first row was then highlighted while the pane said "Select a customer"
    highlighted = page.locator("#customers tr.selected").get_attribute("data-customer")
    page.wait_for_function(f"document.querySelector('#title').textContent.startsWith({highlighted!r})", timeout=20_000)
    assert errors == []
    page.close()


def test_a_lead_works_an_alert_from_the_list_with_the_keyboard(browser, demo) -> None:
    """Issue 28: acknowledge, assign and resolve an alert from the dashboard (buttons and a field named for screen
    readers, operated with the keyboard); each change is stored with its history."""
    untouched_by_other_tests = {"ana.costa", "ben.okafor", "chen.wei"}
    alert = next(a for a in httpx.get(f"{demo}/v1/alerts", timeout=30).json()
                 if a["customer_id"] not in untouched_by_other_tests and a["status"] == "open")
    page, errors = _open(browser, demo)
    item = f"#alerts li[data-alert='{alert['id']}']"
    page.wait_for_selector(item, timeout=15_000)
    page.get_by_label(f"Acknowledge alert {alert['id']} of {alert['customer_id']}").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(f"{item}.acknowledged", timeout=15_000)
    assign = page.get_by_label(f"Assign alert {alert['id']} of {alert['customer_id']} to (press Enter)")
    assign.fill("maria")
    assign.press("Enter")
    page.wait_for_function(f"document.querySelector(\"{item} .alert-status\")?.textContent.includes('maria')",
                           timeout=15_000)
    page.get_by_label(f"Resolve alert {alert['id']} of {alert['customer_id']}").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(item, state="detached", timeout=15_000)  # resolved alerts leave the list
    history = httpx.get(f"{demo}/v1/alerts/{alert['id']}", timeout=30).json()["history"]
    assert [(h["status"], h["assignee"], h["actor"]) for h in history] == [
        ("open", None, "emotrace"), ("acknowledged", None, "dashboard"), ("acknowledged", "maria", "dashboard"),
        ("resolved", "maria", "dashboard")]
    assert errors == []
    page.close()


def test_a_lead_finds_customers_by_id_and_segment_and_exports_them(browser, demo) -> None:
    page, errors = _open(browser, demo)
    page.get_by_label("Search customers by id").fill("ben.ok")
    page.wait_for_function("document.querySelectorAll('#customers tbody tr').length === 1")
    assert page.locator("#customers tbody tr").first.get_attribute("data-customer") == "ben.okafor"
    # found by a review: a search that cannot be an id left the last results listed, without a word
    for typed in ("josé", "anna 2", ".."):
        page.get_by_label("Search customers by id").fill(typed)
        page.wait_for_function("(typed) => document.querySelector('#customers-empty').textContent"
                               ".startsWith(`not a customer id: \"${typed}\"`)", arg=typed, timeout=10_000)
        assert page.locator("#customers tbody tr").count() == 0
        assert "E901" in page.inner_text("#customers-empty")
    # the unfiltered list answers late (as on a busy server): its answer must not replace the filtered one asked
    # after it (a race CI met: the list stayed unfiltered)
    page.evaluate("""() => { const real = window.fetch; window.fetch = (url, options) => real(url, options).then(
        (r) => String(url).includes('/v1/customers?') && !String(url).includes('segment=')
            ? new Promise((done) => setTimeout(() => done(r), 1500)) : r); }""")
    page.get_by_label("Search customers by id").fill("")
    page.get_by_label("Only customers of segment").select_option("at_risk")
    at_risk_only = ("[...document.querySelectorAll('#customers tbody tr td:nth-child(3)')]"
                    ".every((td) => td.textContent === 'at_risk')")
    page.wait_for_function(at_risk_only)
    page.wait_for_timeout(2000)
    assert page.evaluate(at_risk_only)
    with page.expect_download() as download:
        page.click("#export-customers")
    assert download.value.suggested_filename == "customers.csv"
    assert errors == []
    page.close()


def test_without_an_api_key_the_page_says_how_to_get_in(browser, tmp_path, demo_database) -> None:
    key = "k" * 24
    database = copy_of(demo_database, tmp_path / "keyed.db")
    with running_server(f"sqlite:///{database}", env={"EMOTRACE_API_KEYS": f'["{key}"]'}) as base:
        page = browser.new_page()
        page.goto(base)
        page.wait_for_selector("#key-prompt:not([hidden])", timeout=15_000)
        assert "api_key=" in page.inner_text("#key-prompt")
        opened = page.goto(f"{base}/?api_key={key}&customer=ben.okafor")
        page.wait_for_selector("tr[data-customer='ben.okafor']", timeout=30_000)
        assert page.locator("#key-prompt").is_hidden()
        # found by a review: the key stayed in the address bar (history, shared links) and every request the page
        # made sent it on in its Referer header (proxies log that header)
        assert opened is not None and opened.headers.get("referrer-policy") == "no-referrer"
        assert "api_key" not in page.url and "customer=ben.okafor" in page.url, page.url
        page.reload()
        page.wait_for_selector("tr[data-customer='ben.okafor']", timeout=30_000)
        assert page.locator("#key-prompt").is_hidden()  # the tab keeps the key for its own reloads
        page.close()


def test_opened_by_another_host_name_without_keys_the_page_says_so_not_that_it_needs_a_key(browser, demo) -> None:
    """Found by a review: with no keys configured the API serves requests naming this machine only (403 E903); a
    page opened as http://emotrace.test:PORT/ said "This server needs an API key" and "live feed: needs an API key"."""
    page = browser.new_page()
    page.goto(demo.replace("127.0.0.1", "emotrace.test"))
    page.wait_for_selector("#key-prompt:not([hidden])", timeout=15_000)
    said = page.inner_text("#key-prompt")
    assert "E903" in said and "'emotrace.test'" in said and "EMOTRACE_API_KEYS" in said and "api_key" not in said, said
    page.wait_for_function("!document.querySelector('#live').textContent.includes('connecting')", timeout=15_000)
    assert "API key" not in page.inner_text("#live")
    page.close()


def test_an_empty_store_says_how_to_get_customers_in(browser, tmp_path) -> None:
    """Found by a new-user trial: on an empty store the customer and alert panels were blank, and the drivers panel
    read "1. no customer messages with topics between 2026-11-29T05:32:38.274055+00:00 and ..."."""
    with running_server(f"sqlite:///{tmp_path / 'empty.db'}") as base:
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(base)
        page.wait_for_function("document.querySelector('#customers-empty').textContent.length > 0", timeout=30_000)
        assert "POST /v1/messages" in page.inner_text("#customers-empty")
        page.wait_for_selector("#drivers li.said", timeout=15_000)
        said = page.inner_text("#drivers")
        assert "no customer messages" in said and not re.search(r"\d{4}-\d{2}-\d{2}T", said), said
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


def test_the_drivers_panel_lists_the_week_s_topics_and_the_customer_view_what_they_are_upset_about(browser, demo) -> None:
    found = httpx.get(f"{demo}/v1/drivers", params={"limit": 5}, timeout=30).json()["drivers"]
    assert found  # the demo's messages of the last 7 days carry topics
    page, errors = _open(browser, demo)
    page.wait_for_selector("#drivers li[data-topic]", timeout=15_000)
    items = page.locator("#drivers li[data-topic]")
    assert [items.nth(i).get_attribute("data-topic") for i in range(items.count())] == [d["topic"] for d in found]
    assert found[0]["name"] in items.first.inner_text() and "carried" in items.first.inner_text()
    upset = next(c["id"] for c in httpx.get(f"{demo}/v1/customers", params={"limit": 200}, timeout=30).json()
                 if httpx.get(f"{demo}/v1/customers/{c['id']}", timeout=30).json()["upset_about"])
    page.close()
    page, errors = _open(browser, demo, upset)
    page.wait_for_selector("#upset", timeout=15_000)
    assert page.inner_text("#upset").startswith("Upset about: ")
    assert errors == []
    page.close()


def test_a_lead_marks_a_reading_wrong_from_the_message_list_with_the_keyboard(browser, demo) -> None:
    """Issue 27, item 2: the right satisfaction class, an emotion label and a note, from a form named for screen
    readers and operated with the keyboard; a name the model does not have is refused in the form, nothing stored."""
    customer = httpx.get(f"{demo}/v1/customers", params={"limit": 200}, timeout=30).json()[-1]["id"]
    page, errors = _open(browser, demo, customer)
    page.wait_for_selector("#messages li.customer", timeout=15_000)
    message_id = page.locator("#messages li.customer").first.get_attribute("data-message")
    page.get_by_label(f"Mark the reading of message {message_id} wrong").focus()
    page.keyboard.press("Enter")
    page.get_by_label(f"Right satisfaction class of message {message_id}").select_option("dissatisfied")
    labels = page.get_by_label(f"Right emotion labels of message {message_id}, comma-separated (optional)")
    labels.fill("annoyance, grumpiness")
    labels.press("Enter")
    page.wait_for_function("document.querySelector('.correction-status')?.textContent.includes('E918')", timeout=15_000)
    assert "grumpiness" in page.inner_text(".correction-status")
    labels.fill("annoyance")
    note = page.get_by_label(f"Note on the correction of message {message_id} (optional)")
    note.fill("polite words, but the parcel is lost")
    note.press("Enter")
    item = f"#messages li[data-message='{message_id}'] ul.corrections li"
    page.wait_for_selector(item, timeout=15_000)
    assert "dissatisfied, annoyance — polite words, but the parcel is lost" in page.inner_text(item)
    # the form closes once saved (the live feed may list the correction a moment before the POST's answer closes it)
    page.wait_for_selector("form.correction", state="detached", timeout=15_000)
    timeline = httpx.get(f"{demo}/v1/customers/{customer}/timeline", timeout=30).json()["messages"]
    (stored,) = next(m["corrections"] for m in timeline if str(m["id"]) == message_id)
    assert (stored["satisfaction_class"], stored["labels"], stored["corrected_by"]) == (
        "dissatisfied", ["annoyance"], "dashboard")
    assert errors == []
    page.close()


def test_a_model_of_ones_own_labels_says_what_the_dashboard_cannot_show(browser, own_labels_model, tmp_path) -> None:
    with running_server(f"sqlite:///{tmp_path / 'own.db'}", "--model", str(own_labels_model)) as base:
        texts = ["My parcel is late again and nobody answers.", "Thanks, that solved it!", "I want my money back."]
        posted = httpx.post(f"{base}/v1/messages", timeout=60, json={"messages": [
            {"customer_id": "ben.okafor", "conversation_id": f"ben-{i}", "text": text} for i, text in enumerate(texts)]})
        assert posted.status_code == 201, posted.text
        page, errors = _open(browser, base, "ben.okafor")
        page.wait_for_function("document.querySelector('#title').textContent.startsWith('ben.okafor')")
        page.wait_for_selector("#summary p", timeout=15_000)
        summary, mix = page.inner_text("#summary"), page.inner_text("#mix")
        hint = "this model has no Ekman view: train with --mapping to get one"
        assert hint in summary and "Leading emotions: none" not in summary
        assert hint in mix and page.locator("#mix rect.mix").count() == 0
        assert page.locator("#mix-legend .k").count() == 0  # no Ekman legend over an empty panel
        assert errors == []
        page.close()


def test_under_an_id_key_past_a_page_of_customers_a_link_to_no_customer_leaves_the_page_working(browser,
                                                                                               tmp_path) -> None:
    """Found by a review: under EMOTRACE_ID_KEY every customer the list gave (p-...) was keyed again by the API (a
    404 for each); and past a page of customers, opening a link to a customer that is not there (an old link, an
    erased id) stopped the start-up: no live feed, floor, drivers or segments, "connecting..." for ever."""
    env = {"EMOTRACE_ID_KEY": "a-long-secret-key-for-ids"}
    with running_server(f"sqlite:///{tmp_path / 'keyed.db'}", env=env) as base:
        messages = [{"customer_id": f"cust-{i:03d}", "conversation_id": f"k{i}", "text": text}
                    for i, text in enumerate(["Thanks, all sorted!", "Where is my refund? Third time asking."] * 101)]
        assert httpx.post(f"{base}/v1/messages", json={"messages": messages}, timeout=120).status_code == 201
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{base}/?customer=nobody-here")
        page.wait_for_selector("#live.on", timeout=30_000)
        page.wait_for_selector("#drivers li", timeout=15_000)
        row = page.locator("#customers tbody tr").nth(1)
        listed = row.get_attribute("data-customer")
        assert listed.startswith("p-")
        row.click()
        page.wait_for_function(f"document.querySelector('#title').textContent.startsWith({listed!r})", timeout=20_000)
        # found by the same review: each of a write's customer events reloaded segments, floor and drivers
        segments: list[str] = []
        page.on("request", lambda request: segments.append(request.url) if "/v1/segments" in request.url else None)
        more = [{"customer_id": f"more-{i:02d}", "conversation_id": "m", "text": "Still waiting on my refund."}
                for i in range(60)]
        assert httpx.post(f"{base}/v1/messages", json={"messages": more}, timeout=120).status_code == 201
        page.wait_for_timeout(3_000)
        assert 1 <= len(segments) <= 3, segments
        assert errors == []
        page.close()
