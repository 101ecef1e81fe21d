"""Outcomes in the store and the outreach guard over them, in-process on SQLite (the CLI's tests run it as a user
would; these reach the code the mutation check breaks)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from pydantic import SecretStr

from emotrace.errors import EmotraceError
from emotrace.outcomes.outreach import check_audience
from emotrace.outcomes.records import OutcomeIn, OutcomeKind, stored_outcome
from emotrace.services.summaries import record_messages
from emotrace.settings import Settings, pseudonym
from emotrace.store import Store
from emotrace.store.outcomes import NewOutcome
from tests.store.test_store import T0, message

NOW = T0 + timedelta(days=5)
KEYED = Settings(id_key=SecretStr("a key of sixteen or more characters"))


def _store(tmp_path, ann: str = "ann", bob: str = "bob") -> Store:
    store = Store(f"sqlite:///{tmp_path / 'e.db'}")
    record_messages(store, [message(ann, 0, 0.8), message(bob, 0, 0.5, conv="b1"), message(bob, 1, 0.5, conv="b2")])
    return store


def test_outcomes_are_kept_once_and_a_refused_batch_stores_nothing(tmp_path) -> None:
    store = _store(tmp_path)
    unresolved = NewOutcome("bob", "resolved", T0 + timedelta(hours=2), "b1", 0.0)
    churned = NewOutcome("ann", "churned", T0 + timedelta(days=1))
    assert store.outcomes.add([unresolved, churned]) == 2
    assert store.outcomes.add([unresolved, churned]) == 0  # recorded before with the same values: kept once
    assert [(o.customer_id, o.kind, o.conversation_id, o.value) for o in store.outcomes.all()] == [
        ("bob", "resolved", "b1", 0.0), ("ann", "churned", "", None)]
    assert (store.outcomes.kinds("bob"), store.outcomes.kinds("ann")) == ({"resolved"}, {"churned"})
    rating = NewOutcome("ann", "csat", T0, "c1", 5.0)
    for batch, code in (([replace(unresolved, value=1.0)], r"\[E807\].*recorded before as 0, now 1"),
                        ([rating, replace(rating, value=4.0)], r"\[E807\].*given twice, as 5 and 4"),
                        ([NewOutcome("zoe", "churned", T0)], r"\[E801\].*zoe"),
                        ([NewOutcome("ann", "resolved", T0, "b1", 1.0)], r"\[E808\] 1 rated .*ann/b1")):
        with pytest.raises(EmotraceError, match=code):
            store.outcomes.add([rating, *batch])
    assert len(store.outcomes.all()) == 2


def test_the_audience_is_checked_in_order_on_the_latest_resolution_and_recent_escalations(tmp_path) -> None:
    store = _store(tmp_path)
    store.outcomes.add([
        NewOutcome("ann", "resolved", T0 + timedelta(hours=1), "c1", 0.0),
        NewOutcome("ann", "resolved", T0 + timedelta(hours=2), "c1", 1.0),  # resolved later: lifts the hold
        NewOutcome("bob", "resolved", T0 + timedelta(hours=1), "b2", 1.0),
        NewOutcome("bob", "resolved", T0 + timedelta(hours=3), "b1", 0.0),
        NewOutcome("bob", "complaint_escalated", T0 + timedelta(hours=4)),
        NewOutcome("ann", "complaint_escalated", T0 - timedelta(days=40)),  # before the 30-day lookback
    ])
    facts = store.outcomes.outreach_facts(["ann", "bob", "zoe"], NOW - timedelta(days=30))
    assert set(facts) == {"ann", "bob"}
    assert (facts["ann"].unresolved, facts["ann"].escalations) == ([], [])
    assert (facts["bob"].unresolved, facts["bob"].escalations) == ([T0 + timedelta(hours=3)], [T0 + timedelta(hours=4)])
    checked = list(check_audience(store, Settings(), ["bob", "zoe", "ann", "bob"], NOW, chunk=2))
    assert [(customer, d.decision) for customer, d in checked] == [("bob", "hold"), ("zoe", "ok"), ("ann", "ok"),
                                                                   ("bob", "hold")]
    assert checked[0][1].reasons == ["conversation not resolved on 2026-10-01", "complaint escalated on 2026-10-01"]
    assert checked[0][1].hold_until == T0 + timedelta(hours=4, days=30)
    assert checked[1][1].reasons == ["no emotional history for this customer"]


def test_keyed_ids_are_stored_and_looked_up_as_pseudonyms(tmp_path) -> None:
    store = _store(tmp_path, ann=pseudonym("ann", KEYED), bob=pseudonym("bob", KEYED))
    outcome = stored_outcome(OutcomeIn(customer_id="bob", kind=OutcomeKind.resolved, at=T0, conversation_id="b1",
                                       value=0.0), KEYED)
    assert (outcome.customer_id, outcome.conversation_id) == (pseudonym("bob", KEYED), pseudonym("b1", KEYED))
    assert outcome.customer_id.startswith("p-") and (outcome.kind, outcome.occurred_at, outcome.value) == (
        "resolved", T0, 0.0)
    event = stored_outcome(OutcomeIn(customer_id="ann", kind=OutcomeKind.churned, at=T0), KEYED)
    assert (event.customer_id, event.conversation_id, event.value) == (pseudonym("ann", KEYED), "", None)
    store.outcomes.add([NewOutcome(pseudonym("bob", KEYED), "complaint_escalated", T0)])
    decisions = dict(check_audience(store, KEYED, ["ann", "bob"], NOW))
    assert (decisions["ann"].decision, decisions["bob"].decision) == ("ok", "hold")


def test_two_writers_recording_one_outcome_with_different_values_at_once_get_e807(postgres_url, monkeypatch) -> None:
    """Found by a review: on PostgreSQL two writers (replicas, or two requests) that both checked before either
    stored inserted with ON CONFLICT DO NOTHING: the second value was dropped and answered "already stored"."""
    import threading

    import emotrace.store.outcomes as outcomes_module

    store = Store(postgres_url)
    record_messages(store, [message("bob", 0, 0.5, conv="b1")])
    checked, first_check = threading.Barrier(2, timeout=20), threading.local()
    original = outcomes_module._refuse_conflicts

    def both_check_first(session, outcomes) -> None:
        original(session, outcomes)
        if not getattr(first_check, "done", False):  # each writer's first check ends before either inserts
            first_check.done = True
            checked.wait()

    monkeypatch.setattr(outcomes_module, "_refuse_conflicts", both_check_first)
    answers: list[object] = []

    def record(value: float) -> None:
        try:
            answers.append(Store(postgres_url).outcomes.add([NewOutcome("bob", "csat", T0, "b1", value)]))
        except EmotraceError as exc:
            answers.append(exc.code)

    writers = [threading.Thread(target=record, args=(value,)) for value in (5.0, 1.0)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(30)
    assert sorted(map(str, answers)) == ["1", "E807"], answers
    assert len(store.outcomes.all()) == 1
