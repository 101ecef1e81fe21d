"""``emotrace train``: data -> fine-tuning (resumable) -> packaged model directory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from transformers import AutoTokenizer

from emotrace.errors import EmotraceError
from emotrace.model.classifier import EmotionClassifier, sigmoid
from emotrace.model.config import read_config, update_config
from emotrace.model.labelled import LabelledTexts
from emotrace.model.labels import GOEMOTIONS_LABELS, INTENT_LABELS, LabelSchema
from emotrace.model.metrics import tuned_macro_f1
from emotrace.paths import staged_copy
from emotrace.training.data import (
    distinct_labelled_rows,
    read_goemotions_tsv,
    read_labelled_records,
    refuse_one_label,
    split_key,
    stable_bucket,
)
from emotrace.training.distill import (
    DISTILL_RECIPE,
    TARGETS_FILE,
    TEACHER_RECIPE,
    run_distillation,
    student_reading,
    teacher_arguments,
    teacher_targets,
    train_teacher,
    transfer_texts,
)
from emotrace.training.group_heads import require_pooled_output
from emotrace.training.held_out import is_held_out
from emotrace.training.label_mapping import read_label_mapping
from emotrace.training.model_card import write_model_card
from emotrace.training.modeling import EmotionNet, predict_heads, tokenizer_source
from emotrace.training.package import (
    WrittenCorpus,
    add_corpus_intent_view,
    add_corpus_satisfaction_view,
    add_word_views,
    package_model,
    refit_heads,
    satisfaction_dev_report,
)
from emotrace.training.provenance import MPNET, Provenance, read_provenance
from emotrace.training.recipe import (
    CUSTOMER_AVERAGE_WEIGHT,
    INTENT_VIEW_STEP,
    POOLED_HEADS_CORPUS_STEP,
    POOLED_HEADS_STEP,
    SATISFACTION_VIEW_STEP,
    TOPIC_VIEW_STEP,
    anchored,
    customer_arguments,
    customer_data,
    customer_steps,
    customer_tasks,
    emotion_tasks,
    intent_training_rows,
    multitask_arguments,
    multitask_tasks,
    recipe_steps,
    refine_arguments,
)
from emotrace.training.satisfaction_view import require_word_vocabulary
from emotrace.training.trainer import TaskData, Trainer, TrainingArguments
from emotrace.training.written_corpus import CorpusRow, emotion_rows, read_corpus, written_corpus_report
from emotrace.wording import counted

WRITTEN_CORPUS = "written_corpus"
RECIPE_SOURCES = ["goemotions", "emobank", "womens_clothing_reviews", "cfpb_complaints_sample", "banking77",
                  "semeval2017_task4a"]


def split_rows(data: LabelledTexts, picked: list[bool]) -> tuple[LabelledTexts, LabelledTexts]:
    """The rows not ``picked`` and the rows ``picked``."""
    def pick(flag: bool) -> LabelledTexts:
        rows = [i for i, p in enumerate(picked) if p == flag]
        return LabelledTexts([data.texts[i] for i in rows], data.targets[rows], data.labels)
    return pick(False), pick(True)


def carve_dev(data: LabelledTexts, dev_buckets: int = 1) -> tuple[LabelledTexts, LabelledTexts]:
    """Split off a validation set (``dev_buckets``/10 of rows, by a stable hash of the text's :func:`split_key`)."""
    train, dev = split_rows(data, [stable_bucket(split_key(text)) < dev_buckets for text in data.texts])
    if not train.texts or not dev.texts:
        raise EmotraceError("E306", f"{len(data.texts)} rows are too few to carve a validation split.",
                            "Give at least ~20 labelled rows.")
    return train, dev


def dev_scorer(dev: LabelledTexts, tokenizer_path: str, max_length: int) -> Callable[[EmotionNet], float]:
    """Validation macro-F1 (per-label thresholds tuned on the same rows) of a network, for early stopping."""
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_path)

    def score(net: EmotionNet) -> float:
        return tuned_macro_f1(sigmoid(predict_heads(net, tokenizer, dev.texts, max_length)["emotion_logits"]),
                              dev.targets)

    return score


