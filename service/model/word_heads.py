"""Heads that read each text's word features beside its pooled vector (:mod:`emotrace.model.topic_terms`) and, the
intent head, beside the early layer's too where the graph outputs it (``WordHead.reads_early``).

The topic head is one linear map over both, and so is the satisfaction head where it was fitted so (a softmax over
the three classes; it otherwise reads the pooled vector alone, :mod:`emotrace.model.group_heads`). The intent head
may have one hidden layer before its linear output
(stored as a second head, ``intents_hidden``): a linear map over words and the pooled vector cannot tell "my lawyer
needs a copy of the statements" from "my lawyer will hear about this", which share their words; a hidden layer
reads words together (docs/benchmarks.md, sixteenth round). All read each text whole: a topic or an intent anywhere
in a long text counts through its words, and its pooled vector is the chunks' token-weighted mean.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emotrace.errors import EmotraceError
from emotrace.model.group_heads import EARLY_POOLED_OUTPUT, SATISFACTION_HEAD, hidden_layer_of
from emotrace.model.labels import INTENT_VIEW, TOPIC_VIEW
from emotrace.model.topic_terms import TOPIC_TERMS_FILE, TopicTerms, WordFeatures

Linear = tuple[np.ndarray, np.ndarray]  # weight (outputs, inputs), bias (outputs,)
_GELU_SCALE = float(np.sqrt(2.0 / np.pi))


def gelu(x: np.ndarray) -> np.ndarray:
    """GELU in its tanh form, as the hidden layers are trained with (``torch.nn.functional.gelu(approximate="tanh")``)."""
    return np.asarray(0.5 * x * (1.0 + np.tanh(_GELU_SCALE * (x + 0.044715 * x**3))), dtype=np.float32)


def _over_words(layer: Linear, pooled: np.ndarray, words: WordFeatures) -> np.ndarray:
    """A linear layer whose inputs are the pooled vector then the word features."""
    weight, bias = layer
    width = pooled.shape[1]
    return np.asarray(pooled @ weight[:, :width].T + words.times(weight[:, width:]) + bias, dtype=np.float32)


@dataclass(frozen=True)
class WordHead:
    """A head over the pooled vector and word features: linear (``hidden`` None), or one hidden layer then a linear
    output over its activations."""

    output: Linear
    hidden: Linear | None = None
    reads_early: bool = False  # the early layer's vector (EARLY_POOLED_OUTPUT) after the pooled one: the intent head

    def vectors(self, pooled: np.ndarray, early_pooled: np.ndarray | None) -> np.ndarray:
        """The text vectors this head reads beside word features: the pooled ones, then the early layer's where it
        reads them (``RawOutputs.early_pooled``)."""
        if not self.reads_early:
            return pooled
        if early_pooled is None:
            raise ValueError("this head reads the early layer's vectors too: pass RawOutputs.early_pooled")
        return np.hstack([pooled, early_pooled])

    def hidden_activations(self, pooled: np.ndarray, words: WordFeatures) -> np.ndarray:
        """What the output layer of a head with a hidden layer reads: (texts, hidden units)."""
        assert self.hidden is not None, "a linear head reads the pooled vector and words directly"
        return gelu(_over_words(self.hidden, pooled, words))

    def logits(self, pooled: np.ndarray, words: WordFeatures) -> np.ndarray:
        """(texts, outputs) logits."""
        if self.hidden is None:
            return _over_words(self.output, pooled, words)
        weight, bias = self.output
        return np.asarray(self.hidden_activations(pooled, words) @ weight.T + bias, dtype=np.float32)


def word_heads(heads: dict[str, Linear], terms: TopicTerms | None, pooled_width: object,
               early_width: object = 0) -> dict[str, WordHead]:
    """The heads of ``heads`` that read word features beside the pooled vector: the topic head, and the intent and
    satisfaction heads where they were fitted so (the width of a head's first layer says it). The intent head may read
    the early layer's vector too, where the graph outputs one (``early_width`` wide): its width says that as well.

    A head wider than the pooled vector reads words: without the vocabulary (``topic_terms.json``), or with one of
    another width, it could not be served, so the model is refused (E116, E113) rather than served without it."""
    if not isinstance(pooled_width, int):
        return {}
    early = early_width if isinstance(early_width, int) else 0
    first_layers = {view: heads.get(hidden_layer_of(view), heads[view])
                    for view in (INTENT_VIEW, TOPIC_VIEW, SATISFACTION_HEAD) if view in heads}
    over_words = sorted(view for view, (weight, _) in first_layers.items() if weight.shape[1] != pooled_width)
    if over_words and terms is None:
        raise EmotraceError(
            "E116", f"The heads {', '.join(over_words)} read word features, and the model folder has no "
                    f"{TOPIC_TERMS_FILE} (their vocabulary).",
            f"Restore {TOPIC_TERMS_FILE} saved with this model, or refit its word views "
            "(`emotrace train --recipe topics`).")
    found = {}
    for view in over_words:
        width = first_layers[view][0].shape[1] - pooled_width
        reads_early = view == INTENT_VIEW and early > 0 and terms is not None and width - early == terms.width
        width -= early if reads_early else 0
        if view == INTENT_VIEW and not early and terms is not None and width - pooled_width == terms.width:
            raise EmotraceError(
                "E113", f"The head '{view}' reads the early layer's vector too, and model.onnx does not output "
                        f"'{EARLY_POOLED_OUTPUT}'.",
                "Restore the model.onnx saved with these heads, or refit the intent view (`emotrace train --recipe "
                "intents`), which adds it.")
        if terms is None or width != terms.width:
            raise EmotraceError(
                "E113", f"The head '{view}' reads {width} word features, and {TOPIC_TERMS_FILE} holds "
                        f"{terms.width if terms else 0} word features.",
                f"Restore the {TOPIC_TERMS_FILE} and group heads saved together with this model.")
        found[view] = WordHead(heads[view], heads.get(hidden_layer_of(view)), reads_early)
    return found
