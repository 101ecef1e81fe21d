"""Emoji ablation: macro-F1 on the GoEmotions dev texts that contain emoji or emoticons, read with and
without the normalizer (same shipped model; without it, emoji reach the tokenizer as [UNK]).

    python -m evaluation.emoji_ablation [--model DIR]
"""

from __future__ import annotations

import argparse

import numpy as np

from evaluation.common import goemotions_dev, print_figures
from evaluation.evaluate import evaluate
from service.model.classifier import EmotionClassifier
from service.text.normalize import contains_emoji
from training.data import LabelledTexts


def main() -> None:
    """Print macro-F1 (labels, Ekman, sentiment) on emoji dev texts, normalized vs raw."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=None)
    args = parser.parse_args()
    dev = goemotions_dev()
    rows = [i for i, t in enumerate(dev.texts) if contains_emoji(t)]
    subset = LabelledTexts([dev.texts[i] for i in rows], dev.targets[rows], dev.labels)
    normalized = EmotionClassifier.from_pretrained(args.model)
    raw = normalized.with_normalizer(lambda text: " ".join(text.split()))
    with_norm, without = evaluate(normalized, subset), evaluate(raw, subset)
    unk = normalized.tokenizer.unk_token_id
    unk_share = float(np.mean([unk in normalized.tokenizer(t)["input_ids"] for t in subset.texts]))
    print_figures("emoji ablation (GoEmotions dev texts with emoji/emoticons)", {
        "texts": len(rows),
        "texts with [UNK] tokens when raw": round(unk_share, 3),
        **{f"{k} normalized": with_norm[k] for k in ("macro_f1", "ekman_macro_f1", "sentiment_macro_f1")},
        **{f"{k} raw": without[k] for k in ("macro_f1", "ekman_macro_f1", "sentiment_macro_f1")},
    })


if __name__ == "__main__":
    main()
