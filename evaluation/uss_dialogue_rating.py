"""How well emotrace readings of a dialogue's user turns predict the dialogue's satisfaction rating (USS).

Data: the English parts of USS (User Satisfaction Simulation, Sun et al., SIGIR 2021): 3,500 task-oriented dialogues
(MWOZ, SGD, ReDial, CCPE), each rated 1-5 overall by crowd annotators (``sat_round`` of its ``is_overall`` row). Every
user turn is read by the model; a few summary features per dialogue (mean/min/last satisfaction score, share of turns
read dissatisfied, valence, arousal, anger+disgust, the satisfaction arc, turn count) feed a small cross-validated
logistic regression, compared with two baselines: the majority rating, and the same classifier on mean turn
satisfaction alone. Figures are given for the 1-5 rating and for a 3-class target (low <= 2, mid 3, high >= 4), as
ratings 1 and 5 are nearly absent (3 and 6 dialogues).

License: the satisfaction annotations carry no stated licence (the dialogues are MIT / CC BY(-SA)); this data is for
evaluation only and never trains a shipped model.

    python -m emotrace.evaluation.uss_dialogue_rating [--model DIR] [--folds 5] [--limit N]
"""

from __future__ import annotations

import argparse
import csv
import math
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from tqdm import tqdm

from emotrace.evaluation.common import print_figures
from emotrace.model.classifier import EmotionClassifier
from emotrace.model.metrics import class_macro_f1
from emotrace.model.reading import Reading
from emotrace.settings import get_settings

DATA_FILE = Path("uss_user_satisfaction") / "uss_user_turns.csv"
FEATURES = ("mean_satisfaction", "min_satisfaction", "last_satisfaction", "dissatisfied_share", "mean_valence",
            "min_valence", "mean_arousal", "mean_anger_disgust", "satisfaction_arc", "turns")
BASELINE_FEATURE = FEATURES.index("mean_satisfaction")
PREDICT_BATCH = 256
SEED = 0


@dataclass
class Dialogue:
    """One rated dialogue: its user turns in order and its overall rating (1-5)."""

    source: str
    dialogue_id: str
    turns: list[tuple[int, str]] = field(default_factory=list)
    rating: int | None = None

    @property
    def texts(self) -> list[str]:
        """The user turns' texts in turn order."""
        return [text for _, text in sorted(self.turns)]


def read_dialogues(path: Path) -> tuple[list[Dialogue], int]:
    """The dialogues of the USS csv, in file order, keyed by (source, dialogue_id); also how many empty user turns were
    left out (the model refuses empty text). ``is_overall`` is encoded "1"/"0"."""
    dialogues: dict[tuple[str, str], Dialogue] = {}
    empty = 0
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            key = (row["source"], row["dialogue_id"])
            dialogue = dialogues.setdefault(key, Dialogue(*key))
            if row["is_overall"] not in ("0", "1"):
                raise ValueError(f"Unexpected is_overall {row['is_overall']!r} in {key}.")
            if row["is_overall"] == "1":
                if dialogue.rating is not None:
                    raise ValueError(f"Two OVERALL rows for {key}.")
                dialogue.rating = int(row["sat_round"])
            elif row["text"].strip():
                dialogue.turns.append((int(row["turn"]), row["text"]))
            else:
                empty += 1
    return list(dialogues.values()), empty


def _known(value: float | None, name: str) -> float:
    if value is None:
        raise ValueError(f"The model has no {name} head; this benchmark needs it.")
    return value


def dialogue_features(readings: Sequence[Reading]) -> dict[str, float]:
    """Summary features of one dialogue's user turns (in order), named as in :data:`FEATURES`.

    Satisfaction score is P(satisfied) - P(dissatisfied) per turn; a turn is "read dissatisfied" when that is its most
    probable satisfaction class; ``satisfaction_arc`` is last minus first turn's score (> 0: the dialogue got better);
    ``mean_anger_disgust`` is the mean of the Ekman anger + disgust probabilities.
    """
    if not readings:
        raise ValueError("A dialogue needs at least one reading.")
    scores = [_known(r.satisfaction_score, "satisfaction") for r in readings]
    valences = [_known(r.valence, "valence") for r in readings]
    arousals = [_known(r.arousal, "arousal") for r in readings]
    ekman = [r.views["ekman"].probabilities for r in readings]
    return {
        "mean_satisfaction": float(np.mean(scores)),
        "min_satisfaction": min(scores),
        "last_satisfaction": scores[-1],
        "dissatisfied_share": sum(r.satisfaction_class == "dissatisfied" for r in readings) / len(readings),
        "mean_valence": float(np.mean(valences)),
        "min_valence": min(valences),
        "mean_arousal": float(np.mean(arousals)),
        "mean_anger_disgust": float(np.mean([p["anger"] + p["disgust"] for p in ekman])),
        "satisfaction_arc": scores[-1] - scores[0],
        "turns": float(len(readings)),
    }


def collapse(ratings: np.ndarray) -> np.ndarray:
    """The 3-class target: 1 = low (rating <= 2), 2 = mid (3), 3 = high (>= 4); ordered, so Spearman still applies."""
    return np.where(ratings <= 2, 1, np.where(ratings == 3, 2, 3))


