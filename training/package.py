"""Turn a trained network into a shippable model directory.

Export to ONNX, quantize to int8, tune per-label and per-group thresholds on dev with the int8 runtime
itself (so serving applies exactly what was tuned), calibrate the satisfaction softmax (and fit the satisfaction view
over words, :mod:`emotrace.training.satisfaction_view`), measure the
figures and write them, with the provenance, into ``emotrace.json``; then ``MODEL_CARD.md`` from it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from transformers import AutoTokenizer

from emotrace.model.classifier import ONNX_FILE, EmotionClassifier, RawOutputs
from emotrace.model.config import update_config
from emotrace.model.decision import Thresholds, group_matrix, group_targets, tune_thresholds
from emotrace.model.group_heads import GROUP_HEADS_FILE, SATISFACTION_HEAD
from emotrace.model.labelled import LabelledTexts
from emotrace.model.labels import INTENT_VIEW, TOPIC_VIEW, LabelSchema
from emotrace.model.metrics import affect_report, evaluate, evaluate_outputs, fit_temperature, satisfaction_report
from emotrace.paths import staged_folder
from emotrace.training.data import read_emobank
from emotrace.training.export import export_onnx, freeze_activation_scales, quantize_int8
from emotrace.training.group_heads import add_pooled_heads
from emotrace.training.intents import add_intent_view
from emotrace.training.model_card import write_model_card
from emotrace.training.modeling import EmotionNet
from emotrace.training.provenance import Provenance, read_provenance
from emotrace.training.satisfaction_data import load_satisfaction
from emotrace.training.satisfaction_view import add_satisfaction_view
from emotrace.training.topics import add_topic_view
from emotrace.training.trainer import TrainingArguments
from emotrace.training.written_corpus import CorpusRow, written_corpus_report

CALIBRATION_TEXTS = 3000


def calibration_sample(texts: list[str], size: int = CALIBRATION_TEXTS, seed: int = 13) -> list[str]:
    """A fixed random sample of training texts whose activation ranges set the int8 graph's scales."""
    unique = sorted(set(texts))
    return random.Random(seed).sample(unique, min(size, len(unique)))


