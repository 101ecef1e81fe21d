"""Explanations: the words that drove a reading, on analyze and on a stored message."""

from __future__ import annotations

import threading
import time

from tests.api.conftest import make_client

SARCASM = "Wow, thanks for charging me twice. I am furious 😠"


def test_analyze_explains_the_labels_and_the_satisfaction_class(client) -> None:
    body = client.post("/v1/analyze", json={"text": SARCASM, "explain": True}).json()
    explanation = body["explanation"]
    assert set(explanation["labels"]) == set(body["labels"])
    assert "anger" in body["labels"] and "gratitude" not in body["labels"]  # read as the complaint it is
    top = explanation["labels"]["anger"][0]
    assert SARCASM[top["start"]:top["end"]] == top["word"]
    anger = {w["word"]: w["weight"] for w in explanation["labels"]["anger"]}
    assert anger["charging"] > 0.2 and anger["thanks"] < 0  # the complaint drives anger, the polite word pulls back
    assert explanation["satisfaction_class"] == max(body["satisfaction"], key=body["satisfaction"].get) == "dissatisfied"
    pulls = {w["word"]: w["weight"] for w in explanation["satisfaction"]}
    assert pulls["charging"] > 0 > pulls["thanks"]  # the complaint holds the class, "thanks" pulls the other way
    assert client.post("/v1/analyze", json={"text": SARCASM}).json()["explanation"] is None


def test_a_text_too_long_to_explain_is_refused(client) -> None:
    for text in ("word " * 65, "unbelievably " * 60 + "x" * 800):  # too many words; too many characters
        response = client.post("/v1/analyze", json={"text": text, "explain": True})
        assert response.status_code == 422 and "E011" in response.text


# 64 words, 1,471 characters: about the largest explanation a request may ask for (65 readings of the whole text).
LARGEST_EXPLANATION = " ".join(f"furious-about-delay-{i:02d}" for i in range(64))


def test_a_light_request_does_not_wait_behind_an_explanation(client) -> None:
    """Issue 29: during one explanation, small analyze calls took 23-31 s. Explanations run in the heavy lane, a
    model thread of their own, so a small call is answered while the explanation is still being computed."""
    assert len(LARGEST_EXPLANATION.split()) == 64 and len(LARGEST_EXPLANATION) > 1_400
    heavy_done = threading.Event()

    def explain() -> None:
        response = client.post("/v1/analyze", json={"text": LARGEST_EXPLANATION, "explain": True})
        assert response.status_code == 200, response.text
        heavy_done.set()

    worker = threading.Thread(target=explain)
    worker.start()
    time.sleep(0.3)  # the explanation is in the model
    light = client.post("/v1/analyze", json={"text": "thanks, that fixed it"})
    answered_first = not heavy_done.is_set()
    worker.join()
    assert light.status_code == 200 and heavy_done.is_set()
    assert answered_first, "the light request waited for the explanation"


def test_a_stored_message_is_explained_from_its_stored_text(tmp_path) -> None:
    with make_client(tmp_path) as client:
        stored = client.post("/v1/messages", json={"messages": [
            {"customer_id": "ann", "conversation_id": "c1", "text": "Thank you so much, call me on +44 20 7946 0958"}]})
        message_id = stored.json()["messages"][0]["id"]
        explained = client.get(f"/v1/customers/ann/messages/{message_id}/explanation").json()
        assert "gratitude" in explained["labels"] and explained["labels"]["gratitude"][0]["word"] == "Thank"
        assert all("7946" not in w["word"] for ws in explained["labels"].values() for w in ws)  # the redacted text
        assert client.get(f"/v1/customers/bob/messages/{message_id}/explanation").status_code == 404
    (tmp_path / "none").mkdir()
    with make_client(tmp_path / "none", store_text="none") as client:
        stored = client.post("/v1/messages", json={"messages": [{"customer_id": "ann", "conversation_id": "c1",
                                                                  "text": "Thanks!"}]})
        message_id = stored.json()["messages"][0]["id"]
        assert client.get(f"/v1/customers/ann/messages/{message_id}/explanation").status_code == 409
