"""Cross-domain satisfaction check: leave one source out of training, test on it.

For each held-out source a satisfaction-only model is fine-tuned on the other sources (train splits),
then scored on the held-out source's test split. This shows how the satisfaction reading transfers to
a channel it never saw (the shipped model sees all sources).

By default it starts from the base encoder at one rate for everything. ``--start-from runs/default/final``
(the recipe's stage-1 emotion network) with ``--encoder-learning-rate 3e-5 --learning-rate 3e-4``
follows the shipped recipe's stage 2 instead.

    python -m emotrace.evaluation.cross_domain [--steps 600] [--hold-out banking77 cfpb] [--start-from DIR]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import torch

from emotrace.evaluation.common import print_figures
from emotrace.model.metrics import satisfaction_report
from emotrace.settings import get_settings
from emotrace.training.modeling import EmotionNet, base_encoder_path, predict_heads
from emotrace.training.satisfaction_data import SatisfactionData, balanced_cap, load_satisfaction
from emotrace.training.trainer import TaskData, Trainer, TrainingArguments

SOURCES = ("reviews", "cfpb", "banking77", "goemotions")


def _without(data: SatisfactionData, source: str) -> SatisfactionData:
    return data.subset([i for i, s in enumerate(data.sources) if s != source])


def _only(data: SatisfactionData, source: str) -> SatisfactionData:
    return data.subset([i for i, s in enumerate(data.sources) if s == source])


def main() -> None:
    """Train one model per held-out source and print its figures on that source's test split."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--hold-out", nargs="+", default=["banking77", "cfpb"], choices=SOURCES)
    parser.add_argument("--start-from", type=Path, default=None, help="a trained network directory (torch)")
    parser.add_argument("--learning-rate", type=float, default=1e-4)
    parser.add_argument("--encoder-learning-rate", type=float, default=None)
    args = parser.parse_args()
    root = get_settings().data_root
    train_all = load_satisfaction(root, "train")
    test_all = load_satisfaction(root, "test")
    for source in args.hold_out:
        train = balanced_cap(_without(train_all, source), 3000, seed=13)
        torch.manual_seed(13)
        net = (EmotionNet.from_base(1, with_affect=False) if args.start_from is None
               else EmotionNet.from_directory(args.start_from))
        with tempfile.TemporaryDirectory() as tmp:
            trainer = Trainer(net, base_encoder_path(), {"satisfaction": TaskData(
                train.texts, np.asarray(train.classes, dtype=np.int64))},
                TrainingArguments(output_dir=Path(tmp), max_steps=args.steps, checkpoint_every=10**9,
                                  learning_rate=args.learning_rate,
                                  encoder_learning_rate=args.encoder_learning_rate))
            trainer.train()
        test = _only(test_all, source)
        logits = torch.from_numpy(predict_heads(net, trainer.tokenizer, test.texts)["satisfaction_logits"])
        report = satisfaction_report(torch.softmax(logits, dim=1).numpy(), np.asarray(test.classes))
        print_figures(f"cross-domain satisfaction: train without {source}, test on {source} test split", {
            "train rows": len(train.texts), "train sources": ", ".join(sorted(set(train.sources))),
            "steps": args.steps, "start": str(args.start_from or "base encoder"), **report})


if __name__ == "__main__":
    main()