def stratification_groups(gold: np.ndarray, folds: int) -> np.ndarray:
    """Labels for stratifying only: a class with fewer members than folds joins its nearest (by value) big class."""
    counts = Counter(gold.tolist())
    big = sorted(label for label, n in counts.items() if n >= folds)
    if not big:
        return np.zeros_like(gold)
    return np.array([g if counts[g] >= folds else min(big, key=lambda b: (abs(b - g), b)) for g in gold.tolist()])


def logistic_model() -> Pipeline:
    """The classifier used for both the feature model and the mean-satisfaction baseline."""
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, class_weight="balanced"))


def _cross_validated(features: np.ndarray, gold: np.ndarray, folds: int, seed: int,
                     make: Callable[[], Pipeline] | None) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold predicted labels and expected ratings (sum of class probability * rating); ``make=None`` is the
    majority baseline (the most frequent training-fold rating)."""
    predicted = np.zeros_like(gold)
    expected = np.zeros(len(gold), dtype=float)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(features, stratification_groups(gold, folds)):
        if make is None:
            labels, counts = np.unique(gold[train], return_counts=True)
            predicted[test] = labels[np.argmax(counts)]
            expected[test] = labels[np.argmax(counts)]
            continue
        model = make().fit(features[train], gold[train])
        probabilities = model.predict_proba(features[test])
        classes = model.classes_
        predicted[test] = classes[np.argmax(probabilities, axis=1)]
        expected[test] = probabilities @ classes.astype(float)
    return predicted, expected


def _scores(gold: np.ndarray, predicted: np.ndarray, expected: np.ndarray | None) -> tuple[float, float, float | None]:
    accuracy = float(accuracy_score(gold, predicted))
    macro_f1 = class_macro_f1(gold, predicted, sorted(set(gold.tolist())))
    rho = None if expected is None else float(spearmanr(gold, expected).statistic)
    return accuracy, macro_f1, None if rho is None or math.isnan(rho) else rho


def evaluate(features: np.ndarray, gold: np.ndarray, folds: int = 5, seed: int = SEED,
             baseline_column: int = BASELINE_FEATURE) -> dict[str, object]:
    """Cross-validated accuracy, macro-F1 (over the labels in gold) and Spearman (gold vs expected rating) of the
    feature model, the majority baseline (Spearman None: a constant) and the classifier on ``baseline_column`` alone;
    plus the count per gold class. Keys are "<system> <metric>" and "n class <label>"."""
    figures: dict[str, object] = {"dialogues": len(gold)}
    figures.update({f"n class {label}": int(n) for label, n in zip(*np.unique(gold, return_counts=True), strict=True)})
    systems: dict[str, tuple[np.ndarray, Callable[[], Pipeline] | None]] = {
        "model": (features, logistic_model),
        "majority": (features, None),
        "mean turn satisfaction": (features[:, [baseline_column]], logistic_model),
    }
    for name, (x, make) in systems.items():
        predicted, expected = _cross_validated(x, gold, folds, seed, make)
        accuracy, macro_f1, rho = _scores(gold, predicted, None if make is None else expected)
        figures.update({f"{name} accuracy": accuracy, f"{name} macro-F1": macro_f1, f"{name} spearman": rho})
    return figures


def read_all(classifier: EmotionClassifier, dialogues: Sequence[Dialogue]) -> list[list[Reading]]:
    """Every dialogue's user-turn readings, predicted in batches of :data:`PREDICT_BATCH` with a progress bar."""
    texts = [text for dialogue in dialogues for text in dialogue.texts]
    readings: list[Reading] = []
    for start in tqdm(range(0, len(texts), PREDICT_BATCH), desc="reading user turns", unit="batch"):
        readings.extend(classifier.predict(texts[start:start + PREDICT_BATCH]))
    out, position = [], 0
    for dialogue in dialogues:
        out.append(readings[position:position + len(dialogue.texts)])
        position += len(dialogue.texts)
    return out


def figures_blocks(features: np.ndarray, ratings: np.ndarray, folds: int) -> Mapping[str, dict[str, object]]:
    """The figures for the 1-5 rating and for the collapsed 3-class target, by block title."""
    return {
        f"USS dialogue rating 1-5 ({folds}-fold CV)": evaluate(features, ratings, folds),
        f"USS dialogue rating low/mid/high = 1/2/3 ({folds}-fold CV)": evaluate(features, collapse(ratings), folds),
    }


def main() -> None:
    """Read every user turn, build the dialogue features, print the cross-validated figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="model directory (default: the shipped model)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--limit", type=int, default=None, help="keep only the first N dialogues")
    args = parser.parse_args()
    started = time.perf_counter()
    dialogues, empty = read_dialogues(get_settings().data_root / DATA_FILE)
    dialogues = [d for d in dialogues if d.rating is not None and d.texts][:args.limit]
    classifier = EmotionClassifier.from_pretrained(args.model)
    readings = read_all(classifier, dialogues)
    features = np.array([[dialogue_features(r)[name] for name in FEATURES] for r in readings])
    ratings = np.array([d.rating for d in dialogues], dtype=int)
    print(f"{len(dialogues)} dialogues, {sum(len(r) for r in readings)} user turns read, {empty} empty turns (file) skipped")
    for title, figures in figures_blocks(features, ratings, args.folds).items():
        print_figures(title, figures)
    print(f"runtime {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
