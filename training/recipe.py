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

import csv
import random
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from transformers import PreTrainedTokenizerBase

from emotrace.model.labelled import LabelledTexts
from emotrace.model.labels import GOEMOTIONS_LABELS, INTENT_LABELS
from emotrace.training.data import read_emobank, read_goemotions_tsv
from emotrace.training.emoji_rows import emoji_cue_rows
from emotrace.training.modeling import EmotionNet, predict_heads
from emotrace.training.satisfaction_data import load_satisfaction
from emotrace.training.trainer import ANCHOR_LOSS_WEIGHT, TaskData, TrainingArguments
from emotrace.training.written_corpus import CorpusRow, emotion_rows, intent_rows, satisfaction_classes

SATISFACTION_CAP = 3000  # rows per (source, class): keeps 5-star reviews from swamping the rest
MULTITASK_HEAD_LEARNING_RATE = 3e-4
MULTITASK_ENCODER_LEARNING_RATE = 3e-5
REFINE_ENCODER_LEARNING_RATE = 1e-5
TOPIC_VIEW_STEP = ("Then, network frozen, the topic view: one linear head over the int8 model's pooled vector and the "
                   "text's TF-IDF word features (20,000 unigrams and bigrams), fitted on the written customer-service "
                   "corpus's topic labels (train split), thresholds tuned on its dev split.")
INTENT_VIEW_STEP = ("Then, network frozen, the intent view: two heads with one hidden layer each (three fits of 64 "
                    "units, their logits averaged), one over the same pooled vector and word features, one over the "
                    "second encoder layer's mean-pooled vector and the same word features, their logits averaged; "
                    "fitted on the corpus's intents (train split; its rows stating no intent weighted twice) against "
                    "intent negatives from BANKING77 (outside its refund and account-closing categories) and "
                    "GoEmotions, thresholds tuned on its dev split.")
SATISFACTION_VIEW_STEP = ("Then, network frozen, the satisfaction view: one linear softmax head over the same pooled "
                          "vector and word features, an offset from the network's own satisfaction head penalised "
                          "toward it (three fits averaged), fitted on the satisfaction sources' train splits (at most "
                          "8,000 rows per source and class) and the corpus's train split (each row weighing ten), "
                          "calibrated by a temperature fitted on the sources' dev split.")
POOLED_HEADS_STEP = ("Then, network frozen, linear heads for the labels and for each grouping (Ekman, sentiment) "
                     "fitted on the int8 model's pooled vectors of GoEmotions train and the emoji lexicon rows.")
POOLED_HEADS_CORPUS_STEP = (f"{POOLED_HEADS_STEP[:-1]}, and the written customer-service corpus's train split with "
                            "its emotion labels.")


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


def recipe_steps(stage1: TrainingArguments) -> list[str]:
    """The recipe's steps, a sentence each, for the model's provenance, from the arguments the run actually used."""
    stage2, stage3 = multitask_arguments(stage1), refine_arguments(stage1)
    return [f"Stage 1: {stage1.epochs} epochs over GoEmotions train, emotion head only (batch {stage1.batch_size}, "
            f"AdamW lr {stage1.learning_rate:g}, wd {stage1.weight_decay:g}, {stage1.warmup_ratio:.0%} warmup, linear "
            f"decay, BCE).",
            f"Stage 2: {stage2.epochs} epoch over GoEmotions + emoji lexicon rows + EmoBank train + the "
            f"satisfaction sources (at most {SATISFACTION_CAP:,} rows per source and class), each batch one task; "
            f"heads at lr {stage2.learning_rate:g}, encoder at {stage2.encoder_learning_rate:g}.",
            f"Stage 3: {stage3.epochs} epoch over stage 2's emotion rows alone, heads at lr {stage3.learning_rate:g}, "
            f"encoder at {stage3.encoder_learning_rate:g}.",
            POOLED_HEADS_STEP]


