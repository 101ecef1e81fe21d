"""How much ``emotrace adapt`` (heads only) gains with 100 / 300 / 1,000 labelled rows of a domain, held out.

For each domain, the pool's texts are read once by the shipped model (pooled vectors and served outputs); then, per
size and seed, a random sample of the pool is what a user would label: the satisfaction head is adapted on it exactly
as ``emotrace adapt`` does (the same cross-validation, the same fit on every sampled row), and the shipped and the
adapted heads are scored on the REST of the pool, never seen by the adaptation. Macro-F1 of the classes the domain
gives; "written" counts the seeds whose cross-validation found the adapted model better (``emotrace adapt`` writes
only those without --force); time is the rows' share of the embedding plus cross-validation and fit.

- semeval: SemEval-2017 Task 4A official 2017 test tweets (12,284; the shipped model trained on the 2013-2016 gold,
  not on these): negative / neutral / positive as dissatisfied / neutral / satisfied.
- sanders: Sanders brand tweets (evaluation-only data: fine for this measurement, never training for a shipped
  model), "irrelevant" left out: negative / neutral / positive.
- banking77: BANKING77 official test split (the shipped model trained on its train split), problem report
  (training/mappings) vs the rest: dissatisfied / other (the two-class path).
- clothing: women's clothing reviews of the test split (by clothing item, as training splits them; the shipped model
  trained on the train split's 1-2 and 4-5 stars as two classes), title and text, three classes from the stars:
  1-2 dissatisfied, 3 neutral (a class the shipped model never saw for reviews), 4-5 satisfied.

    python -m emotrace.evaluation.adapt_curve [--sizes 100,300,1000] [--seeds 3] [--json]
"""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from emotrace.model.classifier import EmotionClassifier
from emotrace.model.group_heads import SATISFACTION_HEAD
from emotrace.settings import get_settings
from emotrace.training.adapt import OTHER, SATISFACTION_PATTERNS, HeadRows, adapt_head, plan_head, served_outputs
from emotrace.training.data import split_of
from emotrace.training.satisfaction_data import MAPPING_FILE

POLARITY = {"negative": "dissatisfied", "neutral": "neutral", "positive": "satisfied"}
STARS = {1: "dissatisfied", 2: "dissatisfied", 3: "neutral", 4: "satisfied", 5: "satisfied"}
FOLDS = 5


def domains(data_root: Path) -> dict[str, tuple[list[str], list[str]]]:
    """Per domain, its texts (each once) and their satisfaction class names."""
    with (data_root / "semeval2017_task4a" / "semeval_2017_test.csv").open(encoding="utf-8", newline="") as handle:
        semeval = [(r["text"], POLARITY[r["label"]]) for r in csv.DictReader(handle)]
    with (data_root / "sanders_twitter" / "sanders.csv").open(encoding="utf-8", newline="") as handle:
        sanders = [(r["text"], POLARITY[r["label"]]) for r in csv.DictReader(handle) if r["label"] in POLARITY]
    problem = set(json.loads(MAPPING_FILE.read_text())["problem_report"])
    with (data_root / "banking77" / "test.csv").open(encoding="utf-8", newline="") as handle:
        banking = [(r["text"], "dissatisfied" if r["category"] in problem else OTHER) for r in csv.DictReader(handle)]
    with (data_root / "womens_clothing_reviews" / "reviews.csv").open(encoding="utf-8", newline="") as handle:
        clothing = [(". ".join(p for p in (r["Title"].strip(), r["Review Text"].strip()) if p), STARS[int(r["Rating"])])
                    for r in csv.DictReader(handle)
                    if r["Review Text"].strip() and split_of("cloth" + r["Clothing ID"]) == "test"]
    out = {}
    for name, rows in (("semeval", semeval), ("sanders", sanders), ("banking77", banking), ("clothing", clothing)):
        first: dict[str, str] = {}
        for text, label in rows:
            first.setdefault(text.strip(), label)  # a repeated text keeps its first label
        texts = [t for t in first if t]
        out[name] = (texts, [first[t] for t in texts])
    return out


def head_rows(labels: list[str], rows: np.ndarray) -> HeadRows:
    """The satisfaction rows ``rows`` of a domain, as ``emotrace adapt`` reads a file of them."""
    given = sorted(set(labels), key=lambda n: list(SATISFACTION_PATTERNS).index(n))
    targets = np.array([SATISFACTION_PATTERNS[labels[i]] for i in rows], dtype=np.float32)
    return HeadRows(SATISFACTION_HEAD, tuple(given), rows, targets)


def curve(classifier: EmotionClassifier, texts: list[str], labels: list[str], sizes: list[int], seeds: int
          ) -> list[dict[str, object]]:
    """One row per size: the shipped and adapted held-out macro-F1 (mean and range over seeds), seeds written, time."""
    started = time.perf_counter()
    served = served_outputs(classifier, texts)
    per_text = (time.perf_counter() - started) / len(texts)
    results = []
    for size in sizes:
        shipped, adapted, written, seconds = [], [], 0, []
        for seed in range(seeds):
            order = np.random.default_rng(seed).permutation(len(texts))
            sample, rest = np.sort(order[:size]), np.sort(order[size:])
            fit_started = time.perf_counter()
            plan = plan_head(classifier, head_rows(labels, sample), served, texts, FOLDS)
            figures, head, _ = adapt_head(plan)
            seconds.append(time.perf_counter() - fit_started + per_text * size)
            written += figures.better
            held = plan_head(classifier, head_rows(labels, rest), served, texts, FOLDS)
            every = np.arange(len(held.served))
            shipped.append(held.score(held.served, held.thresholds, every))
            adapted.append(held.score(held.probabilities(head, every), held.thresholds, every))
        results.append({"rows": size, "held_out": len(texts) - size, "shipped_macro_f1": float(np.mean(shipped)),
                        "adapted_macro_f1": float(np.mean(adapted)), "adapted_min": float(np.min(adapted)),
                        "adapted_max": float(np.max(adapted)), "written": f"{written}/{seeds}",
                        "seconds": float(np.mean(seconds))})
    return results


def main(sizes: Annotated[str, typer.Option(help="Labelled rows per sample, comma-separated.")] = "100,300,1000",
         seeds: Annotated[int, typer.Option(help="Samples per size.")] = 3,
         as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Print, per domain and size, the shipped and adapted held-out macro-F1 and the time taken."""
    classifier = EmotionClassifier.from_pretrained()
    table = {name: curve(classifier, texts, labels, [int(s) for s in sizes.split(",")], seeds)
             for name, (texts, labels) in domains(get_settings().data_root).items()}
    if as_json:
        typer.echo(json.dumps(table, indent=2))
        return
    typer.echo("| domain | labelled rows | held out | shipped macro-F1 | adapted macro-F1 (min-max) | written | time |")
    typer.echo("|---|---|---|---|---|---|---|")
    for name, rows in table.items():
        for row in rows:
            typer.echo(f"| {name} | {row['rows']:,} | {row['held_out']:,} | {row['shipped_macro_f1']:.3f} | "
                       f"{row['adapted_macro_f1']:.3f} ({row['adapted_min']:.3f}-{row['adapted_max']:.3f}) | "
                       f"{row['written']} | {row['seconds']:.1f} s |")


if __name__ == "__main__":
    typer.run(main)
