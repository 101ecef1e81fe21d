"""Tone of voice: openSMILE eGeMAPS features per turn, normalized against the same speaker's own
baseline in the call, turned into an arousal (agitation) reading in [0, 1].

Raised pitch, loudness, a flatter spectrum (lower Hammarberg index: more high-frequency energy) and a
faster rate of voiced segments all push arousal up. Each cue is a z-score against the speaker's other
turns; the reading is the logistic of their weighted mean, so 0.5 is the speaker's usual voice. A spread
estimated from a few turns can be tiny (from two turns every cue's z is +-1, whatever the difference), so it is
pooled with a prior spread worth two turns: the spread between one speaker's turns measured on acted emotional
speech (EmoDB dev, both speakers, 16 kHz; docs/benchmarks.md, "Voice"). With many turns the speaker's own spread
decides. A speaker with fewer than MIN_BASELINE_TURNS measured turns has no usual voice to compare with (one turn's
cues are its own mean: every z is 0, the arousal 0.5 whatever the voice): the reading says so (``baseline_turns``)
and the fused arousal leaves the voice out.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from emotrace.audio.io import SAMPLE_RATE

if TYPE_CHECKING:
    import opensmile

CUES: dict[str, float] = {  # eGeMAPSv02 functional -> weight (sign: direction of higher arousal)
    "loudness_sma3_amean": 1.0,
    "F0semitoneFrom27.5Hz_sma3nz_amean": 1.0,
    "F0semitoneFrom27.5Hz_sma3nz_pctlrange0-2": 0.5,
    "hammarbergIndexV_sma3nz_amean": -0.75,
    "slopeV0-500_sma3nz_amean": 0.5,
    "VoicedSegmentsPerSec": 0.5,
}
PRIOR_SPREADS: dict[str, float] = {  # each cue's spread between one speaker's turns (EmoDB dev)
    "loudness_sma3_amean": 0.19,  # sone
    "F0semitoneFrom27.5Hz_sma3nz_amean": 4.9,  # semitones
    "F0semitoneFrom27.5Hz_sma3nz_pctlrange0-2": 2.1,  # semitones
    "hammarbergIndexV_sma3nz_amean": 5.3,  # dB
    "slopeV0-500_sma3nz_amean": 0.025,
    "VoicedSegmentsPerSec": 0.91,
}
PRIOR_SPREAD = np.array([PRIOR_SPREADS[cue] for cue in CUES])  # in the order of CUES
PRIOR_TURNS = 2  # how many turns the prior spread weighs as
MIN_SECONDS = 0.3
MIN_BASELINE_TURNS = 2  # a speaker's measured turns needed before a turn's voice says anything against their usual one


@dataclass
class ProsodyReading:
    """Arousal from the voice, the cue z-scores behind it, and how many of the speaker's turns the baseline holds."""

    arousal: float
    cues: dict[str, float]
    baseline_turns: int

    @property
    def has_baseline(self) -> bool:
        """Whether the speaker has enough measured turns for the reading to tell their voice from their usual one."""
        return self.baseline_turns >= MIN_BASELINE_TURNS


@lru_cache(maxsize=1)
def _smile() -> opensmile.Smile:
    import opensmile

    return opensmile.Smile(feature_set=opensmile.FeatureSet.eGeMAPSv02,
                           feature_level=opensmile.FeatureLevel.Functionals)


def features(samples: np.ndarray) -> dict[str, float] | None:
    """The cue features of one stretch of 16 kHz speech (None when too short to measure, or without a voiced frame:
    openSMILE then gives 0 for the pitch and spectral cues, which would pull the speaker's baseline down)."""
    if len(samples) < MIN_SECONDS * SAMPLE_RATE:
        return None
    frame = _smile().process_signal(samples, SAMPLE_RATE)
    measured = {name: float(frame[name].iloc[0]) for name in CUES}
    return measured if measured["VoicedSegmentsPerSec"] > 0 else None


def arousal_readings(per_turn: list[dict[str, float] | None]) -> list[ProsodyReading | None]:
    """Arousal of each turn of one speaker, against that speaker's own baseline (mean and spread)."""
    measured = [f for f in per_turn if f is not None]
    if not measured:
        return [None] * len(per_turn)
    table = np.array([[f[c] for c in CUES] for f in measured])
    turns = len(table)
    mean = table.mean(axis=0)
    std = np.sqrt((turns * table.var(axis=0) + PRIOR_TURNS * PRIOR_SPREAD**2) / (turns + PRIOR_TURNS))
    weights = np.array(list(CUES.values()))
    out: list[ProsodyReading | None] = []
    for f in per_turn:
        if f is None:
            out.append(None)
            continue
        z = (np.array([f[c] for c in CUES]) - mean) / std
        index = float((z * weights).sum() / np.abs(weights).sum())
        out.append(ProsodyReading(round(float(1 / (1 + np.exp(-2.5 * index))), 4),
                                  {c: round(float(v), 3) for c, v in zip(CUES, z, strict=True)}, turns))
    return out
