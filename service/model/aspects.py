"""Aspect-level feeling: each topic a message talks about, with its own satisfaction.

"The food was great but the delivery was an hour late" is about product quality (satisfied) and delivery
(dissatisfied); one satisfaction for the whole message would blend them. A message of several clauses
(:func:`emotrace.text.clauses.split_clauses`) has each clause read on its own; every topic that fires for the message
or for one of its clauses takes the satisfaction of the clause most about it. A message of one clause gives each of
its topics the message's own satisfaction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emotrace.model.labels import SATISFACTION_CLASSES


@dataclass(frozen=True)
class Aspect:
    """One topic of a message and how the customer feels about it: the most probable satisfaction class and
    P(satisfied) - P(dissatisfied) of the clause that says it."""

    topic: str
    satisfaction_class: str
    satisfaction: float
    clause: str

    def to_dict(self) -> dict[str, object]:
        """JSON-ready (satisfaction to 4 places)."""
        return {"topic": self.topic, "satisfaction_class": self.satisfaction_class,
                "satisfaction": round(self.satisfaction, 4), "clause": self.clause}


@dataclass(frozen=True)
class ClauseReadings:
    """The clauses of one message and, per clause, its topic probabilities (clauses, topics), which topics fire, and
    its satisfaction probabilities (clauses, 3)."""

    clauses: list[str]
    topics: np.ndarray
    fired: np.ndarray
    satisfaction: np.ndarray


def message_aspects(topic_names: list[str], message_topics: list[str], clauses: ClauseReadings) -> list[Aspect]:
    """The message's aspects, in the order their clauses come (one clause: every topic of the message)."""
    wanted = {topic_names.index(t) for t in message_topics} | set(np.flatnonzero(clauses.fired.any(axis=0)).tolist())
    found = []
    for topic in wanted:
        clause = int(np.argmax(clauses.topics[:, topic]))
        probabilities = clauses.satisfaction[clause]
        found.append((clause, topic, Aspect(topic_names[topic], SATISFACTION_CLASSES[int(np.argmax(probabilities))],
                                            float(probabilities[2] - probabilities[0]), clauses.clauses[clause])))
    return [aspect for *_, aspect in sorted(found, key=lambda item: (item[0], item[1]))]
