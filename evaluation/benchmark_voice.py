"""Voice figures: speech-to-text + prosody real-time factor on a stereo call of at least --call-seconds
(75 s at the default 60: whole turns), word error rate on
espeak-ng speech of known sentences, and high- vs low-arousal balanced accuracy on EmoDB dev.

    python -m emotrace.evaluation.benchmark_voice [--call-seconds 60]

EmoDB dev (speakers 03 and 08) is research-only data read from ../shared/data; nothing of it is shipped.
High arousal: anger, happiness, fear; low: sadness, boredom, neutral. Disgust sits between the two in
the circumplex (and has 1 clip in dev), so it is left out of the score and its readings are reported.
"""

from __future__ import annotations

import argparse
import csv
import math
import tempfile
import time
from pathlib import Path

import jiwer
import numpy as np
from sklearn.metrics import balanced_accuracy_score

from emotrace.audio.asr import load_whisper, transcribe
from emotrace.audio.io import load_audio
from emotrace.audio.prosody import arousal_readings, features
from emotrace.channels.call import read_call
from emotrace.evaluation.common import print_figures
from emotrace.evaluation.synthetic_speech import SENTENCES, alternating_turns, espeak, stereo_call
from emotrace.settings import get_settings

HIGH, LOW = {"anger", "happiness", "fear"}, {"sadness", "boredom", "neutral"}
TURN_SECONDS = 4.5  # a rough length of one spoken sentence, to size the call


def _normalize(text: str) -> str:
    return jiwer.RemovePunctuation()(text.lower()).strip()


def emodb_arousal(root: Path) -> dict[str, object]:
    """Balanced accuracy of voice arousal > 0.5 as high arousal, per-speaker baselines."""
    rows = list(csv.DictReader((root / "labels.csv").open(encoding="utf-8")))
    by_speaker: dict[str, list[tuple[str, dict[str, float] | None]]] = {}
    for row in rows:
        by_speaker.setdefault(row["speaker"], []).append((row["emotion"], features(load_audio(root / row["file"], 60).mono)))
    gold, predicted, disgust = [], [], []
    for clips in by_speaker.values():
        for (emotion, _), reading in zip(clips, arousal_readings([f for _, f in clips]), strict=True):
            if reading is None:
                continue
            if emotion == "disgust":
                disgust.append(reading.arousal)
            else:
                gold.append(emotion in HIGH)
                predicted.append(reading.arousal > 0.5)
    return {"clips scored": len(gold), "balanced accuracy": round(float(balanced_accuracy_score(gold, predicted)), 4),
            "disgust clips (left out)": len(disgust),
            "disgust mean voice arousal": round(float(np.mean(disgust)), 3) if disgust else None}


def main() -> None:
    """Print RTF, WER and EmoDB arousal figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--call-seconds", type=float, default=60.0)
    args = parser.parse_args()
    load_whisper(None, 2)  # load once; the RTF below is per call, as in a running service
    with tempfile.TemporaryDirectory() as tmp:
        turns = alternating_turns(math.ceil(args.call_seconds / TURN_SECONDS))
        call = stereo_call(turns, Path(tmp) / "call.wav")
        duration = load_audio(call, 3600).duration
        start = time.perf_counter()
        conversation = read_call(call)
        elapsed = time.perf_counter() - start
        print_figures(f"call audio: {duration:.0f} s stereo espeak-ng call, ASR + prosody", {
            "seconds": round(elapsed, 2), "real-time factor": round(elapsed / duration, 3),
            "turns": len(conversation.utterances)})
        references, hypotheses = [], []
        for j, sentence in enumerate(SENTENCES):
            wav = espeak(sentence, Path(tmp) / f"s{j}.wav")
            segments = transcribe(load_audio(wav, 60).mono)
            references.append(_normalize(sentence))
            hypotheses.append(_normalize(" ".join(s.text for s in segments)))
        print_figures("word error rate, espeak-ng en-us speech of known sentences (Whisper tiny.en)", {
            "sentences": len(SENTENCES), "words": sum(len(r.split()) for r in references),
            "WER": round(float(jiwer.wer(references, hypotheses)), 4)})
    print_figures("EmoDB dev (speakers 03, 08): high vs low arousal from the voice",
                  emodb_arousal(get_settings().data_root / "emodb_dev"))


if __name__ == "__main__":
    main()
