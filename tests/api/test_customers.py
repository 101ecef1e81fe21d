from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from emotrace.errors import EmotraceError
from tests.api.conftest import make_client


def post(client, customer: str, texts: list[tuple[str, str]], days_ago: float, conv: str):
    start = datetime.now(UTC) - timedelta(days=days_ago)
    messages = [{"customer_id": customer, "conversation_id": conv, "channel": "chat", "speaker": speaker,
                 "timestamp": (start + timedelta(minutes=i)).isoformat(), "text": text}
                for i, (speaker, text) in enumerate(texts)]
    return client.post("/v1/messages", json={"messages": messages})


def test_a_stored_message_keeps_its_language_and_warnings(client) -> None:
    """A German complaint was stored as a confident neutral reading: the language and the W001 warning that
    /v1/analyze gives were dropped on the way into the store."""
    german = "Ich bin sehr unzufrieden mit Ihrem Service, die Lieferung ist seit zwei Wochen überfällig."
    body = post(client, "c-de", [("customer", german), ("customer", "Where is my parcel? It's two weeks late.")],
                1, "v1").json()
    stored = body["messages"]
    assert [m["language"] for m in stored] == ["de", "en"]
    assert stored[0]["warnings"][0].startswith("W001 non_english") and stored[1]["warnings"] == []
    timeline = client.get("/v1/customers/c-de/timeline").json()["messages"]
    assert [(m["language"], len(m["warnings"])) for m in timeline] == [("de", 1), ("en", 0)]


def test_record_and_timeline(client) -> None:
    response = post(client, "c-1", [("customer", "Thanks, the new card works great! Mail me at jo@x.com"),
                                    ("agent", "You're welcome!")], 10, "v1")
    assert response.status_code == 201
    body = response.json()
    assert body["messages"][0]["text"] == "Thanks, the new card works great! Mail me at [EMAIL]"
    stored = body["messages"][0]  # each view in both shapes: probabilities and the groups that fire
    assert stored["ekman_labels"] == ["joy"] and set(stored["ekman_probabilities"]) >= {"joy", "anger"}
    assert stored["sentiment_labels"] == ["positive"] and stored["sentiment_probabilities"]["positive"] > 0.5
    happy = body["customers"][0]["score"]
    assert happy > 55
    angry = post(client, "c-1", [("customer", "My card was charged twice and nobody answers. I'm furious 😡"),
                                 ("agent", "I'm so sorry, let me fix that right away.")], 1, "v2")
    assert angry.json()["customers"][0]["score"] < happy
    detail = client.get("/v1/customers/c-1").json()
    assert detail["state"]["leading_emotions"]
    assert detail["routing"]["route"] == "experienced_agent" and detail["routing"]["reason"]
    timeline = client.get("/v1/customers/c-1/timeline", params={"window": "week"}).json()
    assert len(timeline["messages"]) == 4
    assert len(timeline["history"]) == 2  # one state per customer message; agent turns do not count
    assert sum(w["messages"] for w in timeline["windows"]) == 2
    assert client.get("/v1/customers").json()[0]["id"] == "c-1"


def test_alerts_and_routing_for_an_angry_customer(client) -> None:
    post(client, "calm", [("customer", "Thank you, lovely service as always!")], 3, "a")
    post(client, "angry", [("customer", "Thanks for the quick reply, all good now.")], 2, "b1")
    post(client, "angry", [("customer", "This is disgusting. I am absolutely furious, you stole my money!!! 😡😡")], 0.1, "b2")
    alerts = client.get("/v1/alerts").json()
    assert alerts and all(a["customer_id"] == "angry" for a in alerts)
    assert all(a["reason"] and a["message_ids"] for a in alerts)
    assert client.get("/v1/customers/angry/routing").json()["route"] == "experienced_agent"
    assert client.get("/v1/customers/calm/routing").json()["route"] == "standard"
    segment = client.get("/v1/customers/angry").json()["segment"]
    assert {a["customer_id"] for a in client.get("/v1/alerts", params={"segment": segment}).json()} == {"angry"}
    assert client.get("/v1/alerts", params={"segment": "delighted"}).json() == []  # the filter is applied


