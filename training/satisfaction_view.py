"""Fitting the satisfaction view over the pooled vector and the words: how the customer feels about the company.

The network's own satisfaction head was trained with the network, and the network was then averaged in weight space
with the one it started from (training.recipe); a head refit on the frozen int8 network's pooled vectors and the
text's word features (the topic view's vocabulary) reads the satisfaction sources and the written corpus better
than the head it was trained with (docs/benchmarks.md, eighteenth round): words carry what a pooled vector tuned for
feeling blurs ("even", "actually", "again", "who decided"). One linear softmax map over both, an offset from the
network's own head penalised toward it (so the network's reading stands where the words have little to say), fitted
on the satisfaction sources' train splits (at most ``SOURCE_CAP`` rows per source and class) and the written corpus's
train split (each row weighing ``CORPUS_WEIGHT``), calibrated by a temperature fitted on the sources' dev split and
folded into its weights.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from emotrace.errors import EmotraceError
from emotrace.model.classifier import EmotionClassifier, softmax
from emotrace.model.group_heads import SATISFACTION_HEAD, save_group_heads
from emotrace.model.metrics import fit_temperature
from emotrace.model.topic_terms import TopicTerms, WordFeatures
from emotrace.model.word_heads import WordHead
from emotrace.training.adapt import network_head
from emotrace.training.group_heads import fit_softmax_word_offset, pooled_vectors
from emotrace.training.satisfaction_data import SatisfactionData, load_satisfaction
from emotrace.training.written_corpus import CorpusRow, satisfaction_classes

# Chosen on dev (docs/benchmarks.md, eighteenth round): the corpus's rows × 1 / 3 / 6 / 10 gave the sources'
# dissatisfied-vs-rest macro-F1 .825 / .824 / .825 / .822 and the corpus's .893 / .904 / .912 / .919.
SOURCE_CAP = 8_000
CORPUS_WEIGHT = 10.0


def satisfaction_view_rows(data_root: Path, corpus_train: list[CorpusRow], seed: int
                           ) -> tuple[SatisfactionData, np.ndarray]:
    """The rows the view learns from (the sources, then the corpus's) and each row's weight in the loss."""
    rows = load_satisfaction(data_root, "train", cap_per_source_class=SOURCE_CAP, seed=seed)
    sources = len(rows.texts)
    for row, cls in zip(corpus_train, satisfaction_classes(corpus_train).tolist(), strict=True):
        rows.add(row.text, cls, "written_corpus")
    weights = np.ones(len(rows.texts), dtype=np.float32)
    weights[sources:] = CORPUS_WEIGHT
    return rows, weights


def require_word_vocabulary(classifier: EmotionClassifier) -> TopicTerms:
    """The classifier's word vocabulary (the topic view's), which the satisfaction view reads; E318 without one."""
    if classifier.topic_terms is None:
        raise EmotraceError("E318", f"{classifier.directory} has no word vocabulary for the satisfaction view to read.",
                            "Fit the topic view first (`emotrace train --recipe topics`).")
    return classifier.topic_terms


def add_satisfaction_view(classifier: EmotionClassifier, data_root: Path, corpus_train: list[CorpusRow],
                          seed: int) -> float:
    """Fit the satisfaction view over what the classifier's word heads read, calibrate it on the sources' dev split
    and write it into the classifier's model directory (it then serves the satisfaction reading). Returns the
    temperature folded into its weights."""
    terms = require_word_vocabulary(classifier)
    rows, weights = satisfaction_view_rows(data_root, corpus_train, seed)

    def features(texts: list[str], what: str) -> tuple[np.ndarray, WordFeatures]:
        return (pooled_vectors(classifier, texts, what),
                terms.sparse_features([classifier.normalizer(t) for t in texts]))

    pooled, words = features(rows.texts, "satisfaction rows")
    start = network_head(classifier, SATISFACTION_HEAD)  # the network's own head, at its temperature
    weight, bias = fit_softmax_word_offset(pooled, words, np.asarray(rows.classes), start, seed, weights)
    dev = load_satisfaction(data_root, "dev")
    dev_pooled, dev_words = features(dev.texts, "satisfaction dev rows")
    temperature = fit_temperature(softmax(WordHead((weight, bias)).logits(dev_pooled, dev_words)),
                                  np.asarray(dev.classes))
    save_group_heads({**classifier.group_heads, SATISFACTION_HEAD: (weight / temperature, bias / temperature)},
                     classifier.directory)
    return temperature
