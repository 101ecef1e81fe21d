"""The outreach guard: may this customer get a marketing contact now, or should it wait? Pure rules, no I/O.

A customer is held while their emotional state says a campaign would land badly: a segment such as ``at_risk``
or ``frustrated``, a recent alert, a recent sharp drop, an unresolved conversation, an escalated complaint.
``hold_until`` is when the last of those reasons runs out (re-check then: a newer reading may extend it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pydantic import Field

from emotrace.scoring.rules import Spans


class OutreachRules(Spans):
    """When to hold a customer out of a campaign (settings: ``EMOTRACE_OUTREACH__HOLD_SEGMENTS`` etc.)."""

    hold_segments: list[str] = Field(default_factory=lambda: ["at_risk", "frustrated"],
                                     description="Segments held out of campaigns.")
    segment_recheck_days: float = Field(7.0, gt=0, description="A segment hold lasts this long, then re-check.")
    alert_hold_days: float = Field(14.0, ge=0, description="Hold for this long after any alert.")
    drop_hold_days: float = Field(30.0, ge=0, description="Hold for this long after a sharp drop in the score.")
    unresolved_hold_days: float = Field(30.0, ge=0, description="Hold for this long after a conversation was "
                                        "recorded as not resolved (unless recorded resolved since).")
    complaint_hold_days: float = Field(30.0, ge=0, description="Hold for this long after a complaint was escalated.")

    @property
    def lookback_days(self) -> float:
        """How far back recorded outcomes can still hold a customer."""
        return max(self.unresolved_hold_days, self.complaint_hold_days)


@dataclass(frozen=True)
class OutreachFacts:
    """What the guard reads of one stored customer."""

    segment: str
    alerts: Sequence[tuple[str, datetime]]  # (kind, when)
    unresolved: Sequence[datetime]  # when conversations were recorded as not resolved (and not resolved since)
    escalations: Sequence[datetime] = ()  # when complaints were recorded as escalated


@dataclass(frozen=True)
class OutreachDecision:
    """``ok`` or ``hold``, why, and until when a hold lasts."""

    decision: Literal["ok", "hold"]
    reasons: list[str]
    hold_until: datetime | None


def outreach_decision(facts: OutreachFacts | None, now: datetime, rules: OutreachRules) -> OutreachDecision:
    """The guard's decision for one customer (``facts`` None: a customer emotrace has never read)."""
    if facts is None:
        return OutreachDecision("ok", ["no emotional history for this customer"], None)
    holds: list[tuple[datetime, str]] = []
    if facts.segment in rules.hold_segments:
        holds.append((now + timedelta(days=rules.segment_recheck_days), f"segment {facts.segment}"))
    for kind, at in facts.alerts:
        days = rules.drop_hold_days if kind == "sharp_drop" else rules.alert_hold_days
        if (until := at + timedelta(days=days)) > now:
            what = "sharp drop in the score" if kind == "sharp_drop" else f"{kind.replace('_', ' ')} alert"
            holds.append((until, f"{what} on {at.date().isoformat()}"))
    for at in facts.unresolved:
        if (until := at + timedelta(days=rules.unresolved_hold_days)) > now:
            holds.append((until, f"conversation not resolved on {at.date().isoformat()}"))
    for at in facts.escalations:
        if (until := at + timedelta(days=rules.complaint_hold_days)) > now:
            holds.append((until, f"complaint escalated on {at.date().isoformat()}"))
    if not holds:
        return OutreachDecision("ok", [], None)
    holds.sort()
    return OutreachDecision("hold", list(dict.fromkeys(reason for _, reason in holds)), holds[-1][0])
