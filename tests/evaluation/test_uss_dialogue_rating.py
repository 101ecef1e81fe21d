"""USS dialogue-rating benchmark: the per-dialogue features and the cross-validated evaluation."""

from __future__ import annotations

import numpy as np
import pytest

from emotrace.evaluation.uss_dialogue_rating import FEATURES, collapse, dialogue_features, evaluate, stratification_groups
from emotrace.model.reading import GroupedView, Reading

EKMAN = ("anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral")


def reading(dissatisfied: float, satisfied: float, valence: float = 0.0, arousal: float = 0.5,
            anger: float = 0.0, disgust: float = 0.0) -> Reading:
    """A reading with the given satisfaction probabilities (neutral takes the rest) and Ekman anger/disgust."""
    satisfaction = {"dissatisfied": dissatisfied, "neutral": 1.0 - dissatisfied - satisfied, "satisfied": satisfied}
    ekman = {name: 0.0 for name in EKMAN} | {"anger": anger, "disgust": disgust}
    return Reading(text="t", probabilities={"neutral": 1.0}, labels=["neutral"],
                   views={"ekman": GroupedView(probabilities=ekman, labels=[])}, valence=valence, arousal=arousal,
                   satisfaction=satisfaction, satisfaction_score=satisfied - dissatisfied)


def test_features_have_known_values() -> None:
    turns = [reading(0.8, 0.1, valence=-0.6, arousal=0.9, anger=0.5, disgust=0.1),
             reading(0.1, 0.2, valence=0.0, arousal=0.3),
             reading(0.0, 0.9, valence=0.6, arousal=0.3, anger=0.1)]
    features = dialogue_features(turns)
    assert set(features) == set(FEATURES)
    assert features["mean_satisfaction"] == pytest.approx((-0.7 + 0.1 + 0.9) / 3)
    assert features["min_satisfaction"] == pytest.approx(-0.7)
    assert features["last_satisfaction"] == pytest.approx(0.9)
    assert features["satisfaction_arc"] == pytest.approx(1.6)
    assert features["dissatisfied_share"] == pytest.approx(1 / 3)  # turn 2's top class is neutral (0.7)
    assert features["mean_valence"] == pytest.approx(0.0)
    assert features["min_valence"] == pytest.approx(-0.6)
    assert features["mean_arousal"] == pytest.approx(0.5)
    assert features["mean_anger_disgust"] == pytest.approx(0.7 / 3)
    assert features["turns"] == 3.0


def test_arc_follows_the_direction_of_the_dialogue() -> None:
    better = [reading(0.7, 0.1), reading(0.3, 0.3), reading(0.05, 0.9)]
    assert dialogue_features(better)["satisfaction_arc"] > 0
    assert dialogue_features(better[::-1])["satisfaction_arc"] < 0


def test_more_dissatisfied_turns_give_the_higher_share() -> None:
    calm = [reading(0.1, 0.6), reading(0.7, 0.1), reading(0.2, 0.2)]
    angry = [reading(0.9, 0.05), reading(0.7, 0.1), reading(0.6, 0.1)]
    assert dialogue_features(angry)["dissatisfied_share"] == 1.0
    assert dialogue_features(calm)["dissatisfied_share"] == pytest.approx(1 / 3)


def test_a_dialogue_without_readings_is_refused() -> None:
    with pytest.raises(ValueError):
        dialogue_features([])


def test_collapse_and_stratification_merge_rare_classes() -> None:
    assert collapse(np.array([1, 2, 3, 4, 5])).tolist() == [1, 1, 2, 3, 3]
    gold = np.array([1] * 2 + [2] * 10 + [3] * 20 + [4] * 10 + [5] * 3)
    groups = stratification_groups(gold, folds=5)
    assert set(groups.tolist()) == {2, 3, 4}
    assert (groups[gold == 1] == 2).all() and (groups[gold == 5] == 4).all()


def number(figures: dict[str, object], key: str) -> float:
    value = figures[key]
    assert isinstance(value, float), (key, value)
    return value


def test_separable_features_beat_the_majority_baseline() -> None:
    rng = np.random.default_rng(0)
    gold = rng.choice([2, 3, 4], size=300, p=[0.2, 0.5, 0.3])
    informative = gold + rng.normal(0, 0.2, size=300)  # separable by rating
    noise = rng.normal(size=(300, 2))
    features = np.column_stack([noise[:, 0], informative, noise[:, 1]])
    figures = evaluate(features, gold, folds=5, baseline_column=0)  # the baseline gets a noise column
    assert figures["n class 3"] == int((gold == 3).sum())
    assert figures["majority spearman"] is None
    assert number(figures, "majority accuracy") == pytest.approx((gold == 3).mean())
    assert number(figures, "model accuracy") > 0.9
    assert number(figures, "model accuracy") > number(figures, "majority accuracy") + 0.3
    assert number(figures, "model spearman") > 0.8
    assert number(figures, "mean turn satisfaction macro-F1") < 0.6


def test_the_turn_figures_read_turns_not_the_dialogues_overall_rating_rows(data_root) -> None:
    """Found by a review: customer_domain scored each dialogue's "OVERALL" rating row as a turn (3,500 rows)."""
    import csv

    from emotrace.evaluation.customer_domain import evaluation_sets

    with (data_root / "uss_user_satisfaction" / "uss_user_turns.csv").open(encoding="utf-8", newline="") as handle:
        turns = [r for r in csv.DictReader(handle) if r["is_overall"] == "0" and r["text"].strip()]
    uss = evaluation_sets(data_root)["uss"]
    assert "OVERALL" not in uss.texts and len(uss.texts) == len(turns)
