"""Grouped views read from their own heads over the pooled vector, or from the labels when a model has none."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from emotrace.errors import EmotraceError
from emotrace.model.classifier import DEFAULT_MODEL_DIR, EmotionClassifier, sigmoid
from emotrace.model.decision import group_matrix, group_probabilities
from emotrace.model.group_heads import (
    GROUP_HEADS_FILE,
    LABEL_HEAD,
    POOLED_OUTPUT,
    SATISFACTION_HEAD,
    hidden_layer_of,
    load_group_heads,
    save_group_heads,
)
from emotrace.model.labels import INTENT_VIEW, TOPIC_VIEW
from tests.model.test_classifier import LONG_TEXT

TEXTS = ["This is absolutely outrageous, I am furious with your useless service!",
         "Thank you so much, you made my day 😊", "The parcel arrived on Tuesday."]


def test_the_shipped_model_reads_grouped_views_from_its_heads(classifier) -> None:
    assert set(classifier.group_heads) == {"ekman", "sentiment", INTENT_VIEW, hidden_layer_of(INTENT_VIEW), TOPIC_VIEW,
                                           LABEL_HEAD, SATISFACTION_HEAD}
    assert POOLED_OUTPUT in classifier.outputs
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


def test_the_shipped_model_reads_its_labels_from_the_head_refit_on_its_pooled_vectors(classifier, tmp_path) -> None:
    """The label head refit over the int8 network's pooled vector replaces the graph's own; without it the graph's
    head reads again (the two differ), and both read these plain texts the same way."""
    raw = classifier.raw_outputs(TEXTS)
    weight, bias = classifier.group_heads[LABEL_HEAD]
    assert raw.pooled is not None and np.allclose(raw.probabilities, sigmoid(raw.pooled @ weight.T + bias), atol=1e-6)
    copy = shutil.copytree(DEFAULT_MODEL_DIR, tmp_path / "model")
    heads = load_group_heads(copy, classifier.schema)
    save_group_heads({name: head for name, head in heads.items() if name != LABEL_HEAD}, copy)
    graph_head = EmotionClassifier.from_pretrained(copy)
    assert LABEL_HEAD not in graph_head.group_heads
    assert np.abs(graph_head.raw_outputs(TEXTS).probabilities - raw.probabilities).max() > 0.01
    for refit, graph in zip(classifier.predict(TEXTS), graph_head.predict(TEXTS), strict=True):
        assert refit.views["ekman"].labels == graph.views["ekman"].labels


def test_a_label_head_of_the_wrong_width_is_refused(tmp_path) -> None:
    copy = shutil.copytree(DEFAULT_MODEL_DIR, tmp_path / "model")
    heads = load_group_heads(copy, EmotionClassifier.from_pretrained(copy).schema)
    weight, bias = heads[LABEL_HEAD]
    save_group_heads({**heads, LABEL_HEAD: (weight[:5], bias[:5])}, copy)
    with pytest.raises(EmotraceError, match=r"\[E113\].*'labels' with 5 outputs"):
        EmotionClassifier.from_pretrained(copy)


def test_saved_heads_are_readable_as_other_files_are(tmp_path) -> None:
    """safetensors writes 0600; a service running as another user must read a packaged model (issue 28)."""
    save_group_heads({LABEL_HEAD: (np.zeros((2, 3)), np.zeros(2))}, tmp_path)
    neighbour = tmp_path / "labels.json"
    neighbour.write_text("{}")
    assert (tmp_path / GROUP_HEADS_FILE).stat().st_mode & 0o777 == neighbour.stat().st_mode & 0o777