def start_network(labels: tuple[str, ...], from_model: Path | None, with_extra_heads: bool,
                  seed: int) -> tuple[EmotionNet, dict[str, dict[str, tuple[str, ...]]]]:
    """The network to fine-tune: the base encoder, or a trained model directory relabelled to ``labels``.
    New heads start from ``seed``, so the same command trains the same network.

    Returns it with the groupings that still apply (those of ``from_model`` whose labels all remain)."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        if from_model is None:
            net = EmotionNet.from_base(len(labels), with_affect=with_extra_heads, with_satisfaction=with_extra_heads)
            return net, {}
        old = LabelSchema.load(from_model)
        net = EmotionNet.from_directory(from_model)
        if old.labels != labels:
            net.relabel(old.labels, labels)
    groupings = {g: m for g, m in old.groupings.items() if {x for v in m.values() for x in v} <= set(labels)}
    return net, groupings


def run_recipe_training(args: TrainingArguments, model_dir: Path, data_root: Path, command: str,
                        from_model: Path | None = None) -> dict[str, object]:
    """The shipped recipe on the shared sources (resumable): stage 1 on GoEmotions, stage 2 multi-task, stage 3
    refinement; their emotion rows also fit the group heads. Returns the packaged model's metrics."""
    schema, dev = _recipe_dev(data_root)
    tasks = emotion_tasks(data_root)
    net, _ = start_network(GOEMOTIONS_LABELS, from_model, with_extra_heads=True, seed=args.seed)
    tokenizer = tokenizer_source(from_model)
    net = Trainer(net, tokenizer, tasks, args).train()
    stage2, stage2_tasks = multitask_arguments(args), multitask_tasks(data_root, tasks["emotion"])
    Trainer(net, tokenizer, stage2_tasks, stage2).train()
    stage3 = refine_arguments(args)
    Trainer(net, tokenizer, {"emotion": stage2_tasks["emotion"]}, stage3).train()
    group_train = LabelledTexts(stage2_tasks["emotion"].texts, stage2_tasks["emotion"].targets, GOEMOTIONS_LABELS)
    provenance = Provenance(training_data=RECIPE_SOURCES, recipe=recipe_steps(args), commands=[command])
    return package_model(stage3.output_dir / "final", model_dir, schema, dev, data_root, provenance,
                         list(tasks["emotion"].texts), group_train, refit_labels=True)


def run_labelled_training(args: TrainingArguments, model_dir: Path, data: Path, text_column: str, label_column: str,
                          command: str, from_model: Path | None = None, encoding: str = "utf-8",
                          mapping: Path | None = None, echo: Callable[[str], None] = print) -> dict[str, object]:
    """Fine-tune on the user's labelled file (a dev split carved from it scores every epoch, for early stopping, and
    tunes the thresholds) and package; a test split set aside first (:mod:`held_out`) is scored apart. Each text is
    kept once (E325 where one repeats with other labels; repeats with the same labels merged, and ``echo`` says how
    many). With ``mapping`` (:mod:`label_mapping`, read before anything is trained) the schema's groupings are the
    mapping's, else those of ``from_model`` that still apply. Returns the packaged model's metrics."""
    labelled, repeats = distinct_labelled_rows(read_labelled_records(data, text_column, label_column, encoding=encoding),
                                               data)
    if repeats:
        echo(f"{data.name}: {counted(len(labelled.texts), 'text')} ({counted(repeats, 'repeated row')} merged: same "
             "text, same labels)")
    refuse_one_label(labelled, data)
    neutral = "neutral" if "neutral" in labelled.labels else None
    mapped = None if mapping is None else read_label_mapping(mapping, labelled.labels, neutral, encoding)
    rest, test = split_rows(labelled, [is_held_out(text) for text in labelled.texts])
    train_rows, dev = carve_dev(rest)
    refuse_labels_without_training_rows(train_rows, dev, test, data)
    net, groupings = start_network(labelled.labels, from_model, with_extra_heads=False, seed=args.seed)
    schema = LabelSchema(labelled.labels, groupings if mapped is None else mapped, neutral)
    tokenizer = tokenizer_source(from_model)
    validate = dev_scorer(dev, tokenizer, args.max_length)
    Trainer(net, tokenizer, {"emotion": TaskData(train_rows.texts, train_rows.targets)}, args, validate).train()
    provenance = labelled_provenance(args, data, labelled.labels, command, from_model)
    return package_model(args.output_dir / "final", model_dir, schema, dev, None, provenance, train_rows.texts,
                         train_rows, refit_labels=True, test=test)


