"""Reading a conversation turn by turn: the customer's arc, the peak negative moment, agent empathy."""

from __future__ import annotations

from dataclasses import dataclass, field

from emotrace.channels.utterance import AGENT, CUSTOMER, Conversation, Utterance
from emotrace.model.classifier import EmotionClassifier
from emotrace.model.reading import Reading

EMPATHY_LABELS = ("caring", "remorse", "gratitude")
VOICE_WEIGHT = 0.5  # share of the voice in a turn's fused arousal, when the turn has audio
VOICE_BASELINE_TURNS = 2  # emotrace.audio.prosody.MIN_BASELINE_TURNS (not imported: reading text loads no audio code)
EMPATHY_PROBABILITY = 0.2
NEGATIVE_BELOW = -0.3


@dataclass
class TurnReading:
    """One turn with its reading, its tone (mean of valence and satisfaction, in [-1, 1]) and its arousal:
    from the text alone, or fused with the voice, with each part's contribution."""

    utterance: Utterance
    reading: Reading
    tone: float
    arousal: float | None = None
    contributions: dict[str, float] = field(default_factory=dict)


def turn_facts(turn: TurnReading) -> dict[str, object]:
    """What a turn says beside its reading (the CLI's and the HTTP answer's): speaker and role, its times, tone, arousal
    (fused with the voice where the turn has audio), each part's contribution, and the voice's own cues."""
    u = turn.utterance
    return {"speaker": u.speaker, "role": u.role, "start": u.start, "end": u.end, "tone": round(turn.tone, 4),
            "arousal": None if turn.arousal is None else round(turn.arousal, 4), "contributions": turn.contributions,
            "voice": u.metadata.get("voice")}


def fuse_arousal(reading: Reading, utterance: Utterance) -> tuple[float | None, dict[str, float]]:
    """Text arousal, fused with the voice's where the turn has audio; returns it and the contributions. A voice read
    without a baseline (fewer than VOICE_BASELINE_TURNS turns of the speaker: its arousal is 0.5 whatever the voice)
    weighs 0: the text alone, ``{"text": 1.0, "voice": 0.0}``."""
    voice = utterance.metadata.get("voice")
    text = reading.arousal
    if not isinstance(voice, dict) or text is None:
        return text, ({"text": 1.0} if text is not None else {})
    if int(voice.get("baseline_turns", VOICE_BASELINE_TURNS)) < VOICE_BASELINE_TURNS:
        return round(text, 4), {"text": 1.0, "voice": 0.0}  # rounded as a fused arousal is
    fused = (1 - VOICE_WEIGHT) * text + VOICE_WEIGHT * float(voice["arousal"])
    return round(fused, 4), {"text": 1 - VOICE_WEIGHT, "voice": VOICE_WEIGHT}


@dataclass
class ConversationSummary:
    """What happened emotionally in a conversation."""

    customer_start: float | None
    customer_end: float | None
    arc: str  # improved / worsened / steady / n/a
    peak_negative: dict[str, object] | None
    negative_customer_turns: int  # distressed customer turns an agent answered (the empathy measures' base)
    empathic_responses: int
    empathy_rate: float | None
    anger_turns: int
    anger_met_with_empathy: int
    unanswered_distressed_turns: int = 0  # distressed customer turns no agent turn followed (not the agent's)
    flags: list[str] = field(default_factory=list)


def tone_of(reading: Reading) -> float:
    """Mean of valence and satisfaction score (either may be absent)."""
    parts = [v for v in (reading.valence, reading.satisfaction_score) if v is not None]
    return sum(parts) / len(parts) if parts else 0.0


def _empathic(reading: Reading) -> bool:
    """An empathy label fires (as the turn's labels say), or is at least EMPATHY_PROBABILITY likely."""
    return any(label in reading.labels or reading.probabilities.get(label, 0.0) >= EMPATHY_PROBABILITY
               for label in EMPATHY_LABELS)


def _angry(reading: Reading) -> bool:
    ekman = reading.views.get("ekman")
    return bool(ekman and {"anger", "disgust"} & set(ekman.labels))


def rating_flags(reading: Reading, rating: float, scale: float = 5) -> list[str]:
    """A review's star rating against its reading: a low rating on text that reads as positive (its sentiment
    positive alone, or the customer read satisfied) is likely sarcasm; a high rating on text that reads as negative
    disagrees with it."""
    sentiment = reading.views.get("sentiment")
    positive = (sentiment is not None and sentiment.labels == ["positive"]) or reading.satisfaction_class == "satisfied"
    if rating <= scale * 0.4 and positive:
        return [f"Rated {rating:g}/{scale:g} but reads as positive: likely sarcasm."]
    if rating >= scale * 0.8 and tone_of(reading) < NEGATIVE_BELOW:
        return [f"Rated {rating:g}/{scale:g} but reads as negative: rating and text disagree."]
    return []


def summarize(turns: list[TurnReading], metadata: dict[str, object]) -> ConversationSummary:
    """The customer's arc, the peak negative moment and how the agent met the customer's distress."""
    customer = [t for t in turns if t.utterance.role == CUSTOMER]
    start = round(customer[0].tone, 3) if customer else None
    end = round(customer[-1].tone, 3) if customer else None
    arc = "n/a"
    if start is not None and end is not None and len(customer) > 1:
        arc = "improved" if end - start > 0.2 else "worsened" if start - end > 0.2 else "steady"
    worst = min(customer, key=lambda t: t.tone, default=None)
    peak = None if worst is None or round(worst.tone, 3) >= 0 else {  # "-0.000" is no negative moment
        "text": worst.utterance.text, "tone": round(worst.tone, 3), "start": worst.utterance.start,
        "labels": worst.reading.labels}
    negative = anger = empathic = anger_met = unanswered = 0
    for i, turn in enumerate(turns):
        if turn.utterance.role != CUSTOMER or (turn.tone >= NEGATIVE_BELOW and not _angry(turn.reading)):
            continue
        reply = next((t for t in turns[i + 1 :] if t.utterance.role == AGENT), None)
        if reply is None:
            unanswered += 1
            continue
        met = _empathic(reply.reading)
        negative += 1
        empathic += met
        if _angry(turn.reading):
            anger += 1
            anger_met += met
    rating, scale = metadata.get("rating"), metadata.get("scale", 5)
    flags = rating_flags(customer[0].reading, rating, scale) if customer and isinstance(rating, int | float) \
        and isinstance(scale, int | float) else []
    return ConversationSummary(start, end, arc, peak, negative, empathic,
                               round(empathic / negative, 3) if negative else None, anger, anger_met, unanswered, flags)


def read_conversation(classifier: EmotionClassifier, conversation: Conversation,
                      aspects: bool = False) -> tuple[list[TurnReading], ConversationSummary]:
    """Readings of every turn (one batched model call; ``aspects``: with each topic's own satisfaction) and the
    conversation summary."""
    return with_readings(conversation, classifier.predict([u.text for u in conversation.utterances], aspects=aspects))


def with_readings(conversation: Conversation, readings: list[Reading]) -> tuple[list[TurnReading],
                                                                                 ConversationSummary]:
    """The turns of ``conversation`` with their readings (one per utterance, in order), and its summary."""
    turns = [TurnReading(u, r, tone_of(r), *fuse_arousal(r, u))
             for u, r in zip(conversation.utterances, readings, strict=True)]
    return turns, summarize(turns, conversation.metadata)
