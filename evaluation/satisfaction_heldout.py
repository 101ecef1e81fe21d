"""Satisfaction figures of the shipped model on held-out splits (never used for training or tuning).

- reviews: Women's clothing reviews of the test products (split by Clothing ID);
- cfpb: test complaints (all dissatisfied: recall);
- banking77: the official test split, problem report vs inquiry;
- amazon_fine_food: both 1k samples, de-duplicated, 1-2 stars vs 4-5 (a source never trained on).

    python -m emotrace.evaluation.satisfaction_heldout [--model DIR]
"""

from __future__ import annotations

import argparse
import csv

import numpy as np

from emotrace.evaluation.common import print_figures
from emotrace.model.classifier import EmotionClassifier
from emotrace.model.metrics import satisfaction_report
from emotrace.settings import get_settings
from emotrace.training.satisfaction_data import SatisfactionData, load_satisfaction, rating_to_class


def amazon_fine_food() -> SatisfactionData:
    """Both Amazon fine-food samples, de-duplicated on text; 3-star rows left out."""
    root = get_settings().data_root / "amazon_fine_food_1k"
    seen: set[str] = set()
    out = SatisfactionData()
    for name in ("fine_food_reviews_1k.csv", "Reviews_small_random1k.csv"):
        with (root / name).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                text = f"{row['Summary']}. {row['Text']}".replace("<br />", " ")
                cls = rating_to_class(int(row["Score"]))
                if row["Text"] not in seen and cls is not None:
                    seen.add(row["Text"])
                    out.add(text, cls, "amazon_fine_food")
    return out


def main() -> None:
    """Print one block of figures per held-out source."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=None)
    args = parser.parse_args()
    classifier = EmotionClassifier.from_pretrained(args.model)
    test = load_satisfaction(get_settings().data_root, "test")
    test.extend(amazon_fine_food())
    probabilities = classifier.raw_outputs(test.texts).satisfaction
    if probabilities is None:
        raise SystemExit("This model has no satisfaction head.")
    gold, sources = np.asarray(test.classes), np.asarray(test.sources)
    for source in ("reviews", "cfpb", "banking77", "amazon_fine_food"):
        rows = sources == source
        print_figures(f"satisfaction held-out: {source}", satisfaction_report(probabilities[rows], gold[rows]))


if __name__ == "__main__":
    main()
