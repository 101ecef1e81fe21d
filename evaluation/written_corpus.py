"""The written customer-service corpus's test split, read by a model at its own decisions: satisfaction (and the
class right per phenomenon), intents (precision and recall per intent, the exact intent set, rows without an
intent that were given one), per channel. The test split was set aside before any training; nothing is tuned on it.

    python -m emotrace.evaluation.written_corpus [--model DIR] [--split test] [--errors N]
"""

from __future__ import annotations

import argparse
import json

from emotrace.model.classifier import EmotionClassifier
from emotrace.model.labels import INTENT_VIEW
from emotrace.training.written_corpus import CHANNELS, SPLITS, read_corpus, written_corpus_report


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
    for channel in CHANNELS:
        kept = [i for i, r in enumerate(rows) if r.channel == channel]
        part = written_corpus_report([rows[i] for i in kept], [readings[i] for i in kept])
        satisfaction = part.get("satisfaction")
        if isinstance(satisfaction, dict):
            print(f"  {channel:<7} n={part['n']:<4} dissatisfied-vs-rest macro-F1 "
                  f"{satisfaction['dissatisfied_vs_rest_macro_f1']:.3f}  intent set exact {part.get('intent_set_exact')}")
    if args.errors and classifier.schema.intents:
        wrong = [(r, x) for r, x in zip(rows, readings, strict=True)
                 if set(r.intents) != set(x.views[INTENT_VIEW].labels)]
        for row, reading in wrong[: args.errors]:
            print(f"  {row.id}: gold {list(row.intents)} read {reading.views[INTENT_VIEW].labels}: {row.text[:120]!r}")


if __name__ == "__main__":
    main()
