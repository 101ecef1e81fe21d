"""Grouped views read from their own heads over the pooled vector, or from the labels when a model has none."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from emotrace.errors import EmotraceError
from emotrace.model.classifier import DEFAULT_MODEL_DIR, EmotionClassifier
from emotrace.model.decision import group_matrix, group_probabilities
from emotrace.model.group_heads import GROUP_HEADS_FILE, POOLED_OUTPUT, load_group_heads, save_group_heads
from tests.model.test_classifier import LONG_TEXT

TEXTS = ["This is absolutely outrageous, I am furious with your useless service!",
         "Thank you so much, you made my day 😊", "The parcel arrived on Tuesday."]


def test_the_shipped_model_reads_grouped_views_from_its_heads(classifier) -> None:
    assert set(classifier.group_heads) == {"ekman", "sentiment"} and POOLED_OUTPUT in classifier.outputs
    raw = classifier.raw_outputs(TEXTS)
    from_labels = group_probabilities(raw.probabilities, group_matrix(classifier.schema, "ekman"))
    assert not np.allclose(raw.groups["ekman"], from_labels, atol=1e-3)  # the heads, not the best member
    readings = classifier.predict(TEXTS)
    assert "anger" in readings[0].views["ekman"].labels
    assert readings[1].views["sentiment"].labels == ["positive"]
    assert readings[2].views["ekman"].labels == ["neutral"]


def test_without_heads_a_group_is_its_most_probable_member(tmp_path) -> None:
    copy = shutil.copytree(DEFAULT_MODEL_DIR, tmp_path / "model")
    (copy / GROUP_HEADS_FILE).unlink()
    plain = EmotionClassifier.from_pretrained(copy)
    raw = plain.raw_outputs([*TEXTS, LONG_TEXT])
    assert raw.chunks[-1] > 1  # chunked texts too: combining chunks' groups = grouping the combined labels
    for grouping in ("ekman", "sentiment"):
        expected = group_probabilities(raw.probabilities, group_matrix(plain.schema, grouping))
        assert np.allclose(raw.groups[grouping], expected)
    assert "anger" in plain.predict(TEXTS[:1])[0].views["ekman"].labels


def test_heads_that_do_not_match_the_labels_are_refused(tmp_path) -> None:
    copy = shutil.copytree(DEFAULT_MODEL_DIR, tmp_path / "model")
    heads = load_group_heads(copy, EmotionClassifier.from_pretrained(copy).schema)
    weight, bias = heads["ekman"]
    save_group_heads({**heads, "ekman": (weight[:3], bias[:3])}, copy)
    with pytest.raises(EmotraceError, match=r"\[E113\].*ekman"):
        EmotionClassifier.from_pretrained(copy)
