"""Emoji ablation: macro-F1 on the GoEmotions dev texts that contain emoji or emoticons, read with and
without the normalizer (same shipped model; without it, emoji reach the tokenizer as [UNK]).

    python -m emotrace.evaluation.emoji_ablation [--model DIR] [--compare OTHER_DIR]

On a couple of hundred texts a macro-F1 moves a lot on a few decisions: ``--compare`` counts, per view,
the texts whose decisions differ between the two models and how many of those turned right or wrong
(exact match with the gold labels).
"""

from __future__ import annotations

import argparse

import numpy as np

from emotrace.evaluation.common import goemotions_dev, print_figures
from emotrace.model.classifier import EmotionClassifier
from emotrace.model.decision import group_matrix, group_targets
from emotrace.model.labelled import LabelledTexts
from emotrace.model.labels import LabelSchema
from emotrace.model.metrics import evaluate
from emotrace.model.reading import Reading
from emotrace.model.reports import headline_scores
from emotrace.text.normalize import contains_emoji


def decision_changes(gold: list[set[str]], ours: list[set[str]], theirs: list[set[str]]) -> dict[str, int]:
    """Texts decided differently by two models, and how many of them each model alone gets exactly right."""
    changed = [i for i, (a, b) in enumerate(zip(ours, theirs, strict=True)) if a != b]
    return {"changed": len(changed), "right only here": sum(ours[i] == gold[i] for i in changed),
            "right only in the other": sum(theirs[i] == gold[i] for i in changed)}


def _decisions(readings: list[Reading], view: str | None) -> list[set[str]]:
    return [set(r.labels if view is None else r.views[view].labels) for r in readings]


def _gold_decisions(schema: LabelSchema, data: LabelledTexts, view: str | None) -> list[set[str]]:
    names, targets = (schema.labels, data.targets) if view is None else (
        schema.group_names(view), group_targets(data.targets, group_matrix(schema, view)))
    return [{n for n, t in zip(names, row, strict=True) if t > 0} for row in targets]


def main() -> None:
    """Print macro-F1 (labels, Ekman, sentiment) on emoji dev texts, normalized vs raw."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=None)
    parser.add_argument("--compare", default=None, help="Another model directory to compare decisions with.")
    args = parser.parse_args()
    dev = goemotions_dev()
    rows = [i for i, t in enumerate(dev.texts) if contains_emoji(t)]
    subset = LabelledTexts([dev.texts[i] for i in rows], dev.targets[rows], dev.labels)
    normalized = EmotionClassifier.from_pretrained(args.model)
    raw = normalized.with_normalizer(lambda text: " ".join(text.split()))
    with_norm, without = evaluate(normalized, subset), evaluate(raw, subset)
    unk = normalized.tokenizer.unk_token_id
    unk_share = float(np.mean([unk in normalized.tokenizer.ids(t) for t in subset.texts]))
    print_figures("emoji ablation (GoEmotions dev texts with emoji/emoticons)", {
        "texts": len(rows),
        "texts with [UNK] tokens when raw": round(unk_share, 3),
        **{f"{key} {name}": value for name, report in (("normalized", with_norm), ("raw", without))
           for key, value in headline_scores(report).items() if key != "micro_f1"},
    })
    if args.compare is not None:
        other = EmotionClassifier.from_pretrained(args.compare)
        ours, theirs = normalized.predict(subset.texts), other.predict(subset.texts)
        figures = {}
        for view in (None, *normalized.schema.groupings):
            gold = _gold_decisions(normalized.schema, subset, view)
            for key, count in decision_changes(gold, _decisions(ours, view), _decisions(theirs, view)).items():
                figures[f"{view or 'labels'}: {key}"] = count
        print_figures(f"emoji dev texts: decisions vs {args.compare}", figures)


if __name__ == "__main__":
    main()