def test_a_churn_threat_raises_an_alert_and_routes_to_retention(client) -> None:
    """The intent is stored with the message, raises an alert that says why, and routes the contact to retention with
    the agent's next step to match."""
    post(client, "leaving", [("customer", "Thanks for the reply yesterday."),
                             ("customer", "Still not fixed. I'm cancelling my contract and moving to another provider."),
                             ("agent", "I understand, let me see what I can do.")], 0.2, "l1")
    stored = client.get("/v1/customers/leaving/timeline").json()["messages"]
    assert [m["intent_labels"] for m in stored] == [[], ["churn_threat"], []]
    detail = client.get("/v1/customers/leaving").json()
    churn = [a for a in detail["alerts"] if a["kind"] == "churn_threat"]
    assert len(churn) == 1 and churn[0]["message_ids"] == [stored[1]["id"]] and "may leave" in churn[0]["reason"]
    assert detail["routing"]["route"] == "retention"
    assert detail["routing"]["reason"].startswith(churn[0]["reason"].rstrip("."))  # then what they are upset about
    assert detail["next_step"]["action"] == "offer_retention"


def test_delete_erases_everything(client) -> None:
    post(client, "gone", [("customer", "hello there")], 1, "x")
    assert client.delete("/v1/customers/gone").status_code == 204
    assert client.get("/v1/customers/gone").status_code == 404
    assert client.get("/v1/customers/gone/timeline").json()["detail"] == "Customer 'gone' not found."
    assert client.delete("/v1/customers/gone").status_code == 404


def test_erasure_leaves_no_byte_of_the_text_in_any_database_file(tmp_path) -> None:
    marker = "zebracrossing7731"
    with make_client(tmp_path, store_text="raw") as client:
        for i in range(30):  # enough rows that the text sits in the WAL and in table pages
            post(client, "gone", [("customer", f"My code word is {marker} number {i}, and I am upset.")], 1, f"c{i}")
        files = list(tmp_path.glob("api.db*"))
        assert any(marker.encode() in f.read_bytes() for f in files)
        assert client.delete("/v1/customers/gone").status_code == 204
        leftovers = [f.name for f in tmp_path.glob("api.db*") if marker.encode() in f.read_bytes()]
        assert leftovers == []


def test_erasure_waits_out_a_long_reader_so_no_byte_stays_in_the_log(tmp_path) -> None:
    """Found by a review: the checkpoint that clears erased pages from the write-ahead log gave up after the 5-second
    busy timeout while another connection held a longer read (a report, another process), and the erasure answered
    204 with the text still in api.db-wal."""
    import sqlite3
    import threading

    marker = "zebracrossing7731"
    with make_client(tmp_path, store_text="raw") as client:
        for i in range(30):
            post(client, "gone", [("customer", f"My code word is {marker} number {i}, and I am upset.")], 1, f"c{i}")
        reader = sqlite3.connect(tmp_path / "api.db", check_same_thread=False)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM messages").fetchone()  # holds its snapshot until it ends
        threading.Timer(6.0, reader.rollback).start()
        assert client.delete("/v1/customers/gone").status_code == 204
        leftovers = [f.name for f in tmp_path.glob("api.db*") if marker.encode() in f.read_bytes()]
        reader.close()
        assert leftovers == []


def test_unknown_customer_is_404(client) -> None:
    response = client.get("/v1/customers/nobody")
    assert response.status_code == 404
    assert response.json()["detail"] == "Customer 'nobody' not found."


