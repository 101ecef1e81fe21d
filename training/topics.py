"""Fitting the topic view: what a message is about, over the customer-experience taxonomy.

With the network frozen, one linear map reads the served (int8) model's pooled vector and the text's TF-IDF word
features (:class:`~emotrace.model.topic_terms.TopicTerms`) and learns the written customer-service corpus's topic
labels (train split); thresholds are tuned on its dev split. Chosen on dev (docs/benchmarks.md#topics): the pooled
vector alone reads topics at macro-F1 .45, the words alone .51, both .59.
"""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from emotrace.model.classifier import EmotionClassifier
from emotrace.model.group_heads import save_group_heads
from emotrace.model.labels import TOPIC_LABELS, TOPIC_VIEW, LabelSchema
from emotrace.model.topic_terms import NGRAM_RANGE, TopicTerms
from emotrace.training.group_heads import fit_linear_head, head_inputs, tune_view_thresholds
from emotrace.training.written_corpus import CorpusRow, topic_rows

# Chosen on the corpus's dev split (docs/benchmarks.md#topics): 6,000 / 20,000 terms at scale 2 / 3 / 6 / 10 and L2
# 3e-6 / 1e-5 read dev within .03 macro-F1 of each other; 20,000 at 6 with the pooled heads' L2 read it best.
MAX_TERMS = 20000  # vocabulary size (unigrams and bigrams)
TERM_SCALE = 6.0  # the word features' weight beside the pooled vector


def fit_topic_terms(texts: list[str], max_terms: int = MAX_TERMS, scale: float = TERM_SCALE) -> TopicTerms:
    """The vocabulary of the ``max_terms`` most frequent unigrams and bigrams seen in at least two ``texts``, with
    their idf weights."""
    vectorizer = TfidfVectorizer(ngram_range=NGRAM_RANGE, min_df=2, sublinear_tf=True, max_features=max_terms,
                                 dtype=np.float32).fit(texts)
    vocabulary = {term: int(column) for term, column in vectorizer.vocabulary_.items()}
    return TopicTerms(vocabulary, vectorizer.idf_.astype(np.float32), scale)


def add_topic_view(classifier: EmotionClassifier, train: list[CorpusRow], dev: list[CorpusRow]) -> dict[str, object]:
    """Fit the topic head and vocabulary on ``train``, tune its thresholds on ``dev``, and write them (with the
    topics named in the label schema) into the classifier's model directory. Returns the dev figures."""
    directory = classifier.directory
    gold_train, gold_dev = topic_rows(train), topic_rows(dev)
    terms = fit_topic_terms([classifier.normalizer(t) for t in gold_train.texts])
    weight, bias = fit_linear_head(head_inputs(classifier, terms, gold_train.texts, "topic rows"), gold_train.targets)
    schema = classifier.schema
    LabelSchema(schema.labels, schema.groupings, schema.neutral_label, schema.intents, TOPIC_LABELS).save(directory)
    save_group_heads({**classifier.group_heads, TOPIC_VIEW: (weight, bias)}, directory)
    terms.save(directory)
    probabilities = tune_view_thresholds(directory, TOPIC_VIEW, TOPIC_LABELS, gold_dev)
    thresholds = EmotionClassifier.from_pretrained(directory).thresholds.for_grouping(TOPIC_VIEW, list(TOPIC_LABELS))
    return topic_report(probabilities, gold_dev.targets, thresholds)


def topic_report(probabilities: np.ndarray, targets: np.ndarray, thresholds: np.ndarray) -> dict[str, object]:
    """Macro-F1 over the topics at ``thresholds``, per-topic F1, and how often the most probable topic is a gold
    one (rows with a gold topic)."""
    fired, gold = probabilities >= thresholds, targets > 0
    tp = (fired & gold).sum(axis=0)
    f1 = np.where(fired.sum(axis=0) + gold.sum(axis=0) > 0,
                  2 * tp / np.maximum(fired.sum(axis=0) + gold.sum(axis=0), 1), 0.0)
    has_topic = gold.any(axis=1)
    top = probabilities.argmax(axis=1)
    return {"macro_f1": round(float(f1.mean()), 4),
            "per_topic_f1": {name: round(float(v), 4) for name, v in zip(TOPIC_LABELS, f1, strict=True)},
            "top_topic_accuracy": round(float(gold[np.arange(len(top)), top][has_topic].mean()), 4),
            "rows": len(targets)}