def multitask_arguments(stage1: TrainingArguments) -> TrainingArguments:
    """Stage 2's arguments, derived from stage 1's (its own run folder under stage 1's)."""
    return replace(stage1, output_dir=stage1.output_dir / "multitask", epochs=1,
                   learning_rate=MULTITASK_HEAD_LEARNING_RATE,
                   encoder_learning_rate=MULTITASK_ENCODER_LEARNING_RATE)


def refine_arguments(stage1: TrainingArguments) -> TrainingArguments:
    """Stage 3's arguments: stage 2's rates for the heads, a slower encoder (its own run folder)."""
    return replace(multitask_arguments(stage1), output_dir=stage1.output_dir / "refine",
                   encoder_learning_rate=REFINE_ENCODER_LEARNING_RATE)


# The customer recipe (``emotrace train --recipe customer``): the shipped network fine-tuned once more, with the
# written customer-service corpus (train split) beside a replay of what it already learnt from.
CORPUS_REPEATS = 3  # the corpus is small beside the replayed sources
REPLAY_EMOTION_ROWS = 12_000
REPLAY_SATISFACTION_ROWS = 12_000
REPLAY_AFFECT_ROWS = 4_000
INTENT_NEGATIVE_ROWS = 3_000  # per source: BANKING77 queries, GoEmotions comments
# BANKING77 categories that state or border on an intent as emotrace defines them: never used as intent negatives.
BANKING77_INTENT_CATEGORIES = frozenset({"request_refund", "Refund_not_showing_up", "terminate_account"})
CUSTOMER_ENCODER_LEARNING_RATE = 3e-5
# The fine-tuned network's share when it is averaged with the network it started from (weight space; the new intent
# head is the fine-tuned one's). Chosen on dev sets (docs/benchmarks.md, "This release"): the fine-tuned network
# alone read the written corpus's dev split best but cost GoEmotions dev 0.021 macro-F1 and satisfaction dev 0.028.
CUSTOMER_AVERAGE_WEIGHT = 0.7


def _sample(count: int, size: int, seed: int) -> list[int]:
    return sorted(random.Random(seed).sample(range(count), min(size, count)))


def intent_negatives(data_root: Path, comments: list[str], seed: int) -> list[str]:
    """Texts that state no intent: BANKING77 train queries outside its refund and account-closing categories, and
    ``comments`` (GoEmotions train; a sample of each)."""
    with (data_root / "banking77" / "train.csv").open(encoding="utf-8", newline="") as handle:
        banking = [r["text"] for r in csv.DictReader(handle) if r["category"] not in BANKING77_INTENT_CATEGORIES]
    return ([banking[i] for i in _sample(len(banking), INTENT_NEGATIVE_ROWS, seed)]
            + [comments[i] for i in _sample(len(comments), INTENT_NEGATIVE_ROWS, seed + 1)])


def intent_training_rows(data_root: Path, corpus_train: list[CorpusRow], comments: list[str],
                         seed: int) -> LabelledTexts:
    """The corpus's intent rows (train split) and the negatives of :func:`intent_negatives`."""
    written = intent_rows(corpus_train)
    negatives = intent_negatives(data_root, comments, seed)
    return LabelledTexts(written.texts + negatives,
                         np.concatenate([written.targets, np.zeros((len(negatives), len(INTENT_LABELS)), np.float32)]),
                         INTENT_LABELS)


@dataclass
class CustomerData:
    """What the customer recipe reads beside the corpus, read once: the multi-task rows it replays (stage 2's,
    whose emotion rows also fit the pooled heads) and the intent rows (the corpus's train split and negatives)."""

    previous: dict[str, TaskData]
    intents: LabelledTexts


def customer_data(data_root: Path, corpus_train: list[CorpusRow], seed: int) -> CustomerData:
    """Read the shared sources the customer recipe needs (GoEmotions once)."""
    emotions = emotion_tasks(data_root)["emotion"]
    return CustomerData(multitask_tasks(data_root, emotions),
                        intent_training_rows(data_root, corpus_train, emotions.texts, seed))


