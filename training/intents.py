"""Fitting the intent view: what a customer says they will do or want (leave, escalate, get money back, go to law).

With the network frozen, a head with one hidden layer reads the served (int8) model's pooled vector and the text's
word features (the topic view's vocabulary, :class:`~emotrace.model.topic_terms.TopicTerms`; a linear map over the
pooled vector alone for a model without one) and learns the written customer-service corpus's intents (train split)
against negatives from other sources (:func:`~emotrace.training.recipe.intent_training_rows`); thresholds are tuned
on the corpus's dev split. Chosen on dev: the words lift intent precision where the pooled vector, tuned for feeling,
confuses an angry message with a threat to leave (docs/benchmarks.md#intents-over-words); the hidden layer reads
words together, which a linear map cannot ("my lawyer needs a copy" vs "my lawyer will hear about this"; sixteenth
round). A second such head reads the second encoder layer's mean-pooled vector (nearer the words said than the last
layer, tuned for feeling) with the same words, their logits blended: "I want a refund." and "I'll see you in court."
read as intents through it (fifty-first round).
"""

from __future__ import annotations

import numpy as np

from emotrace.model.classifier import ONNX_FILE, EmotionClassifier
from emotrace.model.group_heads import EARLY_POOLED_OUTPUT, hidden_layer_of, save_group_heads
from emotrace.model.labelled import LabelledTexts
from emotrace.model.labels import INTENT_LABELS, INTENT_VIEW, LabelSchema
from emotrace.training.export import add_early_pooled_output
from emotrace.training.group_heads import fit_linear_head, fit_two_hidden_heads, text_vectors, tune_view_thresholds
from emotrace.training.written_corpus import CorpusRow, intent_rows

# The weight of the head over the early layer's vector (EARLY_POOLED_OUTPUT) in the intent head's logits, beside the
# head over the last layer's. Chosen on dev with cross-fitted thresholds (docs/benchmarks.md, fifty-first round):
# layers 1-4 at 0.2 / 0.35 / 0.5 / 0.65, the second layer (1) at 0.5 best: macro-F1 .921 (the last layer alone .904),
# no-intent rows given one 32 (30).
EARLY_WEIGHT = 0.5

# The corpus's rows that state no intent (its written look-alikes and complaints without one) weigh this much in the
# hidden head's loss: they are the hard negatives, outnumbered by easy ones (BANKING77 queries, Reddit comments).
# Chosen on dev with cross-fitted thresholds (docs/benchmarks.md, seventeenth round): × 1 / 2 / 4 gave macro-F1
# .882 / .888 / .887 and 32 / 31 / 28 of 813 no-intent rows given an intent.
HARD_NEGATIVE_WEIGHT = 2.0


def add_intent_view(classifier: EmotionClassifier, train: LabelledTexts, dev: list[CorpusRow], seed: int,
                    written: list[CorpusRow]) -> None:
    """Fit the intent head on ``train`` (intent targets) over what the classifier's word heads read (from ``seed``;
    rows of the ``written`` corpus stating no intent weigh ``HARD_NEGATIVE_WEIGHT``), tune its thresholds on the
    corpus's ``dev`` rows, and write both (with the intents named in the label schema) into its model directory."""
    directory = classifier.directory
    terms = classifier.topic_terms
    if terms is not None and EARLY_POOLED_OUTPUT not in classifier.outputs:  # a graph exported before it had one
        add_early_pooled_output(directory / ONNX_FILE)
        classifier = EmotionClassifier.from_pretrained(directory)
    pooled, early = text_vectors(classifier, train.texts, "intent rows")
    heads = {name: head for name, head in classifier.group_heads.items() if name != hidden_layer_of(INTENT_VIEW)}
    if terms is None:
        heads[INTENT_VIEW] = fit_linear_head(pooled, train.targets)
    else:
        assert early is not None  # added above
        words = terms.sparse_features([classifier.normalizer(t) for t in train.texts])
        unstated = {row.text for row in written if not row.intents}
        weights = np.array([HARD_NEGATIVE_WEIGHT if text in unstated else 1.0 for text in train.texts])
        heads[hidden_layer_of(INTENT_VIEW)], heads[INTENT_VIEW] = fit_two_hidden_heads(
            pooled, early, words, train.targets, seed, weights, EARLY_WEIGHT)
    schema = classifier.schema
    LabelSchema(schema.labels, schema.groupings, schema.neutral_label, INTENT_LABELS, schema.topics).save(directory)
    save_group_heads(heads, directory)
    tune_view_thresholds(directory, INTENT_VIEW, INTENT_LABELS, intent_rows(dev))
