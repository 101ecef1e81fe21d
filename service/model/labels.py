"""The label schema: the single source of truth for label names and their groupings.

A model directory carries it as the ``label_schema`` section of ``emotrace.json``::

    {"labels": [...], "groupings": {"ekman": {"anger": ["anger", "annoyance", ...], ...},
                                     "sentiment": {...}},
     "neutral_label": "neutral", "intents": ["churn_threat", ...], "topics": ["delay_waiting", ...]}

A grouping maps each group to its member labels; the neutral label (``neutral``) belongs to the neutral group of every
grouping. A model of a user's own labels gets its groupings from ``emotrace train --mapping`` (Ekman, sentiment and
:data:`SATISFACTION_LEANING`). ``groupings`` may be empty and ``neutral_label`` null (a user's own label
set). ``intents`` names what a customer says they will do or want (:data:`INTENT_LABELS`), read by a head of its
own where the model has one (empty: no intent view); ``topics`` what a message is about (:data:`TOPIC_LABELS`), likewise
(empty: no topic view). The satisfaction classes are not part of the schema: they are
fixed (``SATISFACTION_CLASSES``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from emotrace.errors import EmotraceError
from emotrace.model.config import CONFIG_FILE, INVALID_HINT, read_config, update_config

GOEMOTIONS_LABELS: tuple[str, ...] = (
    "admiration", "amusement", "anger", "annoyance", "approval", "caring", "confusion", "curiosity",
    "desire", "disappointment", "disapproval", "disgust", "embarrassment", "excitement", "fear",
    "gratitude", "grief", "joy", "love", "nervousness", "optimism", "pride", "realization", "relief",
    "remorse", "sadness", "surprise", "neutral",
)  # fmt: skip
SATISFACTION_CLASSES: tuple[str, ...] = ("dissatisfied", "neutral", "satisfied")
# The groupings' groups besides the neutral group, which holds the neutral label (and any label mapped to it).
NEUTRAL_GROUP = "neutral"
EKMAN_GROUPS: tuple[str, ...] = ("anger", "disgust", "fear", "joy", "sadness", "surprise")
SENTIMENT_GROUPS: tuple[str, ...] = ("positive", "negative", "ambiguous")
SATISFACTION_LEANING = "satisfaction_leaning"  # the grouping of a user's own labels by the satisfaction they lean to
# What a customer says they will do or want; several can hold at once, and most messages hold none.
CHURN_THREAT = "churn_threat"
INTENT_LABELS: tuple[str, ...] = (CHURN_THREAT, "escalation_request", "refund_request", "legal_threat")
INTENT_VIEW = "intents"  # the reading's view (and the pooled head) of the intents
# What a message is about: the customer-experience taxonomy (definitions in docs/topics.md). A message may be about
# one or two topics, or none of them ("other": no topic fires).
TOPIC_LABELS: tuple[str, ...] = (
    "delay_waiting", "cancellation", "delivery", "lost_damaged", "order_booking", "billing_charges",
    "refund_compensation", "price", "staff_behaviour", "reaching_support", "product_quality", "app_website",
    "account_access", "policy", "praise_person", "network_outage",
)  # fmt: skip
TOPIC_VIEW = "topics"  # the reading's view (and the head) of the topics


@dataclass(frozen=True)
class LabelSchema:
    """Label names, groupings of them (Ekman, sentiment) and the neutral label."""

    labels: tuple[str, ...]
    groupings: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    neutral_label: str | None = "neutral"
    intents: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.labels:
            raise EmotraceError("E101", "The label set is empty.", "List at least one label.")
        if len(set(self.labels)) != len(self.labels):
            dupes = sorted({x for x in self.labels if self.labels.count(x) > 1})
            raise EmotraceError("E102", f"Duplicate labels: {dupes}.", "Give each label once.")
        known = set(self.labels)
        for name, groups in self.groupings.items():
            unknown = sorted({m for members in groups.values() for m in members} - known)
            if unknown:
                raise EmotraceError(
                    "E103",
                    f"Grouping '{name}' names labels the model does not have: {unknown}.",
                    f"Fix the grouping in {CONFIG_FILE} or retrain with those labels.",
                )
        if self.neutral_label is not None and self.neutral_label not in known:
            raise EmotraceError(
                "E104",
                f"The neutral label '{self.neutral_label}' is not among the labels.",
                'Set "neutral_label" to one of the labels, or null.',
            )
        for view, names in ((INTENT_VIEW, self.intents), (TOPIC_VIEW, self.topics)):
            if len(set(names)) != len(names) or set(names) & known:
                raise EmotraceError("E114", f"The {view} {list(names)} repeat a name or reuse a label's.",
                                    f"Give each of the {view} once, under a name no label has.")

    def group_members(self, grouping: str) -> dict[str, tuple[str, ...]]:
        """Group name -> member labels, with the neutral label in a group of its name (with any labels mapped there)."""
        groups = dict(self.groupings[grouping])
        if self.neutral_label is not None:
            groups[self.neutral_label] = (*groups.get(self.neutral_label, ()), self.neutral_label)
        return groups

    def group_names(self, grouping: str) -> list[str]:
        """Names of the groups of ``grouping``, in a stable order."""
        return list(self.group_members(grouping))

    def view_groups(self) -> dict[str, list[str]]:
        """What each view beside the labels decides among: every grouping's groups, the intents and the topics (empty
        for a model without them)."""
        return {**{g: self.group_names(g) for g in self.groupings}, INTENT_VIEW: list(self.intents),
                TOPIC_VIEW: list(self.topics)}

    def to_json(self) -> dict[str, object]:
        """The ``label_schema`` section of ``emotrace.json``."""
        return {
            "labels": list(self.labels),
            "groupings": {g: {k: list(v) for k, v in m.items()} for g, m in self.groupings.items()},
            "neutral_label": self.neutral_label,
            **({"intents": list(self.intents)} if self.intents else {}),
            **({"topics": list(self.topics)} if self.topics else {}),
        }

    def save(self, directory: Path) -> None:
        """Write the schema into ``directory``'s ``emotrace.json``."""
        update_config(directory, label_schema=self.to_json())

    @classmethod
    def load(cls, directory: Path) -> LabelSchema:
        """Read the schema from a model directory."""
        try:
            raw = read_config(directory)["label_schema"]
            labels = tuple(raw["labels"])
            groupings = {g: {k: tuple(v) for k, v in members.items()} for g, members in raw.get("groupings", {}).items()}
        except (KeyError, TypeError, AttributeError) as exc:
            raise EmotraceError(
                "E106", f"{directory / CONFIG_FILE} holds no valid label schema ({exc!r}).", INVALID_HINT) from exc
        return cls(labels, groupings, raw.get("neutral_label"), tuple(raw.get("intents", ())),
                   tuple(raw.get("topics", ())))

    @classmethod
    def goemotions(cls, mapping_dir: Path) -> LabelSchema:
        """The 28 GoEmotions labels with the Ekman and sentiment groupings from ``mapping_dir``, and the intents (the
        topics join when a topic view is fitted: ``emotrace.training.topics``)."""
        groupings = {}
        for grouping, filename in (("ekman", "ekman_mapping.json"), ("sentiment", "sentiment_mapping.json")):
            raw = json.loads((mapping_dir / filename).read_text(encoding="utf-8"))
            groupings[grouping] = {k: tuple(v) for k, v in raw.items()}
        return cls(GOEMOTIONS_LABELS, groupings, "neutral", INTENT_LABELS)


def shared_labels(schemas: Sequence[LabelSchema]) -> tuple[str, ...]:
    """The labels every schema reads, in the first's order (what models of different label sets are compared on)."""
    return tuple(label for label in schemas[0].labels if all(label in s.labels for s in schemas[1:]))


def shared_groupings(schemas: Sequence[LabelSchema]) -> list[str]:
    """The groupings every schema has with the same groups of the same members."""
    first = schemas[0]
    return [g for g in first.groupings
            if all(g in s.groupings and s.group_members(g) == first.group_members(g) for s in schemas[1:])]