def refuse_labels_without_training_rows(train: LabelledTexts, dev: LabelledTexts, test: LabelledTexts,
                                        data: Path) -> None:
    """E330 when a label's rows all fell in the held-out test split or the validation split (by the texts' hash): it
    would be trained on no rows, yet listed by the model (found by a review: "so bored today" read as anger)."""
    def counts(rows: LabelledTexts) -> list[int]:
        return rows.targets.sum(axis=0).astype(int).tolist() if len(rows.texts) else [0] * len(rows.labels)

    untrained = []
    for label, trained, held, validating in zip(train.labels, counts(train), counts(test), counts(dev), strict=True):
        if trained == 0:
            went = [f"{n} in the {split}" for n, split in ((held, "held-out test split"), (validating, "validation split"))
                    if n]
            untrained.append(f"{label} ({counted(held + validating, 'row')}: {', '.join(went)})")
    if untrained:
        raise EmotraceError("E330", f"{data.name}: no rows left to train {', '.join(untrained)}; the model would list "
                                    f"{'it' if len(untrained) == 1 else 'them'} and never learn "
                                    f"{'it' if len(untrained) == 1 else 'them'}.",
                            "Add more rows of each such label (about 1 in 5 of the rows, by a hash of the text, is set "
                            "aside for testing and validation), or drop its rows.")


def labelled_provenance(args: TrainingArguments, data: Path, labels: tuple[str, ...], command: str,
                        from_model: Path | None) -> Provenance:
    """How ``train --data`` made its model: the provenance of ``from_model`` (its sources, steps and commands made
    the network it starts from) followed by the fine-tuning on ``data``; from the base encoder, that step alone."""
    step = (f"{'Then fine' if from_model else 'Fine'}-tuned on {data.name} ({len(labels)} labels: {', '.join(labels)}), "
            + ("emotion head only, relabelled to them (a label sharing a name keeps its learnt weights)" if from_model
               else "emotion head only")
            + f": at most {args.epochs} epochs" + (f" and {args.max_steps} steps" if args.max_steps else "")
            + f" (batch {args.batch_size}, AdamW lr {args.learning_rate:g}), each epoch scored on a validation split of "
            "the file and the best kept" + (f" (stopping after {args.patience} epochs without a better one)"
                                             if args.patience else "")
            + "; then, network frozen, linear heads for the labels and any groupings fitted on the int8 model's "
            "pooled vectors of the training rows.")
    if from_model is None:
        return Provenance(training_data=[str(data)], recipe=[step], commands=[command])
    start = read_provenance(from_model)
    return replace(start.extended(command, [step]), training_data=list(dict.fromkeys([*start.training_data, str(data)])))


def _require_data_root(data_root: Path) -> None:
    """E307 unless ``data_root`` holds the shared data (checked before anything is copied or written)."""
    if not (data_root / "goemotions").is_dir():
        raise EmotraceError("E307", f"Training data not found under {data_root}.",
                            "Pass --data-root pointing at the shared data folder.")


@contextmanager
def _working_copy(from_model: Path, model_dir: Path) -> Iterator[Path]:
    """Where a refit of ``from_model`` into ``model_dir`` works: the folder itself when they are one, else a copy
    assembled beside ``model_dir`` and renamed into place when the refit succeeds (an earlier model there is replaced
    whole only then, none of its files left behind)."""
    if model_dir.resolve() == from_model.resolve():
        yield model_dir
        return
    with staged_copy(from_model, model_dir) as staged:
        yield staged


def _recipe_dev(data_root: Path) -> tuple[LabelSchema, LabelledTexts]:
    _require_data_root(data_root)
    dev = read_goemotions_tsv(data_root / "goemotions" / "original" / "dev.tsv", GOEMOTIONS_LABELS)
    return LabelSchema.goemotions(data_root / "goemotions"), dev


def _emotion_rows(data_root: Path) -> LabelledTexts:
    rows = multitask_tasks(data_root)["emotion"]
    return LabelledTexts(rows.texts, rows.targets, GOEMOTIONS_LABELS)