def export_directory(net: EmotionNet, tokenizer_dir: Path, schema: LabelSchema, out_dir: Path,
                     work_dir: Path, calibration_texts: list[str]) -> Path:
    """Write the int8 ONNX model (activation scales fixed on ``calibration_texts``, so a text reads the same in
    any batch), tokenizer and labels into ``out_dir`` (fp32 ONNX stays in work_dir)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    fp32 = export_onnx(net, work_dir / "model_fp32.onnx")
    quantize_int8(fp32, out_dir / ONNX_FILE)
    AutoTokenizer.from_pretrained(str(tokenizer_dir)).save_pretrained(out_dir)
    net.save_layout(out_dir)  # training on from this directory rebuilds the weights from the graph (rebuild.py)
    schema.save(out_dir)
    update_config(out_dir, thresholds=None, metrics=None)  # those of a network no longer there
    (out_dir / GROUP_HEADS_FILE).unlink(missing_ok=True)
    freeze_activation_scales(out_dir / ONNX_FILE,
                             EmotionClassifier.from_pretrained(out_dir).network_inputs(calibration_texts))
    return fp32


def tune_thresholds_on_dev(classifier: EmotionClassifier, dev: LabelledTexts) -> tuple[Thresholds, RawOutputs]:
    """Label and group thresholds tuned on dev with the exported runtime; returns them and the dev outputs."""
    schema = classifier.schema
    raw = classifier.raw_outputs(dev.texts)
    thresholds = Thresholds(
        labels=dict(zip(schema.labels, tune_thresholds(raw.probabilities, dev.targets).tolist(), strict=True)))
    for grouping in schema.groupings:
        matrix = group_matrix(schema, grouping)
        tuned = tune_thresholds(raw.groups[grouping], group_targets(dev.targets, matrix))
        thresholds.groupings[grouping] = dict(zip(schema.group_names(grouping), tuned.tolist(), strict=True))
    return thresholds, raw


@dataclass
class WrittenCorpus:
    """What packaging reads of the written customer-service corpus: the rows the intent head is fitted on, the dev
    rows that tune its thresholds (and the topics') and are measured, and the train rows the topic view is fitted on."""

    intent_train: LabelledTexts
    dev: list[CorpusRow]
    train: list[CorpusRow]


def add_corpus_intent_view(directory: Path, corpus: WrittenCorpus) -> None:
    """The intent view of the model in ``directory`` fitted on the corpus (its rows stating no intent weighted), its
    thresholds tuned on the corpus's dev rows (``--recipe intents``, and the last step of :func:`add_word_views`)."""
    add_intent_view(EmotionClassifier.from_pretrained(directory), corpus.intent_train, corpus.dev,
                    TrainingArguments.seed, corpus.train)


def add_word_views(classifier: EmotionClassifier, corpus: WrittenCorpus) -> dict[str, object]:
    """The topic view, then the intent view over the same word features (both fitted on the corpus, thresholds on
    its dev rows), written into the classifier's directory. Returns the topic view's dev figures."""
    topics = add_topic_view(classifier, corpus.train, corpus.dev)
    add_corpus_intent_view(classifier.directory, corpus)
    return topics


def tune_directory(out_dir: Path, dev: LabelledTexts, data_root: Path | None) -> RawOutputs:
    """Tune a freshly exported directory and write its thresholds: label and group thresholds on ``dev``, the
    satisfaction temperature on the satisfaction dev split (fitted on the network's own logits, whatever temperature
    the directory already holds, and whatever satisfaction head of its own, calibrated in its weights, serves the
    reading); the intent and topic thresholds, tuned when their views were fitted, stay. Returns
    the dev outputs (thresholds apply after)."""
    held = EmotionClassifier.from_pretrained(out_dir)
    exported = held.without_head(SATISFACTION_HEAD).with_thresholds(Thresholds())
    thresholds, raw_dev = tune_thresholds_on_dev(exported, dev)
    for view in (INTENT_VIEW, TOPIC_VIEW):  # tuned with their views (training.intents, training.topics)
        if view in held.thresholds.groupings:
            thresholds.groupings[view] = held.thresholds.groupings[view]
    if data_root is not None and "satisfaction_logits" in exported.outputs:
        sat_dev = load_satisfaction(data_root, "dev")
        raw = exported.raw_outputs(sat_dev.texts).satisfaction
        assert raw is not None
        thresholds = replace(thresholds, satisfaction_temperature=fit_temperature(raw, np.asarray(sat_dev.classes)))
    thresholds.save(out_dir)
    return raw_dev


def measure_directory(out_dir: Path, dev: LabelledTexts, data_root: Path | None, raw_dev: RawOutputs,
                      corpus_dev: list[CorpusRow] | None = None, test: LabelledTexts | None = None) -> dict[str, object]:
    """Measure a tuned directory (``raw_dev``: its outputs on ``dev``; with ``corpus_dev``, also on the written
    corpus's dev rows; with ``test``, on a held-out split apart: ``emotions_test``, None when it has no rows) and write
    the figures into its ``emotrace.json``."""
    classifier = EmotionClassifier.from_pretrained(out_dir)
    metrics: dict[str, object] = {
        "emotions_dev": evaluate_outputs(classifier, raw_dev, dev),
        "emotions_dev_threshold_0.5_macro_f1":
            evaluate_outputs(classifier.with_thresholds(Thresholds()), raw_dev, dev)["macro_f1"],
    }
    if test is not None:
        metrics["emotions_test"] = evaluate(classifier, test) if test.texts else None
    if corpus_dev:
        metrics["written_corpus_dev"] = written_corpus_report(corpus_dev, classifier.predict([r.text for r in corpus_dev]))
    if data_root is not None and "satisfaction_logits" in classifier.outputs:
        metrics["satisfaction_dev"] = satisfaction_dev_report(classifier, data_root)
    if data_root is not None and "affect" in classifier.outputs:
        texts, targets = read_emobank(data_root / "emobank" / "emobank.csv", "dev")
        affect = classifier.raw_outputs(texts).affect
        assert affect is not None
        metrics["affect_emobank_dev"] = affect_report(affect, targets)
    update_config(out_dir, metrics=metrics)
    return metrics


def satisfaction_dev_report(classifier: EmotionClassifier, data_root: Path) -> dict[str, object]:
    """The classifier's satisfaction reading of the satisfaction sources' dev split: over all rows and per source."""
    sat_dev = load_satisfaction(data_root, "dev")
    calibrated = classifier.raw_outputs(sat_dev.texts).satisfaction
    assert calibrated is not None
    gold, sources = np.asarray(sat_dev.classes), np.asarray(sat_dev.sources)
    return {
        "temperature": classifier.thresholds.satisfaction_temperature,
        "all": satisfaction_report(calibrated, gold),
        **{s: satisfaction_report(calibrated[sources == s], gold[sources == s]) for s in sorted(set(sources))},
    }


def add_corpus_satisfaction_view(directory: Path, data_root: Path, corpus_train: list[CorpusRow]) -> None:
    """The satisfaction view of the model in ``directory`` fitted on the satisfaction sources and the corpus's train
    rows (``--recipe satisfaction``, ``--recipe topics`` and the last view of a full packaging)."""
    add_satisfaction_view(EmotionClassifier.from_pretrained(directory), data_root, corpus_train,
                          TrainingArguments.seed)


def package_model(torch_dir: Path, out_dir: Path, schema: LabelSchema, dev: LabelledTexts,
                  data_root: Path | None, provenance: Provenance, calibration_texts: list[str],
                  group_train: LabelledTexts | None = None, refit_labels: bool = False,
                  corpus: WrittenCorpus | None = None, test: LabelledTexts | None = None) -> dict[str, object]:
    """Full packaging: export, quantize (scales fixed on a sample of ``calibration_texts``, the training texts),
    fit the pooled-vector heads (on ``group_train``, when given: the groupings' and, with ``refit_labels``, the
    labels'; with ``corpus``, the topic and intent views, and after tuning the satisfaction view), tune, measure
    (``test``: a held-out split, apart), write the provenance (how it was trained) and the card; assembled beside
    ``out_dir`` and renamed into place when done."""
    net = EmotionNet.from_directory(torch_dir).eval()
    with staged_folder(out_dir) as staged:  # a model already there is replaced only by a finished one
        export_directory(net, torch_dir, schema, staged, torch_dir.parent, calibration_sample(calibration_texts))
        if group_train is not None and (schema.groupings or refit_labels):
            add_pooled_heads(EmotionClassifier.from_pretrained(staged), group_train, refit_labels)
        topics = add_word_views(EmotionClassifier.from_pretrained(staged), corpus) if corpus is not None else None
        raw_dev = tune_directory(staged, dev, data_root)  # the network's own satisfaction temperature first
        if corpus is not None and data_root is not None:
            add_corpus_satisfaction_view(staged, data_root, corpus.train)
        metrics = measure_directory(staged, dev, data_root, raw_dev, corpus.dev if corpus else None, test)
        if topics is not None:
            metrics["topics_dev"] = topics
            update_config(staged, metrics=metrics)
        provenance.save(staged)
        write_model_card(staged)
    return metrics


def refit_heads(model_dir: Path, train: LabelledTexts, dev: LabelledTexts, data_root: Path | None, command: str,
                step: str) -> dict[str, object]:
    """Refit a packaged model's pooled-vector heads (labels and groupings) on ``train`` with its network unchanged;
    re-tune, re-measure, and extend its provenance and card (``step``: what this refit did, one recipe step)."""
    classifier = EmotionClassifier.from_pretrained(model_dir)
    add_pooled_heads(classifier, train, refit_labels=True)
    metrics = measure_directory(model_dir, dev, data_root, tune_directory(model_dir, dev, data_root))
    read_provenance(model_dir).extended(command, [step]).save(model_dir)
    write_model_card(model_dir)
    return metrics
