from __future__ import annotations

import numpy as np
import pytest

from emotrace.errors import EmotraceError
from emotrace.model.config import read_config, update_config
from emotrace.model.decision import (
    Thresholds,
    decide,
    group_matrix,
    group_probabilities,
    group_targets,
    tune_thresholds,
)
from emotrace.model.labels import LabelSchema

SCHEMA = LabelSchema(("anger", "annoyance", "joy", "neutral"), {"tone": {"bad": ("anger", "annoyance"), "good": ("joy",)}})


def test_decide_uses_thresholds_and_falls_back_to_closest() -> None:
    """With none over its threshold, the label with the highest probability / threshold fires: not the most
    probable one (row 3: 0.35 / 0.5 < 0.25 / 0.3), nor the one nearest its threshold in points (row 4: 0.4 is 0.1
    under 0.5, 0.22 only 0.08 under 0.3, but 0.4 / 0.5 > 0.22 / 0.3)."""
    probs = np.array([[0.9, 0.1, 0.4], [0.2, 0.25, 0.1], [0.35, 0.1, 0.25], [0.4, 0.05, 0.22]])
    fired = decide(probs, np.array([0.5, 0.5, 0.3]))
    assert fired.tolist() == [[True, False, True], [False, True, False], [False, False, True], [True, False, False]]


def test_group_probability_is_best_member() -> None:
    probs = np.array([[0.1, 0.7, 0.2]])
    matrix = np.array([[1, 0], [1, 0], [0, 1]], dtype=np.float32)
    assert np.allclose(group_probabilities(probs, matrix), [[0.7, 0.2]])
    assert group_targets(np.array([[0, 0, 1]], dtype=np.float32), matrix).tolist() == [[0, 1]]


def test_tuned_threshold_separates_the_classes() -> None:
    probs = np.array([[0.1], [0.2], [0.35], [0.4], [0.9]])
    gold = np.array([[0], [0], [1], [1], [1]])
    threshold = tune_thresholds(probs, gold)[0]
    assert 0.2 < threshold <= 0.35


def test_group_matrix_puts_each_label_in_its_group() -> None:
    assert group_matrix(SCHEMA, "tone").tolist() == [[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]]  # neutral: its own


def test_thresholds_round_trip_and_default_to_one_half(tmp_path) -> None:
    SCHEMA.save(tmp_path)
    assert Thresholds.load(tmp_path, SCHEMA) == Thresholds()  # none saved: every threshold 0.5
    saved = Thresholds({"joy": 0.3}, {"tone": {"bad": 0.25}}, satisfaction_temperature=1.5)
    saved.save(tmp_path)
    assert read_config(tmp_path)["thresholds"] == {
        "labels": {"joy": 0.3}, "groupings": {"tone": {"bad": 0.25}}, "satisfaction_temperature": 1.5}
    loaded = Thresholds.load(tmp_path, SCHEMA)
    assert loaded == saved
    assert np.allclose(loaded.for_labels(["neutral", "joy"]), [0.5, 0.3])
    assert np.allclose(loaded.for_grouping("tone", ["good", "bad"]), [0.5, 0.25])
    assert np.allclose(loaded.for_grouping("sentiment", ["positive"]), [0.5])


def test_thresholds_for_labels_the_model_lacks_are_refused(tmp_path) -> None:
    SCHEMA.save(tmp_path)
    Thresholds({"joy": 0.3, "zeal": 0.4, "awe": 0.2}).save(tmp_path)
    with pytest.raises(EmotraceError, match=r"\[E107\].*\['awe', 'zeal'\]"):
        Thresholds.load(tmp_path, SCHEMA)


@pytest.mark.parametrize(("thresholds", "named"), [
    ({"labels": {"joy": None}}, "labels.joy is None"), ({"labels": {"joy": float("nan")}}, "labels.joy is nan"),
    ({"labels": {"joy": 1.5}}, "labels.joy is 1.5"), ({"labels": ["joy"]}, "'labels' is not an object"),
    ({"groupings": {"tone": {"bad": "high"}}}, "groupings.tone.bad is 'high'"),
    ({"satisfaction_temperature": 0}, "satisfaction_temperature is 0"), ([0.5], "is not an object"),
])
def test_thresholds_that_cannot_be_decided_with_are_refused_by_name(tmp_path, thresholds, named: str) -> None:
    """Found by a review: a NaN or null threshold fired its label on every text no other label reached; a list where
    the section belongs was a TypeError or AttributeError; a temperature of 0 read every satisfaction as NaN."""
    SCHEMA.save(tmp_path)
    update_config(tmp_path, thresholds=thresholds)
    with pytest.raises(EmotraceError, match=r"\[E106\]") as refused:
        Thresholds.load(tmp_path, SCHEMA)
    assert named in str(refused.value)


@pytest.mark.parametrize(("groupings", "named"), [({"Tone": {"bad": 0.3}}, "'Tone'"),
                                                  ({"tone": {"baad": 0.3}}, "'baad'"),
                                                  ({"intents": {"churn_threat": 0.4}}, "'churn_threat'")])
def test_thresholds_for_groupings_or_groups_the_model_lacks_are_refused(tmp_path, groupings, named) -> None:
    """Found by a review: "Ekman" for "ekman", or {"ekman": {"angr": 0.3}}, loaded without a word, and the view then
    decided at 0.5 instead of its tuned thresholds."""
    SCHEMA.save(tmp_path)
    Thresholds({}, groupings).save(tmp_path)
    with pytest.raises(EmotraceError, match=rf"\[E107\].*{named}"):
        Thresholds.load(tmp_path, SCHEMA)
