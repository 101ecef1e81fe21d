"""Call audio -> a conversation: speech-to-text per channel, turns, and a voice arousal reading per turn.

A stereo recording is read as two speakers (contact-centre convention: one channel each; which one is
the agent is a setting). A mono recording is one speaker (the customer, by default).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy.signal import correlate

from emotrace.audio.asr import Segment, transcribe
from emotrace.audio.io import SAMPLE_RATE, is_silent, load_audio
from emotrace.audio.prosody import arousal_readings, features
from emotrace.channels.utterance import AGENT, CUSTOMER, Conversation, Utterance
from emotrace.errors import EmotraceError
from emotrace.wording import counted_doing

MERGE_GAP_SECONDS = 1.0
OVERLAP_WARN_SECONDS = 0.5
ECHO_DB = 12.0  # a channel this much quieter than the other over a word's span only hears the other speaker there
ECHO_WINDOW_SECONDS = 0.1  # the shortest span whose loudness is compared (Whisper gives some words no length)
ONE_SIGNAL_CORRELATION = 0.95  # channels correlated this much (or -0.95: one inverted) are one recording
ONE_SIGNAL_LAG_SECONDS = 0.01  # one channel this much later than the other is still one recording
LAG_BLOCK = 2**15  # samples (2 s) per block: the lag is searched in the LAG_BLOCKS loudest on both channels
LAG_BLOCKS = 16


def _turns(segments: list[Segment], speaker: str, role: str, others: Sequence[Segment] = ()) -> list[Utterance]:
    """One speaker's words as turns: a turn ends at a pause of MERGE_GAP_SECONDS or more, and where the other
    speaker starts talking in a pause between two of its words - even inside one recognised segment. (Whisper
    stretches a word's end over the silence after it, so a pause is measured between word starts.)"""
    interruptions = sorted(o.start for o in others)
    pieces = [(w.text, w.start, w.end) for seg in segments for w in seg.words] if all(
        seg.words for seg in segments) else [(seg.text, seg.start, seg.end) for seg in segments]
    turns: list[Utterance] = []
    previous_start = 0.0
    for text, start, end in pieces:
        paused = start - previous_start >= MERGE_GAP_SECONDS
        cut = next((t for t in interruptions if previous_start < t < start), None) if paused else None
        if turns and start - (turns[-1].end or 0.0) < MERGE_GAP_SECONDS and cut is None:
            turns[-1].text = f"{turns[-1].text} {text}"
            turns[-1].end = end
        else:
            if turns and cut is not None:  # the stretched last word ends where the other speaker begins
                turns[-1].end = min(turns[-1].end or cut, cut)
            turns.append(Utterance(text, speaker, role, start, end))
        previous_start = start
    return turns


def _overlaps(utterances: list[Utterance]) -> int:
    """How many turns overlap a turn of the other role by OVERLAP_WARN_SECONDS or more."""
    return sum(1 for i, a in enumerate(utterances) for b in utterances[i + 1 :]
               if a.role != b.role and min(a.end or 0, b.end or 0) - max(a.start or 0, b.start or 0)
               >= OVERLAP_WARN_SECONDS)


def _one_recording(left: np.ndarray, right: np.ndarray) -> int | None:
    """The louder channel (0 or 1) when both carry one signal (a mono recording saved as stereo), within rounding or
    at another level: equal to 0.1 %, or correlated ONE_SIGNAL_CORRELATION or more, either polarity, at a lag of up to
    ONE_SIGNAL_LAG_SECONDS (two speakers, each echoed into the other's channel even at half their level, correlate
    0.8 at most); None when they carry two."""
    energy = np.stack([_block_energies(left), _block_energies(right)])
    total = energy.sum(axis=1)
    louder = int(total[1] > total[0])
    if np.max(np.abs(left - right), initial=0.0) <= 1e-3 * max(float(np.max(np.abs(left), initial=0.0)), 1e-6):
        return louder
    if total[0] * total[1] <= 0:
        return None
    lag = _lag(left, right, np.argsort(energy.min(axis=0))[-LAG_BLOCKS:])
    shared = float(np.dot(left[max(-lag, 0) : len(left) - max(lag, 0)], right[max(lag, 0) : len(right) - max(-lag, 0)]))
    return louder if abs(shared) / float(np.sqrt(total[0] * total[1])) >= ONE_SIGNAL_CORRELATION else None


def _block_energies(samples: np.ndarray) -> np.ndarray:
    """The energy (sum of squares) of each LAG_BLOCK of ``samples``, the last block the rest (maybe empty)."""
    rows = samples[: len(samples) // LAG_BLOCK * LAG_BLOCK].reshape(-1, LAG_BLOCK)
    rest = samples[rows.size :]
    return np.append(np.einsum("ij,ij->i", rows, rows), np.dot(rest, rest)).astype(np.float64)


def _lag(left: np.ndarray, right: np.ndarray, blocks: np.ndarray) -> int:
    """The lag in samples, within ONE_SIGNAL_LAG_SECONDS either way (positive: the right channel later), at which the
    right channel matches the left best, in either polarity, over the LAG_BLOCKs numbered ``blocks``."""
    most = int(ONE_SIGNAL_LAG_SECONDS * SAMPLE_RATE)
    sums = np.zeros(2 * most + 1)
    for block in blocks:
        start = int(block) * LAG_BLOCK
        own = left[start : start + LAG_BLOCK]
        if len(own) <= most:  # the short rest at the end
            continue
        near = right[max(start - most, 0) : start + LAG_BLOCK + most]
        at = start - max(start - most, 0) + len(own) - 1  # where lag 0 falls in the full correlation
        sums += correlate(near, own, mode="full", method="fft")[at - most : at + most + 1]
    return int(np.argmax(np.abs(sums))) - most


def _power(samples: np.ndarray, start: float, end: float) -> float:
    """Mean power of ``samples`` over ``start``-``end`` (seconds), widened to ECHO_WINDOW_SECONDS around its middle."""
    middle, half = (start + end) / 2, max(end - start, ECHO_WINDOW_SECONDS) / 2
    piece = samples[max(int((middle - half) * SAMPLE_RATE), 0) : max(int((middle + half) * SAMPLE_RATE), 0)]
    return float(np.mean(np.square(piece, dtype=np.float64))) if len(piece) else 0.0


def _louder_here(segments: list[Segment], own: np.ndarray, other: np.ndarray) -> list[Segment]:
    """The segments (and words) of one channel that are not the other channel's speech heard through it: a word, or a
    segment without words, is dropped where its channel is more than ECHO_DB quieter than the other one over its
    span (echo or crosstalk between the lines). Both speakers talking at once, both loud, stay on both sides."""
    ratio = 10 ** (-ECHO_DB / 10)

    def heard(start: float, end: float) -> bool:
        return _power(own, start, end) >= ratio * _power(other, start, end)

    kept: list[Segment] = []
    for seg in segments:
        if not seg.words:
            if heard(seg.start, seg.end):
                kept.append(seg)
            continue
        words = [w for w in seg.words if heard(w.start, w.end)]
        if len(words) == len(seg.words):
            kept.append(seg)
        elif words:
            kept.append(Segment(" ".join(w.text for w in words), words[0].start, words[-1].end, words))
    return kept


def read_call(path: Path, max_seconds: float = 3600, agent_channel: int = 0, mono_role: str = CUSTOMER,
              asr_model: str | None = None, threads: int = 2) -> Conversation:
    """Transcribe ``path`` and attach a voice arousal reading to every turn (``metadata['voice']``)."""
    audio = load_audio(path, max_seconds)
    channels = audio.channels
    warnings: list[str] = []
    if channels.shape[0] == 2 and (louder := _one_recording(channels[0], channels[1])) is not None:
        warnings.append("The recording holds the same audio on both channels: read as mono.")
        channels = channels[louder : louder + 1]
    if channels.shape[0] == 2:
        if agent_channel not in (0, 1):
            raise EmotraceError("E708", f"agent channel {agent_channel}.", "Use 0 (left) or 1 (right).")
        sides = [(channels[agent_channel], "agent", AGENT), (channels[1 - agent_channel], "customer", CUSTOMER)]
    else:
        sides = [(channels[0], "speaker", mono_role)]
    utterances: list[Utterance] = []
    silent = [is_silent(samples) for samples, _, _ in sides]
    segments = [[] if quiet else transcribe(samples, asr_model, threads)
                for (samples, _, _), quiet in zip(sides, silent, strict=True)]
    echo_only = [False] * len(sides)  # a channel whose every word was the other speaker's echo
    if len(sides) == 2:
        heard = [_louder_here(segments[i], sides[i][0], sides[1 - i][0]) for i in (0, 1)]
        echo_only = [bool(segments[i]) and not heard[i] for i in (0, 1)]
        segments = heard
    for i, (samples, speaker, role) in enumerate(sides):
        if silent[i]:
            warnings.append(f"The {speaker} channel is silent." if len(sides) == 2 else "The recording is silent.")
            continue
        others = [seg for j, side in enumerate(segments) if j != i for seg in side]
        turns = _turns(segments[i], speaker, role, others)
        if not turns:
            warnings.append(f"The {speaker} channel holds only the other speaker's voice, quieter (echo between the "
                            "lines)." if echo_only[i] else
                            f"No speech recognised on the {speaker} channel.")
        voice = arousal_readings([features(samples[int((t.start or 0.0) * SAMPLE_RATE) : int((t.end or 0.0) * SAMPLE_RATE)])
                                  for t in turns])
        for turn, reading in zip(turns, voice, strict=True):
            if reading is not None:
                turn.metadata["voice"] = {"arousal": reading.arousal, "cues": reading.cues,
                                          "baseline_turns": reading.baseline_turns}
        if any(reading is not None and not reading.has_baseline for reading in voice):
            warnings.append(f"The {speaker}'s voice is measured in only one turn: with no usual voice to compare it "
                            "with, that turn's arousal is read from the text alone.")
        utterances += turns
    utterances.sort(key=lambda u: (u.start or 0.0))
    if len(sides) == 1 and utterances:
        warnings.append(f"A mono recording: every turn is read as the {mono_role}'s (speakers are not told apart; "
                        "record one speaker per stereo channel to score the customer alone).")
    if overlapping := _overlaps(utterances):
        warnings.append(f"{counted_doing(overlapping, 'turn', 'overlaps', 'overlap')} the other speaker's by "
                        f"{OVERLAP_WARN_SECONDS} s or more "
                        "(talking over each other).")
    return Conversation("call", utterances, warnings, {"duration_s": round(audio.duration, 2),
                                                       "channels": int(audio.channels.shape[0])})
