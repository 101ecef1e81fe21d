"""Customer-domain figures: tweets, brand-directed tweets, support-dialogue turns, calibration per source.

- SemEval-2017 Task 4A test (the TweetEval sentiment test, 12,284 tweets): 3-class macro-recall of the
  satisfaction reading (dissatisfied = negative, neutral, satisfied = positive); published: BERTweet 0.734,
  RoBERTa-base 0.726, SVM 0.629.
- Sanders brand tweets (evaluation only): negative vs rest macro-F1 at the model's own decision (the most
  probable satisfaction class), "irrelevant" tweets left out.
- USS user turns (evaluation only): a turn rated <= 2 (of 5) vs the rest, AUC of P(dissatisfied) and macro-F1
  at the decision.
- Satisfaction test splits of the training sources: calibration error (ECE) per source.
- GoEmotions dev macro-F1 with per-label thresholds tuned on dev (in-sample, as in the model's ``emotrace.json``).

``python -m emotrace.evaluation.customer_domain [--model DIR ...] [--teacher-outputs FILE] [--json]``. The teacher
outputs are the all-mpnet-base-v2 teacher's readings of these same sets, saved where it was trained.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from sklearn.metrics import recall_score

from emotrace.model.classifier import EmotionClassifier
from emotrace.model.labels import GOEMOTIONS_LABELS
from emotrace.model.metrics import binary_auc, class_macro_f1, satisfaction_report, tuned_macro_f1
from emotrace.settings import get_settings
from emotrace.training.data import read_goemotions_tsv
from emotrace.training.satisfaction_data import DISSATISFIED, load_satisfaction

SANDERS_CLASSES = {"negative": DISSATISFIED, "neutral": 1, "positive": 2}
IRRELEVANT = -1  # Sanders tweets not about the brand: read, but not scored
USS_LOW = 2  # a turn rated at most this (of 5) counts as dissatisfied


@dataclass
class EvaluationSet:
    """Texts and gold of one set; ``sources`` per row (satisfaction test); ``rows``: the file rows kept (saved
    readings cover every row of the file)."""

    texts: list[str]
    gold: np.ndarray
    sources: np.ndarray | None = None
    rows: np.ndarray | None = None


def evaluation_sets(data_root: Path) -> dict[str, EvaluationSet]:
    """The sets of the module doc."""
    test = load_satisfaction(data_root, "test")
    with (data_root / "sanders_twitter" / "sanders.csv").open(encoding="utf-8", newline="") as handle:
        sanders = [(r["text"], SANDERS_CLASSES.get(r["label"], IRRELEVANT)) for r in csv.DictReader(handle)]
    with (data_root / "uss_user_satisfaction" / "uss_user_turns.csv").open(encoding="utf-8", newline="") as handle:
        uss = [(i, r["text"], int(r["sat_round"])) for i, r in enumerate(csv.DictReader(handle))
               if r["text"].strip() and r["is_overall"] == "0"]  # not the dialogue's "OVERALL" rating row
    dev = read_goemotions_tsv(data_root / "goemotions" / "original" / "dev.tsv", GOEMOTIONS_LABELS)
    return {
        "satisfaction_test": EvaluationSet(test.texts, np.asarray(test.classes), np.asarray(test.sources)),
        "sanders": EvaluationSet([t for t, _ in sanders], np.asarray([c for _, c in sanders])),
        "uss": EvaluationSet([t for _, t, _ in uss], np.asarray([c for _, _, c in uss]), rows=np.asarray([i for i, _, _ in uss])),
        "goemotions_dev": EvaluationSet(dev.texts, dev.targets),
    }


def figures(outputs: dict[str, np.ndarray], sets: dict[str, EvaluationSet]) -> dict[str, float | None]:
    """The figures from satisfaction probabilities per set (``goemotions_dev``: label probabilities)."""
    gold, sources = sets["satisfaction_test"].gold, sets["satisfaction_test"].sources
    assert sources is not None
    probabilities = outputs["satisfaction_test"]
    tweets = sources == "tweets"
    out: dict[str, float | None] = {
        "semeval2017_test_macro_recall": float(recall_score(gold[tweets], probabilities[tweets].argmax(1), average="macro"))}
    for source in sorted(set(sources.tolist())):
        rows = sources == source
        out[f"ece_{source}"] = satisfaction_report(probabilities[rows], gold[rows])["calibration_error"]
    gold = sets["sanders"].gold
    scored = gold != IRRELEVANT
    out["sanders_negative_vs_rest_macro_f1"] = class_macro_f1(gold[scored] == DISSATISFIED,
                                                              outputs["sanders"][scored].argmax(1) == DISSATISFIED)
    low = sets["uss"].gold <= USS_LOW
    out["uss_turn_dissatisfied_auc"] = binary_auc(low, outputs["uss"][:, DISSATISFIED])
    out["uss_turn_dissatisfied_macro_f1"] = class_macro_f1(low, outputs["uss"].argmax(1) == DISSATISFIED)
    out["goemotions_dev_tuned_macro_f1"] = tuned_macro_f1(outputs["goemotions_dev"], sets["goemotions_dev"].gold)
    return out


def model_outputs(classifier: EmotionClassifier, sets: dict[str, EvaluationSet]) -> dict[str, np.ndarray]:
    """The classifier's satisfaction probabilities per set (label probabilities for GoEmotions dev)."""
    out = {}
    for name, data in sets.items():
        raw = classifier.raw_outputs(data.texts)
        if raw.satisfaction is None:
            raise SystemExit(f"{classifier.directory} has no satisfaction head.")
        out[name] = raw.probabilities if name == "goemotions_dev" else raw.satisfaction
    return out


def teacher_outputs(path: Path, sets: dict[str, EvaluationSet], labels: int = len(GOEMOTIONS_LABELS)
                    ) -> dict[str, np.ndarray]:
    """Saved teacher readings of every file row (label probabilities, satisfaction probabilities, valence,
    arousal), cut to the rows and columns each set scores."""
    saved = np.load(path)
    out = {}
    for name, data in sets.items():
        rows = saved[name].astype(np.float32)
        rows = rows if data.rows is None else rows[data.rows]
        out[name] = rows[:, :labels] if name == "goemotions_dev" else rows[:, labels : labels + 3]
    return out


def main(model: Annotated[list[str] | None, typer.Option(help="model directories (default: the shipped model)")] = None,
         teacher_outputs_file: Annotated[Path | None, typer.Option(
             "--teacher-outputs", help="saved teacher readings (.npz)")] = None,
         as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Print the customer-domain figures of each model (and of the teacher's saved readings)."""
    sets = evaluation_sets(get_settings().data_root)
    directories: list[str | None] = list(model) if model else [None]
    results = {name or "shipped": figures(model_outputs(EmotionClassifier.from_pretrained(name), sets), sets)
               for name in directories}
    if teacher_outputs_file is not None:
        results["teacher (saved readings)"] = figures(teacher_outputs(teacher_outputs_file, sets), sets)
    if as_json:
        typer.echo(json.dumps(results, indent=2))
        return
    names = list(results)
    typer.echo(f"{'figure':<40}" + "".join(f"{n[-24:]:>26}" for n in names))
    for key in results[names[0]]:
        typer.echo(f"{key:<40}" + "".join(f"{results[n][key]:26.4f}" for n in names))


if __name__ == "__main__":
    typer.run(main)
