"""The written customer-service corpus's test split, read by a model at its own decisions: satisfaction (and the
class right per phenomenon), intents (precision and recall per intent, the exact intent set, rows without an
intent that were given one), per channel. The test split was set aside before any training; nothing is tuned on it.

    python -m emotrace.evaluation.written_corpus [--model DIR] [--split test] [--errors N]
"""

from __future__ import annotations

import argparse
import json
import re
from typing import Any

from emotrace.model.classifier import EmotionClassifier
from emotrace.model.labels import INTENT_VIEW
from emotrace.training.written_corpus import CHANNELS, SPLITS, read_corpus, written_corpus_report

WAVE_ID = re.compile(r"wave(\d+)")  # ids of a later wave's slices (slices/wave2_intents_*.jsonl: "wave2a-0001")


def wave(row_id: str) -> str:
    """Which wave of writing a row came from: the first slices are wave 1, later waves say so in their ids."""
    found = WAVE_ID.match(row_id)
    return f"wave {found.group(1) if found else 1}"


def wave_order(label: str) -> int:
    """Sort key of a :func:`wave` label: its number (wave 2 before wave 10)."""
    return int(label.split()[1])


def _precision_recall(intents: dict[str, Any]) -> str:
    """Precision/recall per intent of a multi-label report, compactly."""
    return ", ".join(f"{name.split('_')[0]} {v['precision']:.2f}/{v['recall']:.2f}"
                     for name, v in intents["per_label"].items())


def main() -> None:
    """Print the report of the chosen split, overall and per channel; optionally the first intent mistakes."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=None, help="model directory (default: the shipped model)")
    parser.add_argument("--split", default="test", choices=SPLITS)
    parser.add_argument("--errors", type=int, default=0, help="print this many rows whose intents were read wrong")
    args = parser.parse_args()
    classifier = EmotionClassifier.from_pretrained(args.model)
    rows = read_corpus(split=args.split)
    readings = classifier.predict([r.text for r in rows])
    report = written_corpus_report(rows, readings)
    print(json.dumps({"benchmark": f"written corpus ({args.split})", **report}, indent=2, default=str))
    groups = [(channel, [i for i, r in enumerate(rows) if r.channel == channel]) for channel in CHANNELS]
    waves = sorted({wave(r.id) for r in rows}, key=wave_order)  # the first slices; the later waves, written about intents
    groups += [(name, [i for i, r in enumerate(rows) if wave(r.id) == name]) for name in waves]
    for name, kept in groups:
        part = written_corpus_report([rows[i] for i in kept], [readings[i] for i in kept])
        satisfaction, intents = part.get("satisfaction"), part.get("intents")
        if isinstance(satisfaction, dict):
            print(f"  {name:<7} n={part['n']:<4} dissatisfied-vs-rest macro-F1 "
                  f"{satisfaction['dissatisfied_vs_rest_macro_f1']:.3f}  intent set exact {part.get('intent_set_exact')}"
                  + (f"  intents P/R {_precision_recall(intents)}" if isinstance(intents, dict) else ""))
    if args.errors and classifier.schema.intents:
        wrong = [(r, x) for r, x in zip(rows, readings, strict=True)
                 if set(r.intents) != set(x.views[INTENT_VIEW].labels)]
        for row, reading in wrong[: args.errors]:
            print(f"  {row.id}: gold {list(row.intents)} read {reading.views[INTENT_VIEW].labels}: {row.text[:120]!r}")


if __name__ == "__main__":
    main()
