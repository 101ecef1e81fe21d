"""Call audio -> a conversation: speech-to-text per channel, turns, and a voice arousal reading per turn.

A stereo recording is read as two speakers (contact-centre convention: one channel each; which one is
the agent is a setting). A mono recording is one speaker (the customer, by default).
"""

from __future__ import annotations

from pathlib import Path

from service.audio.asr import Segment, transcribe
from service.audio.io import SAMPLE_RATE, is_silent, load_audio
from service.audio.prosody import arousal_readings, features
from service.channels.utterance import AGENT, CUSTOMER, Conversation, Utterance
from service.errors import EmotraceError

MERGE_GAP_SECONDS = 1.0


def _turns(segments: list[Segment], speaker: str, role: str) -> list[Utterance]:
    """Consecutive segments less than MERGE_GAP_SECONDS apart become one turn."""
    turns: list[Utterance] = []
    for seg in segments:
        if turns and seg.start - (turns[-1].end or 0) < MERGE_GAP_SECONDS:
            turns[-1].text = f"{turns[-1].text} {seg.text}"
            turns[-1].end = seg.end
        else:
            turns.append(Utterance(seg.text, speaker, role, seg.start, seg.end))
    return turns


def read_call(path: Path, max_seconds: float = 3600, agent_channel: int = 0, mono_role: str = CUSTOMER,
              asr_model: str | None = None, threads: int = 2) -> Conversation:
    """Transcribe ``path`` and attach a voice arousal reading to every turn (``metadata['voice']``)."""
    audio = load_audio(path, max_seconds)
    if audio.channels.shape[0] > 2:
        raise EmotraceError("E707", f"{path} has {audio.channels.shape[0]} channels.",
                            "Give mono, or stereo with one speaker per channel.")
    if audio.channels.shape[0] == 2:
        if agent_channel not in (0, 1):
            raise EmotraceError("E708", f"agent channel {agent_channel}.", "Use 0 (left) or 1 (right).")
        sides = [(audio.channels[agent_channel], "agent", AGENT), (audio.channels[1 - agent_channel], "customer", CUSTOMER)]
    else:
        sides = [(audio.channels[0], "speaker", mono_role)]
    warnings: list[str] = []
    utterances: list[Utterance] = []
    for samples, speaker, role in sides:
        if is_silent(samples):
            warnings.append(f"The {speaker} channel is silent." if len(sides) == 2 else "The recording is silent.")
            continue
        turns = _turns(transcribe(samples, asr_model, threads), speaker, role)
        if not turns:
            warnings.append(f"No speech recognised on the {speaker} channel.")
        voice = arousal_readings([features(samples[int(t.start * SAMPLE_RATE) : int(t.end * SAMPLE_RATE)])
                                  for t in turns])
        for turn, reading in zip(turns, voice, strict=True):
            if reading is not None:
                turn.metadata["voice"] = {"arousal": reading.arousal, "cues": reading.cues}
        utterances += turns
    utterances.sort(key=lambda u: (u.start or 0.0))
    return Conversation("call", utterances, warnings, {"duration_s": round(audio.duration, 2),
                                                       "channels": int(audio.channels.shape[0])})
