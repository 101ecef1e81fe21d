"""Paired comparison of two models' decisions on the same texts."""

from __future__ import annotations

from emotrace.evaluation.emoji_ablation import decision_changes


def test_counts_only_texts_the_models_decide_differently() -> None:
    gold = [{"joy"}, {"anger"}, {"sadness"}, {"fear"}]
    ours = [{"joy"}, {"sadness"}, {"sadness"}, {"joy"}]
    theirs = [{"anger"}, {"anger"}, {"sadness"}, {"neutral"}]
    assert decision_changes(gold, ours, theirs) == {"changed": 3, "right only here": 1, "right only in the other": 1}
