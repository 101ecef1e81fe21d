"""Voice figures: speech-to-text + prosody real-time factor on a stereo call of at least --call-seconds
(75 s at the default 60: whole turns), word error rate on
espeak-ng speech of known sentences, and high- vs low-arousal balanced accuracy on EmoDB dev.

    python -m emotrace.evaluation.benchmark_voice [--call-seconds 60] [--emodb-only]

EmoDB dev (speakers 03 and 08) is research-only data read from ../shared/data; nothing of it is shipped.
High arousal: anger, happiness, fear; low: sadness, boredom, neutral. Disgust sits between the two in
the circumplex (and has 1 clip in dev), so it is left out of the score and its readings are reported.
Short calls: random sets of 2-4 clips of one speaker (a speaker's few turns in a call), the same balanced accuracy,
and how often a clip read clearly (arousal beyond 0.5 +- 0.1) falls on the other side of 0.5 through a telephone
band (8 kHz and back).
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import tempfile
import time
from pathlib import Path

import jiwer
import numpy as np
from scipy.signal import resample_poly
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


Clip = tuple[str, dict[str, float] | None, dict[str, float] | None]  # emotion, features at 16 kHz and at 8 kHz


def _emodb_clips(root: Path) -> dict[str, list[Clip]]:
    """Each speaker's clips (disgust included) with their cue features, as recorded and through a telephone band."""
    by_speaker: dict[str, list[Clip]] = {}
    for row in csv.DictReader((root / "labels.csv").open(encoding="utf-8")):
        mono = load_audio(root / row["file"], 60).mono
        telephone = resample_poly(resample_poly(mono, 1, 2), 2, 1).astype(np.float32)
        by_speaker.setdefault(row["speaker"], []).append((row["emotion"], features(mono), features(telephone)))
    return by_speaker


def emodb_arousal(by_speaker: dict[str, list[Clip]]) -> dict[str, object]:
    """Balanced accuracy of voice arousal > 0.5 as high arousal, per-speaker baselines."""
    gold, predicted, disgust = [], [], []
    for clips in by_speaker.values():
        for (emotion, _, _), reading in zip(clips, arousal_readings([f for _, f, _ in clips]), strict=True):
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


def short_calls(by_speaker: dict[str, list[Clip]], turns: int, calls: int = 3000, seed: int = 0) -> dict[str, object]:
    """Voice arousal in calls of ``turns`` clips of one speaker: balanced accuracy, and the share of clearly read
    clips that read the other way through a telephone band."""
    rng = random.Random(seed)
    pools = {s: [c for c in clips if c[0] != "disgust" and c[1] and c[2]] for s, clips in by_speaker.items()}
    gold, predicted, clear, flipped = [], [], 0, 0
    for _ in range(calls):
        clips = rng.sample(pools[rng.choice(sorted(pools))], turns)
        wide = arousal_readings([c[1] for c in clips])
        narrow = arousal_readings([c[2] for c in clips])
        for (emotion, _, _), a, b in zip(clips, wide, narrow, strict=True):
            assert a is not None and b is not None
            gold.append(emotion in HIGH)
            predicted.append(a.arousal > 0.5)
            if max(abs(a.arousal - 0.5), abs(b.arousal - 0.5)) > 0.1:
                clear += 1
                flipped += (a.arousal > 0.5) != (b.arousal > 0.5)
    return {"calls": calls, "balanced accuracy": round(float(balanced_accuracy_score(gold, predicted)), 3),
            "clear readings flipped at 8 kHz": round(flipped / max(clear, 1), 3)}


def main() -> None:
    """Print RTF, WER and EmoDB arousal figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--call-seconds", type=float, default=60.0)
    parser.add_argument("--emodb-only", action="store_true", help="Only the EmoDB figures (no ASR).")
    args = parser.parse_args()
    by_speaker = _emodb_clips(get_settings().data_root / "emodb_dev")
    print_figures("EmoDB dev (speakers 03, 08): high vs low arousal from the voice", emodb_arousal(by_speaker))
    for count in (2, 3, 4):
        print_figures(f"EmoDB dev, calls of {count} turns of one speaker", short_calls(by_speaker, count))
    if args.emodb_only:
        return
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


if __name__ == "__main__":
    main()
