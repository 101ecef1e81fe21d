"""The utterance record every channel adapter produces and everything downstream reads."""

from __future__ import annotations

from dataclasses import dataclass, field

CUSTOMER, AGENT = "customer", "agent"


@dataclass
class Utterance:
    """One turn: who said what, and when (seconds from the start of a call, where known)."""

    text: str
    speaker: str  # the name or label in the source (e.g. "Agent", "Jane", "SPEAKER_1")
    role: str  # customer / agent
    start: float | None = None
    end: float | None = None
    metadata: dict[str, object] = field(default_factory=dict)


@dataclass
class Conversation:
    """Utterances of one conversation plus what the adapter noticed (warnings, metadata)."""

    channel: str
    utterances: list[Utterance]
    warnings: list[str] = field(default_factory=list)
    metadata: dict[str, object] = field(default_factory=dict)