def customer_tasks(data: CustomerData, corpus_train: list[CorpusRow], seed: int) -> dict[str, TaskData]:
    """The customer recipe's tasks: each head learns the corpus rows (``CORPUS_REPEATS`` times) beside a sample of
    the rows it learnt before (GoEmotions + emoji lexicon rows, the satisfaction sources, EmoBank), and the new
    intent head learns the corpus's intents against :func:`intent_negatives`."""
    previous, intents = data.previous, data.intents
    written = emotion_rows(corpus_train)
    satisfaction = satisfaction_classes(corpus_train)

    def mixed(task: str, replay: int, texts: list[str], targets: np.ndarray) -> TaskData:
        keep = _sample(len(previous[task].texts), replay, seed)
        return TaskData([previous[task].texts[i] for i in keep] + texts * CORPUS_REPEATS,
                        np.concatenate([previous[task].targets[keep], *[targets] * CORPUS_REPEATS]))

    corpus_texts = [r.text for r in corpus_train]
    affect = previous["affect"]
    keep = _sample(len(affect.texts), REPLAY_AFFECT_ROWS, seed)
    return {
        "emotion": mixed("emotion", REPLAY_EMOTION_ROWS, written.texts, written.targets),
        "satisfaction": mixed("satisfaction", REPLAY_SATISFACTION_ROWS, corpus_texts, satisfaction),
        "intent": TaskData(intents.texts[: len(corpus_train)] * CORPUS_REPEATS + intents.texts[len(corpus_train) :],
                           np.concatenate([*[intents.targets[: len(corpus_train)]] * CORPUS_REPEATS,
                                           intents.targets[len(corpus_train) :]])),
        "affect": TaskData([affect.texts[i] for i in keep], affect.targets[keep]),
    }


def anchored(tasks: dict[str, TaskData], start: EmotionNet, tokenizer: PreTrainedTokenizerBase) -> dict[str, TaskData]:
    """``tasks`` (:func:`customer_tasks`) and an ``anchor`` task: the replayed emotion and satisfaction rows' texts,
    each held near the pooled vector ``start`` (the network training begins from) gives it, so that the corpus is
    learnt without drifting from what the sources taught (docs/benchmarks.md, thirty-sixth round)."""
    replayed = [*tasks["emotion"].texts[:REPLAY_EMOTION_ROWS], *tasks["satisfaction"].texts[:REPLAY_SATISFACTION_ROWS]]
    vectors = predict_heads(start, tokenizer, replayed, batch_size=256)["pooled"]
    return {**tasks, "anchor": TaskData(replayed, vectors.astype(np.float32))}


def customer_arguments(output: Path) -> TrainingArguments:
    """The customer recipe's arguments: one epoch, heads at the multi-task rate, the encoder slower."""
    return TrainingArguments(output_dir=output, epochs=1, learning_rate=MULTITASK_HEAD_LEARNING_RATE,
                             encoder_learning_rate=CUSTOMER_ENCODER_LEARNING_RATE)


def customer_steps(args: TrainingArguments) -> list[str]:
    """The customer recipe's steps, a sentence each, for the model's provenance."""
    return [f"Then {args.epochs} epoch (batch {args.batch_size}, heads at lr {args.learning_rate:g}, encoder at "
            f"{args.encoder_learning_rate:g}) over the written customer-service corpus's train split ({CORPUS_REPEATS} "
            f"times: satisfaction, emotions and a new intent head) beside a replay of {REPLAY_EMOTION_ROWS:,} emotion, "
            f"{REPLAY_SATISFACTION_ROWS:,} satisfaction and {REPLAY_AFFECT_ROWS:,} EmoBank rows; intent negatives "
            f"from BANKING77 (outside its refund and account-closing categories) and GoEmotions; the replayed rows' "
            f"pooled vectors held near the starting network's ({ANCHOR_LOSS_WEIGHT:g} x their relative squared "
            f"error); the fine-tuned "
            f"network then averaged with the one it started from ({CUSTOMER_AVERAGE_WEIGHT:g} / "
            f"{1 - CUSTOMER_AVERAGE_WEIGHT:g} in weight space).",
            "Then, network frozen, linear heads for the labels and each grouping fitted on the int8 model's pooled "
            "vectors.", TOPIC_VIEW_STEP, INTENT_VIEW_STEP]