def test_bad_messages_store_nothing(client) -> None:
    future = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    good = {"customer_id": "z", "conversation_id": "1", "text": "fine"}
    cases = [
        ({**good, "timestamp": future}, "timestamp"),
        ({**good, "timestamp": "yesterday-ish"}, "timestamp"),
        ({**good, "speaker": "robot"}, "speaker"),
        ({**good, "customer_id": "bad id!"}, "customer_id"),
        ({**good, "text": ""}, "text"),
    ]
    for bad, field in cases:
        response = client.post("/v1/messages", json={"messages": [good, bad]})
        assert response.status_code == 422, bad
        assert response.json()["errors"][0]["loc"] == ["body", "messages", 1, field]
    assert client.get("/v1/customers/z").status_code == 404


def test_every_route_refuses_a_malformed_id_alike(client) -> None:
    """One id type: the live feed took any customer_id up to 128 characters (a feed no stored id could match)."""
    for bad in ("bad id!", "x" * 129):
        with client.stream("GET", "/v1/stream", params={"customer_id": bad}) as feed:  # not an endless feed
            assert feed.status_code == 422
        for response in (client.get(f"/v1/customers/{bad}"), client.get(f"/v1/agents/{bad}"),
                         client.get("/v1/customers", params={"search": bad}),
                         client.get("/v1/customers/z/routing", params={"agents": [bad]})):
            assert response.status_code == 422, (response.request.url, response.text)
            if len(bad) < 128:  # found by a trial: "should hold a visible character and no control character"
                assert "ASCII letters (a-z, A-Z), digits and _ . : @ -" in response.json()["detail"], response.text


@pytest.mark.parametrize(("method", "path", "field"), [
    ("GET", "/v1/customers/a%2Fb", "customer_id"), ("GET", "/v1/customers/a%2fb/timeline", "customer_id"),
    ("DELETE", "/v1/customers/a%2Fb", "customer_id"), ("GET", "/v1/customers/%2F", "customer_id"),
    ("DELETE", "/v1/customers/%2F", "customer_id"), ("GET", "/v1/agents/a%2Fb", "agent_id")])
def test_an_id_holding_an_encoded_slash_is_refused_naming_it(client, method: str, path: str, field: str) -> None:
    """Found by a review: an id with a slash, percent-encoded as a client that keeps the segment sends it, was decoded
    before routing: ``/v1/customers/a%2Fb`` was "404 No such path" naming no field, and ``/v1/customers/%2F`` was
    redirected to the customer list (200, a list where a customer was asked for)."""
    response = client.request(method, path, follow_redirects=False)
    assert response.status_code == 422, (path, response.status_code, response.text)
    assert response.json()["errors"][0]["loc"] == ["path", field], response.text


@pytest.mark.parametrize("dots", [".", "..", "..."])
def test_an_id_of_dots_alone_is_refused_as_clients_cannot_name_it_in_a_path(client, dots: str) -> None:
    """Found by a review: customer "." and ".." were stored (201), but browsers, the dashboard and curl remove dot
    segments, so GET/DELETE /v1/customers/.. reached other paths: the customer could be neither read nor erased."""
    from emotrace.messages import is_identifier
    from emotrace.services.summaries import record_messages
    from emotrace.store.messages import NewMessage

    good = {"customer_id": "z", "conversation_id": "1", "text": "fine"}
    for field, bad in (("customer_id", {**good, "customer_id": dots}),
                       ("agent_id", {**good, "speaker": "agent", "agent_id": dots})):
        response = client.post("/v1/messages", json={"messages": [bad]})
        assert response.status_code == 422, response.text
        error = response.json()["errors"][0]
        assert error["loc"] == ["body", "messages", 0, field] and "not dots alone" in error["msg"], error
    escaped = "%2E" * len(dots)  # as a client that keeps the segment sends it
    for response in (client.get(f"/v1/customers/{escaped}"), client.get(f"/v1/agents/{escaped}"),
                     client.get("/v1/customers", params={"search": dots}),
                     client.post("/v1/outreach/check", json={"customer_ids": [dots]})):
        assert response.status_code == 422, (response.request.url, response.text)
        assert "not dots alone" in response.json()["detail"], response.text
    assert not is_identifier(dots) and is_identifier(f"{dots}a") and is_identifier(f"a{dots}")
    assert client.get("/v1/customers/z").status_code == 404
    # one a release before stored can still be erased, its path percent-encoded
    store = client.app.state.runtime.store
    record_messages(store, [NewMessage(dots, "1", "chat", "customer", datetime.now(UTC), "fine", ["neutral"],
                                       {"neutral": 1.0}, ["neutral"], 0.0, 0.3, 0.0, "neutral")])
    assert store.customers.get(dots) is not None
    assert client.delete(f"/v1/customers/{escaped}").status_code == 204
    assert store.customers.get(dots) is None and store.messages.of_customer(dots) == []
    assert client.delete(f"/v1/customers/{escaped}").status_code == 404


