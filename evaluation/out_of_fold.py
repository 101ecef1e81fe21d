"""How optimistic are the dev figures? Thresholds tuned on one half of GoEmotions dev, scored on the other.

    python -m emotrace.evaluation.out_of_fold [--models DIR ...] [--halvings N]

The shipped figures tune the thresholds on all of dev and score on the same rows. Here every halving
tunes on one random half and scores the other (and the other way round); the figures are the means over
``--halvings`` seeded halvings, the same halvings for every model. With several ``--models`` (same labels
and groupings), it also scores their ensemble: each view's probabilities averaged over the models —
the figure any single network of the same kind would be hard pressed to beat.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from emotrace.evaluation.common import goemotions_dev, print_figures
from emotrace.model.classifier import EmotionClassifier
from emotrace.model.decision import group_matrix, group_targets
from emotrace.model.metrics import tuned_macro_f1
from emotrace.paths import DEFAULT_MODEL_DIR

SEED = 0


def out_of_fold_f1(probabilities: np.ndarray, targets: np.ndarray, halvings: int) -> tuple[float, float]:
    """(in-sample macro-F1, mean out-of-fold macro-F1 over ``halvings`` seeded halvings of the rows)."""
    rows = np.arange(len(targets))
    rng = np.random.default_rng(SEED)
    scores = []
    for _ in range(halvings):
        order = rng.permutation(rows)
        a, b = order[: len(order) // 2], order[len(order) // 2 :]
        scores.append((tuned_macro_f1(probabilities, targets, a, b) + tuned_macro_f1(probabilities, targets, b, a)) / 2)
    return tuned_macro_f1(probabilities, targets), float(np.mean(scores))


def view_outputs(classifier: EmotionClassifier, texts: list[str]) -> dict[str, np.ndarray]:
    """Each view's dev probabilities: ``labels`` and one entry per grouping."""
    raw = classifier.raw_outputs(texts)
    return {"labels": raw.probabilities, **raw.groups}


def main() -> None:
    """Print in-sample and out-of-fold macro-F1 of every view, per model and for their ensemble."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=Path, nargs="+", default=[DEFAULT_MODEL_DIR])
    parser.add_argument("--halvings", type=int, default=10)
    args = parser.parse_args()
    dev = goemotions_dev()
    classifiers = [EmotionClassifier.from_pretrained(m) for m in args.models]
    schema = classifiers[0].schema
    if any(c.schema.labels != schema.labels or c.schema.groupings != schema.groupings for c in classifiers):
        parser.error("the models must share their labels and groupings to be compared and ensembled")
    targets = {"labels": dev.targets, **{g: group_targets(dev.targets, group_matrix(schema, g))
                                         for g in schema.groupings}}
    named = [(str(m), view_outputs(c, dev.texts)) for m, c in zip(args.models, classifiers, strict=True)]
    if len(named) > 1:
        named.append(("ensemble (mean probabilities)",
                      {view: np.mean([output[view] for _, output in named], axis=0) for view in targets}))
    for name, output in named:
        figures: dict[str, object] = {}
        for view, gold in targets.items():
            in_sample, held_out = out_of_fold_f1(output[view], gold, args.halvings)
            figures[f"{view} macro_f1 in-sample"] = in_sample
            figures[f"{view} macro_f1 out-of-fold"] = held_out
        print_figures(f"GoEmotions dev, {args.halvings} halvings: {name}", figures)


if __name__ == "__main__":
    main()
