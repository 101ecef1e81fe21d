"""The agent's next step: a customer's state (segment, alerts, leading emotions, trend) mapped to a suggested
action by a rules table the user can edit (``EMOTRACE_NEXT_STEPS_FILE``, a JSON list of rules). Pure, no I/O.

Rules are tried in order; the first whose every condition holds gives the step. A condition left empty always
holds; a rule with no conditions is the fallback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field


class NextStepRule(BaseModel):
    """When (all given conditions), what to do, with a script and a follow-up time."""

    model_config = ConfigDict(extra="forbid")  # a misspelt condition must not leave a rule that matches everyone
    segments: list[str] = Field(default_factory=list, description="Any of these segments.")
    alerts: list[str] = Field(default_factory=list, description="Any of these alert kinds was raised within "
                              "route_recent_hours (72 h), whatever its status on the floor.")
    emotions: list[str] = Field(default_factory=list, description="Any of these is a leading emotion.")
    trends: list[str] = Field(default_factory=list, description="Any of these trends (rising/falling/stable).")
    topics: list[str] = Field(default_factory=list, description="The customer is upset about any of these topics "
                              "(docs/topics.md).")
    action: str = Field(description="e.g. escalate, offer_retention, acknowledge_and_apologise, follow_up, none")
    script: str = ""
    follow_up_hours: float | None = Field(None, gt=0, description="Follow up within this many hours.")


DEFAULT_NEXT_STEPS = [
    NextStepRule(alerts=["churn_threat"], action="offer_retention",
                 script="The customer said they may leave: acknowledge it plainly, fix what is open, and offer what "
                        "retention allows before the contact ends.", follow_up_hours=4),
    NextStepRule(alerts=["escalation_request"], action="escalate",
                 script="The customer asked for a manager or a formal complaint: say who will take it over and by "
                        "when, and hand the case to a team lead with the history.", follow_up_hours=4),
    NextStepRule(alerts=["sharp_drop", "sustained_negativity"], action="escalate",
                 script="Acknowledge the repeated problem, apologise, and hand the case to a team lead with a named "
                        "owner and a date.", follow_up_hours=4),
    NextStepRule(segments=["at_risk"], action="offer_retention",
                 script="Apologise for the experience, fix what is open, and offer a goodwill gesture or a retention "
                        "offer.", follow_up_hours=24),
    NextStepRule(topics=["billing_charges", "refund_compensation"], action="review_charges",
                 script="The customer is upset about a charge or a refund: go through the account's charges and "
                        "refunds with them, correct what is wrong, and confirm in writing what changes and when.",
                 follow_up_hours=24),
    NextStepRule(emotions=["anger", "disgust"], action="acknowledge_and_apologise",
                 script="Acknowledge the frustration in your own words, apologise, and state the next concrete step "
                        "and when it will happen.", follow_up_hours=24),
    NextStepRule(segments=["frustrated"], action="follow_up",
                 script="Follow up proactively with the status before the customer has to ask.", follow_up_hours=48),
    NextStepRule(trends=["falling"], action="follow_up",
                 script="Check in: the customer's mood is falling.", follow_up_hours=72),
    NextStepRule(action="none", script="No action needed."),
]


@dataclass(frozen=True)
class NextStep:
    """The suggested action for a customer, and which rule gave it (its index in the table)."""

    action: str
    script: str
    follow_up_hours: float | None
    rule: int


def _holds(wanted: Sequence[str], present: Sequence[str]) -> bool:
    return not wanted or any(w in present for w in wanted)


def next_step(segment: str, alert_kinds: Sequence[str], leading_emotions: Sequence[str], trend: str,
              rules: Sequence[NextStepRule], upset_topics: Sequence[str] = ()) -> NextStep | None:
    """The first rule that holds for this state (None when no rule does); ``upset_topics``: what the customer is
    upset about."""
    for index, rule in enumerate(rules):
        if (_holds(rule.segments, [segment]) and _holds(rule.alerts, alert_kinds)
                and _holds(rule.emotions, leading_emotions) and _holds(rule.trends, [trend])
                and _holds(rule.topics, upset_topics)):
            return NextStep(rule.action, rule.script, rule.follow_up_hours, index)
    return None