def run_teacher_training(output: Path, model_dir: Path, data_root: Path, command: str) -> dict[str, object]:
    """``emotrace train --recipe teacher``: the teacher on all-mpnet-base-v2 (recipe stages 1-2), packaged so that
    it can be served with ``--model`` or distilled from."""
    schema, dev = _recipe_dev(data_root)
    train_teacher(data_root, output)
    final = multitask_arguments(teacher_arguments(output)).output_dir / "final"
    group_train = _emotion_rows(data_root)
    provenance = Provenance(MPNET, RECIPE_SOURCES, TEACHER_RECIPE, [command])
    return package_model(final, model_dir, schema, dev, data_root, provenance, group_train.texts, group_train,
                         refit_labels=True)


def run_distill_training(output: Path, model_dir: Path, data_root: Path, command: str, from_model: Path,
                         teacher: Path | None, targets_file: Path | None) -> dict[str, object]:
    """``emotrace train --recipe distill``: the teacher's reading of the transfer texts (computed from ``teacher``,
    a teacher network directory, unless ``targets_file`` already holds it) distilled into ``from_model``."""
    schema, dev = _recipe_dev(data_root)
    student_reading(from_model, ["a first look at the student"])
    texts = transfer_texts(data_root, report=True)
    targets_file = targets_file or output / TARGETS_FILE
    if not targets_file.exists():
        if teacher is None:
            raise EmotraceError("E312", f"No teacher targets at {targets_file} and no teacher given.",
                                "Pass --teacher DIR (a model trained with --recipe teacher) or --teacher-targets FILE.")
        output.mkdir(parents=True, exist_ok=True)
        net = EmotionNet.from_directory(teacher)
        readings = teacher_targets(net, AutoTokenizer.from_pretrained(str(teacher)), texts)
        np.savez_compressed(targets_file, targets=readings.astype(np.float16))
    run_distillation(data_root, from_model, targets_file, output, texts)
    group_train = _emotion_rows(data_root)
    provenance = Provenance(training_data=[*RECIPE_SOURCES, "phenomena"], recipe=DISTILL_RECIPE, commands=[command])
    return package_model(output / "final", model_dir, schema, dev, data_root, provenance, texts, group_train,
                         refit_labels=True)


def run_customer_training(output: Path, model_dir: Path, data_root: Path, command: str, from_model: Path,
                          max_steps: int | None = None) -> dict[str, object]:
    """``emotrace train --recipe customer``: ``from_model`` fine-tuned with the written customer-service corpus (train
    split) and a replay of its earlier data, given an intent head, then averaged with ``from_model`` in weight space
    (:data:`CUSTOMER_AVERAGE_WEIGHT`); packaged with pooled heads refit (labels and
    groupings on the recipe's emotion rows and the corpus's, intents on the corpus's intent rows) and intent
    thresholds tuned on the corpus's dev split (resumable)."""
    schema, dev = _recipe_dev(data_root)
    corpus_train, corpus_dev = read_corpus(split="train"), read_corpus(split="dev")
    args = replace(customer_arguments(output), max_steps=max_steps)
    student_reading(from_model, ["a first look at the model"])
    net = EmotionNet.from_directory(from_model)
    if net.intents is None:
        with torch.random.fork_rng():
            torch.manual_seed(args.seed)
            net.add_intent_head(len(INTENT_LABELS))
    data = customer_data(data_root, corpus_train, args.seed)
    tokenizer = tokenizer_source(from_model)
    tasks = anchored(customer_tasks(data, corpus_train, args.seed), net, AutoTokenizer.from_pretrained(tokenizer))
    Trainer(net, tokenizer, tasks, args).train()
    net.average_with(EmotionNet.from_directory(from_model), CUSTOMER_AVERAGE_WEIGHT)
    averaged = output / "averaged"
    net.save(averaged)
    AutoTokenizer.from_pretrained(str(output / "final")).save_pretrained(averaged)
    recipe_rows = data.previous["emotion"]
    group_train = with_corpus_rows(LabelledTexts(recipe_rows.texts, recipe_rows.targets, GOEMOTIONS_LABELS),
                                   corpus_train)
    provenance = replace(read_provenance(from_model).extended(command, customer_steps(args)),
                         training_data=[*RECIPE_SOURCES, "phenomena", WRITTEN_CORPUS])
    return package_model(averaged, model_dir, schema, dev, data_root, provenance, list(tasks["emotion"].texts),
                         group_train, refit_labels=True, corpus=WrittenCorpus(data.intents, corpus_dev, corpus_train))


