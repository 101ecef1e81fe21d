"""Speech made with espeak-ng from known sentences: mono clips and two-speaker stereo calls.

Used by the tests and the voice benchmarks (WER, real-time factor); needs Debian's ``espeak-ng``.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from emotrace.audio.io import SAMPLE_RATE, load_audio

SENTENCES = [
    "Thank you for calling customer support, how can I help you today?",
    "I ordered a new phone two weeks ago and it still has not arrived.",
    "I am sorry to hear that, let me check your order right away.",
    "This is the third time I have called and nobody ever calls me back.",
    "I have sent a replacement by express delivery and it will arrive tomorrow.",
    "Thank you, that is a relief, I really appreciate your help.",
]


def espeak(text: str, path: Path, voice: str = "en-us", speed: int = 140, pitch: int = 50, amplitude: int = 100) -> Path:
    """Synthesize ``text`` into a WAV file with espeak-ng."""
    binary = shutil.which("espeak-ng")
    if binary is None:
        raise RuntimeError("espeak-ng is not installed (apt-get install espeak-ng)")
    subprocess.run([binary, "-v", voice, "-s", str(speed), "-p", str(pitch), "-a", str(amplitude), "-w", str(path), text],
                   check=True, capture_output=True)
    return path


def alternating_turns(count: int) -> list[tuple[int, str]]:
    """``count`` turns for :func:`stereo_call`, agent (channel 0) and customer taking turns through SENTENCES
    over and over (a repetitive call: the same sentences recur)."""
    return [(i % 2, SENTENCES[i % len(SENTENCES)]) for i in range(count)]


def stereo_call(turns: list[tuple[int, str]], path: Path, gap: float = 0.6) -> Path:
    """A stereo WAV: turn (channel, text) spoken on its channel, one after another (agent voice on 0)."""
    pieces: list[tuple[int, np.ndarray]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, (channel, text) in enumerate(turns):
            voice, pitch = ("en-us", 35) if channel == 0 else ("en-gb", 65)
            wav = espeak(text, Path(tmp) / f"t{i}.wav", voice=voice, pitch=pitch)
            pieces.append((channel, load_audio(wav, 600).mono))
    silence = np.zeros(int(gap * SAMPLE_RATE), dtype=np.float32)
    length = sum(len(p) + len(silence) for _, p in pieces)
    out = np.zeros((length, 2), dtype=np.float32)
    cursor = 0
    for channel, samples in pieces:
        out[cursor : cursor + len(samples), channel] = samples
        cursor += len(samples) + len(silence)
    sf.write(path, out, SAMPLE_RATE)
    return path
