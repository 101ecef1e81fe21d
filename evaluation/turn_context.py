"""Does reading a turn together with the turn before it beat reading it alone? Measured, not assumed.

- USS (user satisfaction per turn, evaluation only): a user turn rated 1-2 by its annotators (mean, rounded) is
  dissatisfied; the score is P(dissatisfied). Context: the user's previous turn (USS keeps only user turns).
- DailyDialog validation (CC BY-NC-SA: evaluation only): an utterance labelled anger, disgust, fear or sadness is
  negative; the score is the most probable of those Ekman groups. Context: the other speaker's previous utterance.

Three readings of every turn that has a previous one: alone; the previous turn and the turn read as one text;
and the mean of the two probabilities. Figures: ROC AUC of each.

    python -m emotrace.evaluation.turn_context [--model DIR] [--dialogues 600]
"""

from __future__ import annotations

import argparse
import csv
import random
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np

from emotrace.evaluation.common import print_figures
from emotrace.model.classifier import EmotionClassifier
from emotrace.model.metrics import binary_auc
from emotrace.model.reading import Reading
from emotrace.settings import get_settings

NEGATIVE_EKMAN = ("anger", "disgust", "fear", "sadness")
NEGATIVE_DAILYDIALOG = frozenset(NEGATIVE_EKMAN)
SEED = 0

Turns = list[tuple[str, str, bool]]  # (previous turn, turn, gold)


def _sampled_turns(path: Path, keep: Callable[[dict[str, str]], bool], gold: Callable[[dict[str, str]], bool],
                   dialogues: int) -> Turns:
    """Every turn after the first of a seeded sample of the file's dialogues (rows that ``keep`` admits), with the
    turn before it and its ``gold``."""
    by_dialogue: dict[str, list[dict[str, str]]] = defaultdict(list)
    with (get_settings().data_root / path).open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if keep(row) and row["text"].strip():
                by_dialogue[row["dialogue_id"]].append(row)
    chosen = random.Random(SEED).sample(sorted(by_dialogue), min(dialogues, len(by_dialogue)))
    return [(before["text"], turn["text"], gold(turn)) for d in chosen
            for before, turn in zip(by_dialogue[d], by_dialogue[d][1:], strict=False)]


def uss_turns(dialogues: int) -> Turns:
    """USS user turns (gold: rated 1-2) after a previous user turn."""
    return _sampled_turns(Path("uss_user_satisfaction") / "uss_user_turns.csv", lambda row: row["is_overall"] == "0",
                          lambda row: int(row["sat_round"]) <= 2, dialogues)


def dailydialog_turns(dialogues: int) -> Turns:
    """DailyDialog validation utterances (gold: a negative emotion) after the first of their dialogue."""
    return _sampled_turns(Path("dailydialog") / "dailydialog_utterances.csv", lambda row: row["split"] == "validation",
                          lambda row: row["emotion"] in NEGATIVE_DAILYDIALOG, dialogues)


def dissatisfied(reading: Reading) -> float:
    """P(dissatisfied) of a reading."""
    return (reading.satisfaction or {}).get("dissatisfied", 0.0)


def negative(reading: Reading) -> float:
    """The most probable negative Ekman group of a reading."""
    ekman = reading.views["ekman"].probabilities
    return max(ekman.get(group, 0.0) for group in NEGATIVE_EKMAN)


def compare(classifier: EmotionClassifier, turns: Turns, score: Callable[[Reading], float]) -> dict[str, object]:
    """AUC of the turn read alone, with its previous turn, and the mean of both."""
    gold = np.array([g for _, _, g in turns])
    alone = np.array([score(r) for r in classifier.predict([t for _, t, _ in turns])])
    joined = np.array([score(r) for r in classifier.predict([f"{b} {t}" for b, t, _ in turns])])
    return {"turns": len(turns), "positives": int(gold.sum()), "auc_alone": binary_auc(gold, alone),
            "auc_with_previous_turn": binary_auc(gold, joined),
            "auc_mean_of_both": binary_auc(gold, (alone + joined) / 2)}


def main() -> None:
    """Print both comparisons."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=None, help="model directory (default: the shipped model)")
    parser.add_argument("--dialogues", type=int, default=600, help="dialogues sampled from each set")
    args = parser.parse_args()
    classifier = EmotionClassifier.from_pretrained(args.model)
    print_figures("USS turn dissatisfaction", compare(classifier, uss_turns(args.dialogues), dissatisfied))
    print_figures("DailyDialog negative emotion", compare(classifier, dailydialog_turns(args.dialogues), negative))


if __name__ == "__main__":
    main()
