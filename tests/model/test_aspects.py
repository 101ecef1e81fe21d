"""Aspects: each topic takes the satisfaction of the clause most about it."""

from __future__ import annotations

import numpy as np

from emotrace.model.aspects import ClauseReadings, message_aspects

NAMES = ["delay_waiting", "product_quality", "staff_behaviour"]
DISSATISFIED, SATISFIED = [0.8, 0.1, 0.1], [0.05, 0.15, 0.8]


def _clauses(topics: list[list[float]], satisfaction: list[list[float]], threshold: float = 0.5) -> ClauseReadings:
    probabilities = np.array(topics)
    return ClauseReadings([f"clause {i}" for i in range(len(topics))], probabilities, probabilities >= threshold,
                          np.array(satisfaction))


def test_each_topic_takes_its_own_clause_satisfaction() -> None:
    clauses = _clauses([[0.1, 0.9, 0.0], [0.7, 0.2, 0.1]], [SATISFIED, DISSATISFIED])
    aspects = message_aspects(NAMES, ["product_quality"], clauses)
    assert [(a.topic, a.satisfaction_class, a.clause) for a in aspects] == [
        ("product_quality", "satisfied", "clause 0"), ("delay_waiting", "dissatisfied", "clause 1")]
    assert aspects[0].satisfaction == 0.8 - 0.05


def test_a_message_topic_no_clause_fires_for_still_gets_the_clause_most_about_it() -> None:
    clauses = _clauses([[0.1, 0.2, 0.3], [0.1, 0.1, 0.45]], [SATISFIED, DISSATISFIED])
    [aspect] = message_aspects(NAMES, ["staff_behaviour"], clauses)
    assert (aspect.topic, aspect.satisfaction_class) == ("staff_behaviour", "dissatisfied")


def test_no_topic_no_aspect() -> None:
    assert message_aspects(NAMES, [], _clauses([[0.1, 0.1, 0.1]], [SATISFIED])) == []


def test_aspects_come_in_clause_order_then_taxonomy_order() -> None:
    clauses = _clauses([[0.1, 0.1, 0.9], [0.9, 0.8, 0.1]], [DISSATISFIED, SATISFIED])
    assert [a.topic for a in message_aspects(NAMES, [], clauses)] == ["staff_behaviour", "delay_waiting",
                                                                      "product_quality"]
