"""The shipped model's training recipe: which data feeds which head, in three stages and a last step.

Stage 1 ("emotion"): GoEmotions train alone, 3 epochs at 1e-4 -- the recipe that reaches dev macro-F1
~.52 in DESIGN.md. Training all three heads from the start reached only .457: the other tasks took 41%
of the steps and pulled the shared encoder away from the emotion labels.
Stage 2 ("multitask"): one epoch over every task (all of GoEmotions again plus the emoji lexicon rows of
``emotrace.training.emoji_rows``, EmoBank, the satisfaction sources) with the encoder at a small rate and the
heads at a larger one, so the new heads learn fast while the encoder moves only as far as the
customer-service text needs. Stage 1 alone read emoji-only texts ("😡") as neutral: GoEmotions has
few of them, hence the lexicon rows.
Stage 3 ("refine"): one more epoch over stage 2's emotion rows alone, heads at 3e-4, encoder at 1e-5.
Stage 2 shares the encoder with the other tasks; letting the emotion head and encoder settle on the emotion
rows afterwards lifted dev macro-F1 from .516 to .529 (out of fold, thresholds tuned on the other half of
dev: .495 to .504) for a small cost on the coarse views (Ekman -.002, sentiment -.001); on the seeded
run of stages 1-2 the same: macro .506 -> .516 (out of fold +.009), Ekman -.002 (-.004), sentiment -.002. At
encoder 3e-5 it scored lower on every view (.518 / .634 / .698); with the Ekman and sentiment losses added
to it, .524 / .637 / .699.
Pooled heads: with the network frozen, one linear head per grouping (Ekman, sentiment) and one for the labels
(replacing the graph's own) are fitted on the served (int8) model's pooled vectors of stage 2's emotion rows
(GoEmotions train and the emoji lexicon rows: fitted on GoEmotions alone, they read "😡" as partly neutral
again), while packaging (``emotrace.training.group_heads``).
The multi-task stage lifts the 28-label macro-F1 but costs the coarse views when they are read off the
labels (a group = its most probable member); read from their own heads they gain most of it back
(README: dev figures).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from emotrace.model.labels import GOEMOTIONS_LABELS
from emotrace.training.data import read_emobank, read_goemotions_tsv
from emotrace.training.emoji_rows import emoji_cue_rows
from emotrace.training.satisfaction_data import load_satisfaction
from emotrace.training.trainer import TaskData, TrainingArguments

SATISFACTION_CAP = 3000  # rows per (source, class): keeps 5-star reviews from swamping the rest
MULTITASK_HEAD_LEARNING_RATE = 3e-4
MULTITASK_ENCODER_LEARNING_RATE = 3e-5
REFINE_ENCODER_LEARNING_RATE = 1e-5
POOLED_HEADS_SUMMARY = ("Then, network frozen, linear heads for the labels and for each grouping (Ekman, sentiment) "
                        "fitted on the int8 model's pooled vectors of GoEmotions train and the emoji lexicon rows.")


def emotion_tasks(data_root: Path) -> dict[str, TaskData]:
    """Stage 1: GoEmotions train -> the emotion head."""
    emotions = read_goemotions_tsv(data_root / "goemotions" / "original" / "train.tsv", GOEMOTIONS_LABELS)
    return {"emotion": TaskData(emotions.texts, emotions.targets)}


def multitask_tasks(data_root: Path, emotions: TaskData | None = None) -> dict[str, TaskData]:
    """Stage 2: GoEmotions (+ emoji lexicon rows) -> emotion, EmoBank train -> affect, satisfaction sources ->
    satisfaction. ``emotions``: stage 1's GoEmotions rows, when already read."""
    affect_texts, affect_targets = read_emobank(data_root / "emobank" / "emobank.csv", "train")
    satisfaction = load_satisfaction(data_root, "train", cap_per_source_class=SATISFACTION_CAP)
    if emotions is None:
        emotions = emotion_tasks(data_root)["emotion"]
    emoji_rows = emoji_cue_rows(GOEMOTIONS_LABELS)
    return {
        "emotion": TaskData(emotions.texts + emoji_rows.texts, np.concatenate([emotions.targets, emoji_rows.targets])),
        "affect": TaskData(affect_texts, affect_targets),
        "satisfaction": TaskData(satisfaction.texts, np.asarray(satisfaction.classes, dtype=np.int64)),
    }


def recipe_summary(stage1: TrainingArguments) -> str:
    """The recipe in one sentence for the model card, from the arguments the run actually used."""
    stage2, stage3 = multitask_arguments(stage1), refine_arguments(stage1)
    return (f"Stage 1: {stage1.epochs} epochs over GoEmotions train, emotion head only (batch {stage1.batch_size}, "
            f"AdamW lr {stage1.learning_rate:g}, wd {stage1.weight_decay:g}, {stage1.warmup_ratio:.0%} warmup, linear "
            f"decay, BCE). Stage 2: {stage2.epochs} epoch over GoEmotions + emoji lexicon rows + EmoBank train + the "
            f"satisfaction sources (at most {SATISFACTION_CAP:,} rows per source and class), each batch one task; "
            f"heads at lr {stage2.learning_rate:g}, encoder at {stage2.encoder_learning_rate:g}. Stage 3: "
            f"{stage3.epochs} epoch over stage 2's emotion rows alone, heads at lr {stage3.learning_rate:g}, encoder "
            f"at {stage3.encoder_learning_rate:g}. {POOLED_HEADS_SUMMARY}")


def multitask_arguments(stage1: TrainingArguments) -> TrainingArguments:
    """Stage 2's arguments, derived from stage 1's (its own run folder under stage 1's)."""
    return replace(stage1, output_dir=stage1.output_dir / "multitask", epochs=1,
                   learning_rate=MULTITASK_HEAD_LEARNING_RATE,
                   encoder_learning_rate=MULTITASK_ENCODER_LEARNING_RATE)


def refine_arguments(stage1: TrainingArguments) -> TrainingArguments:
    """Stage 3's arguments: stage 2's rates for the heads, a slower encoder (its own run folder)."""
    return replace(multitask_arguments(stage1), output_dir=stage1.output_dir / "refine",
                   encoder_learning_rate=REFINE_ENCODER_LEARNING_RATE)
