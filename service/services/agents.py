"""Agents' empathy profiles from the stored conversations, and the available agents ranked for a customer."""

from __future__ import annotations

from emotrace.scoring.agents import AgentProfile, ConversationEffect, agent_profiles, conversation_effects
from emotrace.store import Store


def stored_effects(store: Store, agent_id: str | None = None) -> list[ConversationEffect]:
    """Every agent's effect in every stored conversation they took part in (``agent_id``: one agent's)."""
    effects = [effect for segment, turns in store.conversations.of(agent_id)
               for effect in conversation_effects(turns, segment)]
    return [e for e in effects if agent_id is None or e.agent_id == agent_id]


def stored_profiles(store: Store, min_conversations: int) -> dict[str, AgentProfile]:
    """Every agent's profile from the stored conversations."""
    return agent_profiles(stored_effects(store), min_conversations)