def test_a_customer_only_agents_wrote_to_gets_the_fallback_next_step(client) -> None:
    """Found by a review: a customer with agent turns alone was listed as a neutral 50 with ``next_step: null``,
    though the default table ends in "always -> none": they get the step of the neutral start they are shown at."""
    message = {"customer_id": "quiet", "conversation_id": "q1", "speaker": "agent", "agent_id": "kim",
               "text": "Hello, we are checking on your order."}
    response = client.post("/v1/messages", json={"messages": [message]})
    assert response.status_code == 201, response.text
    fallback = {"action": "none", "script": "No action needed.", "follow_up_hours": None}
    assert response.json()["customers"][0]["next_step"] == fallback
    detail = client.get("/v1/customers/quiet").json()
    assert (detail["score"], detail["segment"], detail["next_step"]) == (50.0, "neutral", fallback), detail
    assert detail["state"] is None and detail["routing"]["next_step"] == fallback
    assert client.get("/v1/customers/quiet/routing").json()["next_step"] == fallback
    assert [c["next_step"] for c in client.get("/v1/customers").json() if c["id"] == "quiet"] == [fallback]


def test_text_can_be_kept_out_of_the_store(tmp_path) -> None:
    with make_client(tmp_path, store_text="none") as client:
        post(client, "p", [("customer", "my number is 07700 900123")], 1, "x")
        assert client.get("/v1/customers/p/timeline").json()["messages"][0]["text"] is None


