"""Agents' conversations read for profiles and routing: only the asked agents' conversations, whole."""

from __future__ import annotations

from dataclasses import replace

from emotrace.services.agents import stored_effects, stored_profiles
from emotrace.services.summaries import record_messages
from emotrace.store import Store
from tests.store.test_store import message


def _floor(store: Store) -> None:
    """Three agents: kim and tom share a conversation (a transfer), lee takes one alone, kim another alone."""
    turns = []
    for conv, customer, agents in (("shared", "ann", ("kim", "tom")), ("lee-1", "bob", ("lee",)),
                                   ("kim-2", "cat", ("kim",))):
        turns.append(message(customer, 0, -0.8, conv=conv))
        for i, agent in enumerate(agents):
            turns.append(replace(message(customer, 1 + 2 * i, 0.3, speaker="agent", conv=conv), agent_id=agent))
            turns.append(message(customer, 2 + 2 * i, 0.4 - i, conv=conv))
    record_messages(store, turns)


def test_the_conversations_of_some_agents_are_theirs_whole_and_no_others(database_url) -> None:
    """Found by a review: routing among a few available agents read every agent's conversation of the floor."""
    store = Store(database_url)
    _floor(store)
    found = store.conversations.of(["kim"])
    assert sorted(turns[0].conversation_id for _, turns in found) == ["kim-2", "shared"]
    shared = next(turns for _, turns in found if turns[0].conversation_id == "shared")
    assert [t.agent_id for t in shared if t.speaker == "agent"] == ["kim", "tom"]  # the whole conversation
    assert store.conversations.of([]) == []
    every = store.conversations.of()
    assert sorted(turns[0].conversation_id for _, turns in every) == ["kim-2", "lee-1", "shared"]


def test_a_profile_read_for_some_agents_is_the_profile_read_for_all(database_url) -> None:
    store = Store(database_url)
    _floor(store)
    everyone = stored_profiles(store, 1)
    assert sorted(everyone) == ["kim", "lee", "tom"]
    assert stored_profiles(store, 1, ["kim", "lee", "nobody"]) == {a: everyone[a] for a in ("kim", "lee")}
    assert {e.agent_id for e in stored_effects(store, {"tom"})} == {"tom"}
    assert stored_effects(store, {"tom"}) == [e for e in stored_effects(store) if e.agent_id == "tom"]
