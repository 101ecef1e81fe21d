"""Scoring rules: half-life, score weights, segment bands and alert thresholds (all documented settings)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from emotrace.errors import EmotraceError
from emotrace.scoring.next_step import DEFAULT_NEXT_STEPS, NextStepRule

MAX_HOURS, MAX_DAYS = 87_600.0, 3_650.0  # ten years: a longer window is a typo, and time arithmetic fails near its ends
DEFAULT_SEGMENT_BANDS = {"delighted": 80.0, "satisfied": 60.0, "neutral": 42.0, "frustrated": 28.0}


class Spans(BaseModel):
    """Rules whose ``*_hours`` and ``*_days`` fields are windows: finite, and at most ten years."""

    model_config = ConfigDict(allow_inf_nan=False, extra="forbid")  # a misspelt name must not keep the default

    @field_validator("*")
    @classmethod
    def at_most_ten_years(cls, value: Any, info: ValidationInfo) -> Any:
        """Refuse a window over ten years (``inf`` is refused as not finite)."""
        name = info.field_name or ""
        for suffix, limit, unit in (("_hours", MAX_HOURS, "hours"), ("_days", MAX_DAYS, "days")):
            if name.endswith(suffix) and isinstance(value, float) and value > limit:
                raise ValueError(f"more than {limit:.0f} {unit} (ten years)")
        return value


class ScoringRules(Spans):
    """Parameters of the scoring layer. Defaults are tuned for support chat and e-mail cadence."""

    half_life_hours: float = Field(72.0, gt=0, description="A reading's weight halves every this many hours.")
    valence_weight: float = Field(0.4, ge=0, description="Share of valence in the customer score.")
    satisfaction_weight: float = Field(0.6, ge=0, description="Share of satisfaction in the customer score.")
    prior_messages: float = Field(1.0, ge=0, description="The score counts this many neutral messages written just "
                                  "before a customer's first (fading with age as messages do), so one polite "
                                  "'thanks' (or one outburst) moves it only part way.")
    trend_window_hours: float = Field(168.0, gt=0, description="Trend compares the score now with this long ago.")
    trend_min_points: float = Field(5.0, ge=0, description="A change of the score, or of the messages' own mood, under this is "
                                     "'stable'.")
    segment_bands: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_SEGMENT_BANDS),
        description="Lowest score of each segment, best first; below the last band is 'at_risk'. A band given alone "
                    "(EMOTRACE_SCORING__SEGMENT_BANDS__DELIGHTED=90) moves that band; the others keep their defaults.",
    )
    drop_points: float = Field(20.0, gt=0, description="Alert when the score falls this much ...")
    drop_window_hours: float = Field(48.0, gt=0, description="... within this many hours.")
    negative_streak: int = Field(3, ge=2, description="Alert after this many negative conversations in a row.")
    negative_satisfaction: float = Field(-0.3, description="A message is negative below this satisfaction.")
    spike_probability: float = Field(0.6, gt=0, le=1, description="Anger/disgust probability of a spike ...")
    spike_arousal: float = Field(0.5, ge=0, le=1, description="... together with at least this arousal.")
    arc_drop: float = Field(0.5, gt=0, description="Alert when a conversation ends this much lower than it began.")
    alert_open_hours: float = Field(720.0, gt=0, description="An alert on messages older than this many hours when "
                                    "it is raised (history imported late) is registered resolved, not open.")
    route_score_below: float = Field(35.0, description="Route to an experienced agent below this score ...")
    route_recent_hours: float = Field(72.0, gt=0, description="... or after an alert within this many hours.")
    upset_window_hours: float = Field(720.0, gt=0, description="What a customer is upset about: the topics of their "
                                      "dissatisfied messages within this many hours (routing, next steps).")
    next_steps: list[NextStepRule] = Field(default_factory=lambda: list(DEFAULT_NEXT_STEPS), description="The "
                                           "agent's next step by customer state, first match wins (settings: "
                                           "EMOTRACE_NEXT_STEPS_FILE, a JSON list of rules).")

    @field_validator("segment_bands", mode="before")
    @classmethod
    def bands_over_the_defaults(cls, value: Any) -> Any:
        """The default bands, with those given moved (one band set alone replaced the whole table)."""
        return {**DEFAULT_SEGMENT_BANDS, **value} if isinstance(value, dict) else value


def segments_of(rules: ScoringRules) -> list[str]:
    """The segments the scoring rules give customers, best first."""
    return [*sorted(rules.segment_bands, key=lambda name: -rules.segment_bands[name]), "at_risk"]


def known_segment(segment: str | None, rules: ScoringRules) -> str | None:
    """``segment`` when the rules give it (None for no filter or an empty one); E917 naming the segments otherwise
    (a typo would filter every customer out)."""
    if not segment:
        return None
    if segment not in segments_of(rules):
        raise EmotraceError("E917", f"Segment '{segment}' is not one of {segments_of(rules)}.")
    return segment