def test_upload_transcript_and_audio_as_conversations(client, tmp_path) -> None:
    from pathlib import Path

    from emotrace.evaluation.synthetic_speech import SENTENCES, stereo_call

    vtt = Path(__file__).resolve().parents[2] / "examples" / "call.vtt"
    response = client.post("/v1/customers/up-1/conversations", files={"file": ("call.vtt", vtt.read_bytes())},
                           data={"conversation_id": "call-7", "started_at": "2026-11-20T10:00:00Z", "agent_id": "kim"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert [m["speaker"] for m in body["messages"]] == ["agent", "customer"] * 3
    assert [m["agent_id"] for m in body["messages"]] == ["kim", None] * 3  # the agent's turns name the agent
    assert body["messages"][1]["timestamp"].startswith("2026-11-20T10:00:03")
    assert body["summary"]["arc"] == "improved"
    for tone in (body["summary"]["customer_start"], body["summary"]["customer_end"]):  # 0.6174999475479126 before
        assert tone == round(tone, 3)
    wav = stereo_call([(0, SENTENCES[2]), (1, SENTENCES[3])], tmp_path / "call.wav")
    audio = client.post("/v1/customers/up-1/conversations", files={"file": ("call.wav", wav.read_bytes())})
    assert audio.status_code == 201, audio.text
    assert [m["speaker"] for m in audio.json()["messages"]] == ["agent", "customer"]
    assert len(client.get("/v1/customers/up-1/timeline").json()["messages"]) == 8
    # found by a new-user trial: the answer had no turns, so the tone of voice the CLI shows ("arousal 0.54 (voice
    # 0.52)") was computed and dropped; each turn now comes with its tone, fused arousal and voice
    turns = audio.json()["turns"]
    assert [t["role"] for t in turns] == ["agent", "customer"] and all(isinstance(t["tone"], float) for t in turns)
    assert all(t["voice"] is not None and 0 <= t["arousal"] <= 1 and "voice" in t["contributions"] for t in turns)
    assert [t["role"] for t in body["turns"]] == ["agent", "customer"] * 3 and body["turns"][0]["voice"] is None
    # found by a review: the stored messages kept the text's arousal alone (a shouted turn never raised an alert)
    assert [m["arousal"] for m in audio.json()["messages"]] == [t["arousal"] for t in turns]


@pytest.mark.parametrize("name", [".txt", "notes"])
def test_an_upload_named_without_a_suffix_is_told_so(client, name: str) -> None:
    """Found by a review: a file named ``.txt`` (a hidden file: no suffix) was refused as "Unsupported file type
    '.txt'" by a message listing .txt among the supported ones."""
    bad = client.post("/v1/customers/up-3/conversations", files={"file": (name, b"Customer: hello there")})
    detail = bad.json()["detail"]
    assert bad.status_code == 415 and f"'{name}' has no file suffix" in detail and "Unsupported file type" not in detail


def test_bad_uploads_store_nothing(client) -> None:
    bad = client.post("/v1/customers/up-2/conversations", files={"file": ("x.docx", b"PK..")})
    assert bad.status_code == 415 and "Unsupported file type '.docx'" in bad.json()["detail"]
    broken = client.post("/v1/customers/up-2/conversations", files={"file": ("c.wav", b"RIFF0000WAVEfmt ")})
    assert broken.status_code == 422 and broken.json()["code"] == "E703"
    empty = client.post("/v1/customers/up-2/conversations", files={"file": ("m.eml", b"Subject: hi\n\n> quoted only\n")})
    assert empty.status_code == 422 and empty.json()["code"] == "E601"
    assert client.get("/v1/customers/up-2").status_code == 404


def test_with_an_id_key_the_database_never_holds_the_customers_own_ids(tmp_path) -> None:
    customer = "jane.doe@example.com"
    with make_client(tmp_path, id_key="a-long-secret-key-for-ids") as client:
        assert post(client, customer, [("customer", "My refund is late again.")], 1, "order-4411").status_code == 201
        stored = client.get(f"/v1/customers/{customer}")
        assert stored.status_code == 200
        assert stored.json()["id"].startswith("p-") and [c["id"] for c in client.get("/v1/customers").json()] == [
            stored.json()["id"]]
        # found by a review: the dashboard opens the ids the list gives, which were keyed again (every one a 404)
        for path in ("", "/timeline", "/routing", "/outreach"):
            assert client.get(f"/v1/customers/{stored.json()['id']}{path}").status_code == 200, path
        timeline = client.get(f"/v1/customers/{customer}/timeline").json()
        assert timeline["messages"][0]["conversation_id"].startswith("p-")
        files = list(tmp_path.glob("api.db*"))
        assert not any(value in f.read_bytes() for f in files for value in (customer.encode(), b"order-4411"))
        assert client.delete(f"/v1/customers/{customer}").status_code == 204
    with pytest.raises(EmotraceError, match="E017"):
        make_client(tmp_path, id_key="short")


def test_customer_list_pages_and_filters_and_alerts_sort_and_limit(client) -> None:
    post(client, "happy", [("customer", "Thank you so much, wonderful service, I love it!")], 1, "h")
    post(client, "calm", [("customer", "Could you tell me when the shop opens?")], 1, "c")
    post(client, "angry", [("customer", "Thanks, all good.")], 3, "a1")
    post(client, "angry", [("customer", "This is disgusting, I am furious, you stole my money!!! 😡😡")], 0.1, "a2")
    post(client, "livid", [("customer", "Disgusting service, I am absolutely furious 😡😡")], 0.5, "l1")
    everyone = [c["id"] for c in client.get("/v1/customers").json()]
    assert set(everyone[:2]) == {"angry", "livid"} and set(everyone) == {"happy", "calm", "angry", "livid"}
    assert [c["id"] for c in client.get("/v1/customers", params={"limit": 1, "offset": 1}).json()] == everyone[1:2]
    segment = client.get("/v1/customers/happy").json()["segment"]
    assert "happy" in [c["id"] for c in client.get("/v1/customers", params={"segment": segment}).json()]
    assert all(c["segment"] == segment for c in client.get("/v1/customers", params={"segment": segment}).json())
    alerts = client.get("/v1/alerts", params={"sort": "newest"}).json()
    assert {a["customer_id"] for a in alerts} == {"angry", "livid"}
    assert [a["at"] for a in alerts] == sorted((a["at"] for a in alerts), reverse=True)
    assert alerts[0]["customer_id"] == "angry"  # the newer one
    by_severity = client.get("/v1/alerts", params={"sort": "severity"}).json()
    ranks = [{"critical": 0, "warning": 1}[a["severity"]] for a in by_severity]
    assert ranks == sorted(ranks)
    assert len(client.get("/v1/alerts", params={"limit": 1}).json()) == 1


def test_customers_are_found_by_id_and_exported_as_csv(client) -> None:
    """Issue 28: a lead searches and pages the customer list, and exports customers and alerts to a spreadsheet."""

    for name in ("ann.lee", "anna.berg", "bob.roy"):
        post(client, name, [("customer", "Thanks, all good!")], 1, "c")
    post(client, "bob.roy", [("customer", "This is disgusting. I am absolutely furious, you stole my money!!! 😡😡")],
         0.1, "d")
    assert {c["id"] for c in client.get("/v1/customers", params={"search": "ann"}).json()} == {"ann.lee", "anna.berg"}
    assert client.get("/v1/customers", params={"search": "_"}).json() == []  # as typed: no SQL wildcard
    assert client.get("/v1/customers", params={"search": "a b"}).status_code == 422
    page = [c["id"] for c in client.get("/v1/customers", params={"limit": 2, "offset": 2}).json()]
    assert len(page) == 1
    exported = client.get("/v1/export/customers")
    assert exported.headers["content-type"].startswith("text/csv") and "customers.csv" in exported.headers[
        "content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert {r["id"] for r in rows} == {"ann.lee", "anna.berg", "bob.roy"} and rows[0]["id"] == "bob.roy"
    assert all(r["updated_at"].endswith("Z") for r in rows), rows  # aware UTC, as the JSON answers give times
    alerts = list(csv.DictReader(io.StringIO(client.get("/v1/export/alerts").text)))
    assert alerts and {a["customer_id"] for a in alerts} == {"bob.roy"} and all(a["status"] == "open" for a in alerts)
    assert all(a["at"].endswith("Z") for a in alerts), alerts


def test_exported_cells_a_spreadsheet_would_run_as_formulas_are_neutralised(client) -> None:
    """The CSV exports are for a lead's spreadsheet: an assignee "=HYPERLINK(...)" or a customer id "-2-3" or "@A1"
    went out as is, and a spreadsheet runs such cells as formulas."""
    post(client, "-2-3", [("customer", "I am absolutely furious, this is disgusting and outrageous! 😡")], 1, "x")
    post(client, "@A1", [("customer", "fine")], 1, "x")
    alert = client.get("/v1/alerts").json()[0]
    assert client.patch(f"/v1/alerts/{alert['id']}", json={"assignee": '=HYPERLINK("http://evil","x")'}).status_code == 200
    customers = list(csv.DictReader(io.StringIO(client.get("/v1/export/customers").text)))
    assert {r["id"] for r in customers} == {"'-2-3", "'@A1"}
    assert all(float(r["score"]) for r in customers)  # numbers stay numbers
    alerts = list(csv.DictReader(io.StringIO(client.get("/v1/export/alerts").text)))
    assert alerts[0]["assignee"] == "'=HYPERLINK(\"http://evil\",\"x\")" and alerts[0]["customer_id"] == "'-2-3"
    assert client.get("/v1/customers/-2-3").json()["id"] == "-2-3"  # the API itself gives the id as stored


def test_with_an_id_key_search_finds_the_exact_id(tmp_path) -> None:
    with make_client(tmp_path, id_key="k" * 32) as client:
        post(client, "ann.lee", [("customer", "Thanks!")], 1, "c")
        assert client.get("/v1/customers", params={"search": "ann.lee"}).json()[0]["id"].startswith("p-")
        assert client.get("/v1/customers", params={"search": "ann"}).json() == []


def test_with_an_id_key_search_also_finds_the_id_the_list_gives(tmp_path) -> None:
    """Found by a review: searching for the ``p-…`` id the list answers with keyed it again (nothing found)."""
    with make_client(tmp_path, id_key="k" * 32) as client:
        post(client, "ann.lee", [("customer", "Thanks!")], 1, "c")
        listed = client.get("/v1/customers").json()[0]["id"]
        assert [c["id"] for c in client.get("/v1/customers", params={"search": listed}).json()] == [listed]


def test_with_an_id_key_an_upload_to_the_listed_id_goes_to_that_customer(tmp_path) -> None:
    """Found by a review: the upload keyed the path's ``p-…`` id again, so the turns went to a new customer."""
    with make_client(tmp_path, id_key="k" * 32) as client:
        post(client, "ann.lee", [("customer", "My refund is late again.")], 1, "c")
        listed = client.get("/v1/customers").json()[0]["id"]
        uploaded = client.post(f"/v1/customers/{listed}/conversations",
                               files={"file": ("chat.txt", b"Customer: still waiting\nAgent: sorry\n")},
                               data={"agent": "Agent"})
        assert uploaded.status_code == 201, uploaded.text
        assert uploaded.json()["customer"]["id"] == listed
        assert {m["customer_id"] for m in uploaded.json()["messages"]} == {listed}
        assert [c["id"] for c in client.get("/v1/customers").json()] == [listed]
        assert len(client.get("/v1/customers/ann.lee/timeline").json()["messages"]) == 3
        again = client.post("/v1/customers/ann.lee/conversations",  # the same file, by the client's own id
                            files={"file": ("chat.txt", b"Customer: still waiting\nAgent: sorry\n")},
                            data={"agent": "Agent", "conversation_id": "chat-1"})
        assert again.status_code == 201 and again.json()["customer"]["id"] == listed


def test_with_an_id_key_messages_posted_to_the_listed_id_go_to_that_customer(tmp_path) -> None:
    """Found by a review: POST /v1/messages keyed the listed ``p-…`` id again, so a client writing back to the
    customer the API answered with stored the message on a new customer."""
    with make_client(tmp_path, id_key="k" * 32) as client:
        post(client, "ann.lee", [("customer", "My refund is late again.")], 1, "c")
        listed = client.get("/v1/customers").json()[0]["id"]
        conversation = client.get(f"/v1/customers/{listed}/timeline").json()["messages"][0]["conversation_id"]
        assert post(client, listed, [("customer", "Still nothing.")], 0.5, conversation).status_code == 201
        assert [c["id"] for c in client.get("/v1/customers").json()] == [listed]
        messages = client.get("/v1/customers/ann.lee/timeline").json()["messages"]
        assert len(messages) == 2 and {m["conversation_id"] for m in messages} == {conversation}


def test_with_an_id_key_one_file_uploaded_by_either_id_is_one_conversation(tmp_path) -> None:
    """Found by a review: an upload's default conversation id was built from the customer id as typed, so the same
    file sent to ``ann.lee`` and to its listed ``p-…`` id was stored twice as two conversations."""
    chat = {"file": ("chat.txt", b"Customer: still waiting\nAgent: sorry\n")}
    with make_client(tmp_path, id_key="k" * 32) as client:
        assert client.post("/v1/customers/ann.lee/conversations", files=chat, data={"agent": "Agent"}).status_code == 201
        listed = client.get("/v1/customers").json()[0]["id"]
        again = client.post(f"/v1/customers/{listed}/conversations", files=chat, data={"agent": "Agent"})
        assert again.status_code == 409 and again.json()["code"] == "E906", again.text
        assert len(client.get(f"/v1/customers/{listed}/timeline").json()["messages"]) == 2


def test_the_floor_trend_counts_customers_messages_satisfaction_and_alerts_per_day(client) -> None:
    post(client, "calm", [("customer", "Thank you, lovely service as always!"), ("agent", "Glad to help!")], 2, "a")
    post(client, "angry", [("customer", "This is disgusting. I am absolutely furious, you stole my money!!! 😡😡")],
         0.01, "b")
    days = client.get("/v1/floor/trend", params={"days": 7}).json()
    assert len(days) == 7 and days == sorted(days, key=lambda d: d["day"])
    by_day = {d["day"]: d for d in days}
    now = datetime.now(UTC)
    today, two_days_ago = (by_day[(now - timedelta(days=ago)).date().isoformat()] for ago in (0.01, 2))
    assert two_days_ago["messages"] == 1 and two_days_ago["mean_satisfaction"] > 0  # the agent turn is not counted
    assert two_days_ago["dissatisfied_share"] == 0 and two_days_ago["by_channel"]["chat"]["messages"] == 1
    assert today["messages"] == 1 and today["dissatisfied_share"] == 1 and today["alerts"] >= 1
    assert days[0]["messages"] == 0 and days[0]["mean_satisfaction"] is None
    assert client.get("/v1/floor/trend", params={"days": 0}).status_code == 422


def test_the_customer_export_lists_each_customer_once_while_scores_change(tmp_path, monkeypatch) -> None:
    """The export paged the live ranking by offset: a customer whose score changed while a lead downloaded moved
    between pages, and came out twice while another never did."""
    from emotrace.api.routes import export
    from emotrace.store import Store
    from emotrace.store.tables import Customer

    store = Store(f"sqlite:///{tmp_path / 'e.db'}")
    with store.db.writing() as session:
        for i, score in enumerate([10, 20, 30, 40, 50]):
            session.add(Customer(id=f"c{i}", created_at=datetime.now(UTC), updated_at=datetime.now(UTC), score=score))
    monkeypatch.setattr(export, "CHUNK", 2)
    rows = export._customers(store)
    first = [next(rows)[0], next(rows)[0]]
    with store.db.writing() as session:
        session.get(Customer, "c4").score = 1  # the last customer becomes the riskiest mid-export
    ids = first + [row[0] for row in rows]
    assert sorted(ids) == ["c0", "c1", "c2", "c3", "c4"], ids


def test_the_next_step_is_the_one_of_now_as_the_route_is(client, monkeypatch) -> None:
    """Found by a review: the next step was worked out when the customer last wrote and served as stored, while the
    route beside it is worked out at the read: three days after a churn threat the route was "standard" ("no recent
    alerts") and the next step still "offer_retention" with a 4-hour follow-up."""
    from emotrace.api.routes import customers as routes

    post(client, "quiet", [("customer", "Thanks for your help over the years. Please close my account at the end of the "
                                        "month, I'm moving to another provider.")], 2.9, "q1")
    fresh = client.get("/v1/customers/quiet").json()
    assert fresh["routing"]["route"] == "retention" and fresh["next_step"]["action"] == "offer_retention"

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):  # the server's clock, five hours on: the threat is older than route_recent_hours
            return datetime.now(tz) + timedelta(hours=5)

    monkeypatch.setattr(routes, "datetime", Later)
    later, routing = client.get("/v1/customers/quiet").json(), client.get("/v1/customers/quiet/routing").json()
    assert later["routing"]["route"] == routing["route"] == "standard"
    for step in (later["next_step"], later["routing"]["next_step"], routing["next_step"]):
        assert step is None or step["action"] != "offer_retention", step