def with_corpus_rows(recipe_rows: LabelledTexts, corpus_train: list[CorpusRow]) -> LabelledTexts:
    """The rows the customer recipe fits its pooled heads on: the recipe's emotion rows and the written corpus's
    train split with its emotion labels."""
    written = emotion_rows(corpus_train)
    return LabelledTexts(recipe_rows.texts + written.texts, np.concatenate([recipe_rows.targets, written.targets]),
                         GOEMOTIONS_LABELS)


def learnt_from_corpus(model_dir: Path) -> bool:
    """Whether a model's provenance names the written corpus among its training data (the customer recipe's)."""
    return WRITTEN_CORPUS in read_provenance(model_dir).training_data


def run_heads_refit(model_dir: Path, data_root: Path, command: str, from_model: Path) -> dict[str, object]:
    """``emotrace train --recipe heads``: ``from_model`` copied to ``model_dir`` with its pooled-vector heads (labels,
    groupings) refit on the recipe's emotion rows (and, for a model that learnt from the written corpus, the
    corpus's train split, as the customer recipe fitted them), network unchanged; re-tuned and re-measured
    (minutes)."""
    schema, dev = _recipe_dev(data_root)
    classifier = EmotionClassifier.from_pretrained(from_model)
    require_pooled_output(classifier)
    if classifier.schema.labels != schema.labels:
        raise EmotraceError("E316", f"{from_model} does not read the {len(schema.labels)} GoEmotions labels the recipe's "
                                    "rows teach.", "Refit the heads of a model trained with the shipped recipe.")
    with _working_copy(from_model, model_dir) as folder:
        if learnt_from_corpus(from_model):
            rows = with_corpus_rows(_emotion_rows(data_root), read_corpus(split="train"))
            return refit_heads(folder, rows, dev, data_root, command, POOLED_HEADS_CORPUS_STEP)
        return refit_heads(folder, _emotion_rows(data_root), dev, data_root, command, POOLED_HEADS_STEP)


WORD_VIEW_STEPS = {"topics": [TOPIC_VIEW_STEP, INTENT_VIEW_STEP, SATISFACTION_VIEW_STEP],
                   "intents": [INTENT_VIEW_STEP], "satisfaction": [SATISFACTION_VIEW_STEP]}


def run_word_views_fit(model_dir: Path, data_root: Path, command: str, from_model: Path,
                       recipe: str = "topics") -> dict[str, object]:
    """``emotrace train --recipe topics``: ``from_model`` copied to ``model_dir`` with the topic view fitted on the
    written corpus and the intent and satisfaction views refit over the same word features (network and every other
    head unchanged; a few minutes); the views' and the corpus's dev figures join the model's. ``--recipe intents`` /
    ``satisfaction``: that view alone is refit, over ``from_model``'s word features."""
    _require_data_root(data_root)
    source = EmotionClassifier.from_pretrained(from_model)
    require_pooled_output(source)
    if recipe == "satisfaction":
        require_word_vocabulary(source)  # before anything is copied
    with _working_copy(from_model, model_dir) as folder:
        return _fit_word_views(folder, data_root, command, recipe)


def _fit_word_views(model_dir: Path, data_root: Path, command: str, recipe: str) -> dict[str, object]:
    train, dev = read_corpus(split="train"), read_corpus(split="dev")
    metrics = read_config(model_dir).get("metrics") or {}
    if recipe != "satisfaction":
        comments = emotion_tasks(data_root)["emotion"].texts
        corpus = WrittenCorpus(intent_training_rows(data_root, train, comments, TrainingArguments.seed), dev, train)
        if recipe == "topics":
            metrics = {**metrics, "topics_dev": add_word_views(EmotionClassifier.from_pretrained(model_dir), corpus)}
        else:
            add_corpus_intent_view(model_dir, corpus)
    if recipe != "intents":
        add_corpus_satisfaction_view(model_dir, data_root, train)
        metrics = {**metrics, "satisfaction_dev": satisfaction_dev_report(EmotionClassifier.from_pretrained(model_dir),
                                                                          data_root)}
    fitted = EmotionClassifier.from_pretrained(model_dir)
    metrics = {**metrics, "written_corpus_dev": written_corpus_report(dev, fitted.predict([r.text for r in dev]))}
    update_config(model_dir, metrics=metrics)
    read_provenance(model_dir).extended(command, WORD_VIEW_STEPS[recipe]).save(model_dir)
    write_model_card(model_dir)
    return metrics
