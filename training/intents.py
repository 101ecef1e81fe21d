"""Fitting the intent view: what a customer says they will do or want (leave, escalate, get money back, go to law).

With the network frozen, one linear map reads the served (int8) model's pooled vector and the text's word features
(the topic view's vocabulary, :class:`~emotrace.model.topic_terms.TopicTerms`; the pooled vector alone for a model
without one) and learns the written customer-service corpus's intents (train split) against negatives from other
sources (:func:`~emotrace.training.recipe.intent_training_rows`); thresholds are tuned on the corpus's dev split.
Chosen on dev (docs/benchmarks.md#intents-over-words): the words lift intent precision where the pooled vector, tuned
for feeling, confuses an angry message with a threat to leave.
"""

from __future__ import annotations

from emotrace.model.classifier import EmotionClassifier
from emotrace.model.group_heads import save_group_heads
from emotrace.model.labelled import LabelledTexts
from emotrace.model.labels import INTENT_LABELS, INTENT_VIEW, LabelSchema
from emotrace.training.group_heads import fit_linear_head, head_inputs, tune_view_thresholds
from emotrace.training.written_corpus import CorpusRow, intent_rows


def add_intent_view(classifier: EmotionClassifier, train: LabelledTexts, dev: list[CorpusRow]) -> None:
    """Fit the intent head on ``train`` (intent targets) over what the classifier's word heads read, tune its
    thresholds on the corpus's ``dev`` rows, and write both (with the intents named in the label schema) into its
    model directory."""
    directory = classifier.directory
    weight, bias = fit_linear_head(head_inputs(classifier, classifier.topic_terms, train.texts, "intent rows"),
                                   train.targets)
    schema = classifier.schema
    LabelSchema(schema.labels, schema.groupings, schema.neutral_label, INTENT_LABELS, schema.topics).save(directory)
    save_group_heads({**classifier.group_heads, INTENT_VIEW: (weight, bias)}, directory)
    tune_view_thresholds(directory, INTENT_VIEW, INTENT_LABELS, intent_rows(dev))
