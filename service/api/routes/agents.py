"""Agents: empathy profiles from the stored conversations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from emotrace.api.deps import GUARDS, RuntimeDep
from emotrace.api.schemas import AgentConversationOut, AgentDetailOut, AgentProfileOut
from emotrace.api.strict_json import StrictJSONRoute
from emotrace.errors import EmotraceError
from emotrace.messages import Identifier
from emotrace.scoring.agents import agent_profiles
from emotrace.services.agents import stored_effects, stored_profiles

router = APIRouter(route_class=StrictJSONRoute, prefix="/v1/agents", tags=["agents"], dependencies=GUARDS)


@router.get("", response_model=list[AgentProfileOut])
def list_agents(runtime: RuntimeDep) -> list[AgentProfileOut]:
    """Every agent's profile, those ranked on enough conversations first, best de-escalation first."""
    profiles = stored_profiles(runtime.store, runtime.settings.agent_min_conversations).values()
    ordered = sorted(profiles, key=lambda p: (not p.enough_data, -(p.de_escalation.mean if p.de_escalation else 0.0)))
    return [AgentProfileOut.model_validate(p) for p in ordered]


@router.get("/{agent_id}", response_model=AgentDetailOut)
def get_agent(runtime: RuntimeDep, agent_id: Annotated[Identifier, Path(description="The agent's id.")]
              ) -> AgentDetailOut:
    """One agent's profile and the conversations it is measured on."""
    effects = stored_effects(runtime.store, {agent_id})
    if not effects:
        raise EmotraceError("E905", f"Agent '{agent_id}' has no stored conversations.")
    profile = agent_profiles(effects, runtime.settings.agent_min_conversations)[agent_id]
    return AgentDetailOut.model_validate({**AgentProfileOut.model_validate(profile).model_dump(),
                                          "conversation_effects": [AgentConversationOut.model_validate(e)
                                                                   for e in effects]})
