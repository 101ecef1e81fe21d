"""Are the explanations faithful? ERASER comprehensiveness of occlusion on GoEmotions dev, and their cost.

    python -m emotrace.evaluation.explanations [--texts 300] [--seed 0] [--model DIR]

For each sampled dev text (3 to 64 words) and each label the model fires, the label's probability is read
again with the top-k explained words left out and with k random words left out (three draws): comprehensiveness is
the fall in probability. Faithful explanations make the first fall larger than the second. Also: the same for the
satisfaction class, and milliseconds per explained text (every word read once more, in one batch).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from emotrace.evaluation.common import goemotions_dev, print_figures
from emotrace.model.classifier import EmotionClassifier
from emotrace.model.explain import MAX_WORDS, explanation, occlusions, without, word_spans

DRAWS = 3


def main() -> None:
    """Print comprehensiveness at k = 1 and 3 for explained vs random words, and the cost per text."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model", default=None)
    args = parser.parse_args()
    classifier = EmotionClassifier.from_pretrained(args.model)
    rng = random.Random(args.seed)
    texts = [t for t in goemotions_dev().texts if 3 <= len(word_spans(t)) <= MAX_WORDS]
    sample = rng.sample(texts, min(args.texts, len(texts)))
    falls: dict[str, list[float]] = {f"{who} k={k}": [] for who in ("labels: explained", "labels: random",
                                                                    "satisfaction: explained", "satisfaction: random")
                                     for k in (1, 3)}
    seconds = []
    for text in sample:
        started = time.perf_counter()
        spans, variants = occlusions(text)
        readings = classifier.predict(variants)
        found = explanation(text, spans, readings, top=len(spans))  # every word ranked: the top k by weight
        seconds.append(time.perf_counter() - started)
        full = readings[0]
        targets = [("labels", found.labels[label], lambda r, label=label: r.probabilities[label])
                   for label in full.labels]
        if found.satisfaction_class is not None:
            best = found.satisfaction_class
            targets.append(("satisfaction", found.satisfaction, lambda r, best=best: (r.satisfaction or {})[best]))
        for kind, words, probability in targets:
            for k in (1, 3):
                if len(spans) <= k:
                    continue
                explained = [(w.start, w.end) for w in sorted(words, key=lambda w: -w.weight)[:k]]
                randoms = [rng.sample(spans, k) for _ in range(DRAWS)]
                left = classifier.predict([without(text, explained) or "."] + [without(text, r) or "." for r in randoms])
                falls[f"{kind}: explained k={k}"].append(probability(full) - probability(left[0]))
                falls[f"{kind}: random k={k}"].append(statistics.fmean(probability(full) - probability(r)
                                                                       for r in left[1:]))
    figures: dict[str, object] = {"texts": len(sample)}
    figures.update({f"comprehensiveness, {name}": round(statistics.fmean(v), 4) for name, v in falls.items() if v})
    figures["ms per explained text (median)"] = round(1000 * statistics.median(seconds), 1)
    figures["ms per explained text (p95)"] = round(1000 * sorted(seconds)[int(0.95 * (len(seconds) - 1))], 1)
    print_figures("explanations: occlusion on GoEmotions dev", figures)


if __name__ == "__main__":
    main()
