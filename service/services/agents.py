"""Agents' empathy profiles from the stored conversations, and the available agents ranked for a customer."""

from __future__ import annotations

from collections.abc import Collection

from emotrace.scoring.agents import AgentProfile, ConversationEffect, agent_profiles, conversation_effects
from emotrace.store import Store


def stored_effects(store: Store, agents: Collection[str] | None = None) -> list[ConversationEffect]:
    """Every agent's effect in every stored conversation they took part in (``agents``: only these agents', read
    from their conversations alone)."""
    effects = [effect for segment, turns in store.conversations.of(agents)
               for effect in conversation_effects(turns, segment)]
    return [e for e in effects if agents is None or e.agent_id in agents]


def stored_profiles(store: Store, min_conversations: int, agents: Collection[str] | None = None
                    ) -> dict[str, AgentProfile]:
    """Every agent's profile from the stored conversations (``agents``: only these agents'; a profile is the
    agent's own conversations' alone, so it is the same either way)."""
    return agent_profiles(stored_effects(store, agents), min_conversations)
