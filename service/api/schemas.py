"""Wire schemas of the HTTP API (separate from the storage tables)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Literal, Self

from fastapi import Path, Query
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from emotrace.messages import MAX_CONVERSATION_ID, STORED_ID_PATTERN, Channel, Identifier, Speaker
from emotrace.outcomes.records import OutcomeIn
from emotrace.settings import MAX_SEGMENT_CHARS, SEGMENT_NAME
from emotrace.store.outbox import EndpointLog
from emotrace.text.visible import BLANK_CLASS, TEXT_PATTERN, text_problem
from emotrace.times import iso_8601, utc, utc_timestamp

MAX_TEXT_CHARS = 20_000


CustomerIdPath = Annotated[Identifier, Path(description="The customer's id.")]
ErasableCustomerIdPath = Annotated[str, Path(min_length=1, max_length=128, pattern=STORED_ID_PATTERN,
                                             description="The customer's id (one of dots alone, which releases "
                                             "before stored, sent percent-encoded: %2E%2E).")]
MAX_ROW_ID = 2**31 - 1  # the largest id a message row can have (PostgreSQL integer)


def plain_digits(value: object) -> object:
    """A path's row id or a whole-number query value as sent, if it is ASCII digits alone: lax parsing read ``1_0``
    as 10 and ``+1``, ``1.0`` and `` 1`` as 1 (one resource or page under many addresses)."""
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise ValueError("a whole number is digits 0-9 alone")
    return value


# Every integer path or query parameter ends with this: digits alone (after its Path, which keeps the bounds in the OpenAPI
# schema's minimum/maximum; before it, they became unknown keywords)
PLAIN_DIGITS = BeforeValidator(plain_digits)
MessageIdPath = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="The stored message's id."), PLAIN_DIGITS]
# A segment is a short lowercase name (at_risk, neutral, delighted); an empty filter, as before, is no filter.
SEGMENT_PATTERN = rf"^(?:{SEGMENT_NAME.pattern})?$"  # as segment bands are named (settings)
# ?segment= of every list that filters by one
SegmentFilter = Annotated[str | None, Query(max_length=MAX_SEGMENT_CHARS, pattern=SEGMENT_PATTERN,
                                            description="Only customers now in this segment.")]


def visible_text(value: str, field: str) -> str:
    """``value`` if it is storable text with something to read (:func:`emotrace.text.visible.text_problem`)."""
    problem = text_problem(value)
    if problem is not None:
        raise ValueError(f"{field} {problem}")
    return value


class Strict(BaseModel):
    """Unknown fields are refused, so typos are reported instead of ignored; so are NaN and infinite numbers."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


# A time a client gives (a body's field, a query parameter, a form field): ISO 8601 only (a number is refused, not
# read as seconds since 1970; the basic form "20261201" is that day).
ISO_8601 = BeforeValidator(iso_8601)


class TextIn(Strict):
    """A text to read."""

    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS, description="The text (not blank, no NUL).",
                      json_schema_extra={"pattern": TEXT_PATTERN})
    channel: Channel = Channel.chat

    @field_validator("text")
    @classmethod
    def readable(cls, value: str) -> str:
        """Refuse blank text, NUL characters and lone surrogates."""
        return visible_text(value, "text")


class AnalyzeIn(TextIn):
    """A text to read; for a review, its star rating (checked against the reading)."""

    rating: float | None = Field(None, ge=1, le=5, strict=True, description="A review's star rating (1-5), a JSON "
                                 "number: a low rating on text that reads as positive is flagged as likely sarcasm.")
    explain: bool = Field(False, strict=True, description="Also say which words drove each label and the "
                          "satisfaction class (the text is read once per word, up to 64 words).")


class BatchIn(Strict):
    """Several texts to read in one call."""

    items: list[TextIn] = Field(min_length=1, description="Texts to read (1 to the configured maximum).")


class GroupedViewOut(BaseModel):
    """One grouping (Ekman, sentiment): group probabilities and the groups that fire."""

    probabilities: dict[str, float]
    labels: list[str]


class WordWeightOut(BaseModel):
    """A word of the text (``text[start:end]``) and how much it raised (+) or lowered (-) a probability."""

    model_config = ConfigDict(from_attributes=True)

    word: str
    start: int
    end: int
    weight: float


class ExplanationOut(BaseModel):
    """The words that drove each fired label and the satisfaction class (occlusion: each word left out in turn)."""

    model_config = ConfigDict(from_attributes=True)

    labels: dict[str, list[WordWeightOut]]
    satisfaction_class: str | None
    satisfaction: list[WordWeightOut]


class AspectOut(BaseModel):
    """One topic of a message and how the customer feels about it (the clause that says it, in a reading)."""

    topic: str
    satisfaction_class: str
    satisfaction: float = Field(description="P(satisfied) - P(dissatisfied) of the clause, in [-1, 1]")
    clause: str | None = Field(None, description="The part of the text read for this topic (readings only)")


class ReadingOut(BaseModel):
    """One reading: labels, grouped views (Ekman, sentiment, intents, topics), valence/arousal, satisfaction, and
    each topic's own satisfaction (aspects)."""

    text: str
    channel: Channel = Channel.chat
    labels: list[str]
    probabilities: dict[str, float]
    views: dict[str, GroupedViewOut]
    valence: float | None
    arousal: float | None
    satisfaction: dict[str, float] | None
    satisfaction_score: float | None
    satisfaction_class: str | None = Field(None, description="The most probable satisfaction class (None without a "
                                           "satisfaction reading)")
    chunks: int
    language: str = Field(description="ISO 639-1 code (`und` where the text's script names no language); the model "
                                      "reads English (see warnings)")
    warnings: list[str] = Field(default_factory=list, description="e.g. W001 non_english: the reading is unreliable")
    flags: list[str] = Field(default_factory=list, description="With a review rating: where rating and text disagree")
    explanation: ExplanationOut | None = Field(None, description="With explain=true: the words that drove the reading")
    aspects: list[AspectOut] = Field(default_factory=list, description="Each topic of the message with the "
                                     "satisfaction of the clause that says it (empty without a topic view)")


class BatchOut(BaseModel):
    """Readings in request order."""

    readings: list[ReadingOut]


class MessageIn(TextIn):
    """A customer's (or agent's) message to record."""

    customer_id: Identifier
    conversation_id: str = Field(min_length=1, max_length=MAX_CONVERSATION_ID, json_schema_extra={"pattern": TEXT_PATTERN})
    speaker: Speaker = Speaker.customer
    agent_id: Identifier | None = Field(None, description="Which agent wrote an agent turn (for agents' profiles and routing).")
    timestamp: Annotated[datetime | None, ISO_8601] = Field(None, description="ISO 8601; default now; naive means "
                                                             "UTC; not in the future.")

    @model_validator(mode="after")
    def agent_turns_only(self) -> Self:
        """Only an agent's turn names an agent."""
        if self.agent_id is not None and self.speaker is not Speaker.agent:
            raise ValueError("agent_id is given only with speaker 'agent'")
        return self

    @field_validator("conversation_id")
    @classmethod
    def conversation_readable(cls, value: str) -> str:
        """Refuse blank ids, NUL characters and lone surrogates."""
        return visible_text(value, "conversation_id")

    @field_validator("timestamp")
    @classmethod
    def in_range(cls, value: datetime | None) -> datetime | None:
        """Naive timestamps are UTC; future ones and ones before 1970 are refused."""
        return None if value is None else utc_timestamp(value)


class MessagesIn(Strict):
    """Messages to record (any customers), stored in one transaction."""

    messages: list[MessageIn] = Field(min_length=1)


AlertStatus = Literal["open", "acknowledged", "resolved"]
MAX_NOTE_CHARS = 2_000
# A person's note on an alert change or a correction: storable, visible text (no NUL, which PostgreSQL refuses).
Note = Annotated[str, Field(min_length=1, max_length=MAX_NOTE_CHARS, json_schema_extra={"pattern": TEXT_PATTERN}),
                 AfterValidator(lambda v: visible_text(v, "note"))]
# Who works an alert: a person's or a queue's name as the floor's tools know it (printable: no control character, C0,
# DEL or C1, and no bidirectional override or isolate, which shows "\u202enimda" as "admin"; not only whitespace or
# invisible characters).
NOT_IN_NAMES = "\\x00-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069"
NAME_PATTERN = f"^[^{NOT_IN_NAMES}]*[^{BLANK_CLASS}{NOT_IN_NAMES}][^{NOT_IN_NAMES}]*$"  # none of those, one visible
ActorName = Annotated[str, Field(min_length=1, max_length=128, pattern=NAME_PATTERN),
                      AfterValidator(lambda v: visible_text(v, "name"))]


class FromStore(BaseModel):
    """Wire forms read straight from stored rows (``model_validate(row)``), their times as aware UTC."""

    model_config = ConfigDict(from_attributes=True)


StoredTime = Annotated[datetime, AfterValidator(utc)]


class AlertOut(BaseModel):
    """An early warning with its reason and the messages that triggered it, and where the floor stands on it."""

    id: int | None = Field(None, description="The alert's id (PATCH /v1/alerts/{id}).")
    kind: str
    reason: str
    message_ids: list[int]
    at: datetime
    severity: str
    status: AlertStatus = "open"
    assignee: str | None = None


def _not_null(kind: Any) -> WithJsonSchema:
    """The JSON schema of ``kind`` alone, for a field that may be left out but not sent as null."""
    return WithJsonSchema(TypeAdapter[Any](kind).json_schema())


class AlertChangeIn(BaseModel):
    """A change to an alert: its status, its assignee (null: unassign), a note; at least one of them."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "anyOf": [{"required": ["status"]}, {"required": ["assignee"]}, {"required": ["note"]}]})

    status: Annotated[AlertStatus | None, _not_null(AlertStatus)] = None
    assignee: ActorName | None = None
    note: Annotated[Note | None, _not_null(Note)] = None
    actor: ActorName = Field("api", description="Who makes the change (kept in the alert's history).")

    @model_validator(mode="after")
    def _something_changes(self) -> Self:
        if not self.model_fields_set & {"status", "assignee", "note"}:
            raise ValueError("give at least one of status, assignee (null to unassign) and note")
        nulls = [name for name in ("status", "note") if name in self.model_fields_set and getattr(self, name) is None]
        if nulls:
            raise ValueError(f"{' and '.join(nulls)} cannot be null (leave a field out to keep it; null unassigns "
                             "the assignee only)")
        return self


class AlertEventOut(FromStore):
    """One entry of an alert's history."""

    at: StoredTime
    actor: str
    status: AlertStatus
    assignee: str | None
    note: str | None


class AlertDetailOut(AlertOut):
    """An alert with its customer and its whole history, oldest first."""

    customer_id: str
    history: list[AlertEventOut]


class CustomerAlertOut(AlertOut):
    """An alert with its customer (the cross-customer list)."""

    customer_id: str
    score: float
    segment: str


class UpsetOut(BaseModel):
    """A topic the customer is upset about: their recent messages read dissatisfied about it."""

    model_config = ConfigDict(from_attributes=True)

    topic: str = Field(description="The topic (docs/topics.md).")
    name: str = Field(description="The topic as it reads in a sentence.")
    messages: int = Field(description="Their messages of the last upset_window_hours (scoring rules; 30 days) read "
                          "dissatisfied about it.")
    carried: float = Field(description="The dissatisfaction those carried: the sum of max(0, -satisfaction).")


NEXT_STEP_NOW = ("What the agent should do next, worked out as of this read from the same recent alerts as the route "
                 "(null when no rule of the table holds).")


class RoutingOut(BaseModel):
    """Where to route this customer's next contact, and why (with ``agents`` given: them, best first)."""

    customer_id: str
    route: str
    reason: str
    upset_about: list[UpsetOut] = Field(default_factory=list, description="What the customer is upset about, most "
                                        "first (top 3; also named in the reason).")
    agents: list[RankedAgentOut] = Field(default_factory=list, description="The available agents asked about, best "
                                         "first for this customer's state.")
    next_step: NextStepOut | None = Field(None, description=NEXT_STEP_NOW)


class StateOut(BaseModel):
    """Time-decayed state after a customer message."""

    at: datetime
    score: float
    valence: float
    arousal: float
    satisfaction: float
    leading_emotions: list[str]


class NextStepOut(BaseModel):
    """The agent's suggested next step for this customer (from the editable rules table)."""

    action: str
    script: str
    follow_up_hours: float | None


class CustomerOut(FromStore):
    """A customer's summary."""

    id: str
    score: float
    segment: str
    trend: str
    trend_delta: float
    open_alerts: int
    updated_at: StoredTime
    next_step: NextStepOut | None = Field(None, description="What the agent should do next as of the customer's "
                                          "last write (null when no rule of the table holds, and for a customer "
                                          "stored before next steps until their next write).")


class DriverOut(BaseModel):
    """A profile feature that moved an outcome prediction (coefficient x standardised value; + raises the risk)."""

    feature: str
    contribution: float


class OutcomeRiskOut(BaseModel):
    """The probability of one outcome kind, from the models of ``emotrace outcomes fit``."""

    target: str
    probability: float
    drivers: list[DriverOut]


class CustomerDetailOut(CustomerOut):
    """Summary plus current state, alerts, routing hint and, where outcome models are served, outcome risks."""

    next_step: NextStepOut | None = Field(None, description=NEXT_STEP_NOW)
    state: StateOut | None
    alerts: list[AlertOut]
    routing: RoutingOut
    outcome_risk: dict[str, OutcomeRiskOut] = Field(default_factory=dict, description="By outcome kind (empty "
                                                    "without EMOTRACE_OUTCOME_MODEL_DIR).")
    saveable: bool | None = Field(None, description="High churn risk, a recent contact and not churned (null "
                                  "without a churn model).")
    upset_about: list[UpsetOut] = Field(default_factory=list, description="The topics of the customer's recent "
                                        "dissatisfied messages, most dissatisfaction first (top 3).")


SatisfactionClass = Literal["dissatisfied", "neutral", "satisfied"]
# A label name of the served model's schema (an emotion label, an intent, a topic): checked against it when stored.
Name = Annotated[str, Field(min_length=1, max_length=64)]
LabelNames = Annotated[list[Name], Field(min_length=1, max_length=64)]
ViewNames = Annotated[list[Name], Field(max_length=64)]  # intents, topics: an empty list says none applies


class CorrectionIn(BaseModel):
    """A person's correction of a stored message's reading: the right satisfaction class, emotion labels, intents
    and topics (the served model's names), at least one of them; who corrects it, and a note."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"anyOf": [
        {"required": ["satisfaction_class"]}, {"required": ["labels"]}, {"required": ["intents"]},
        {"required": ["topics"]}]})

    satisfaction_class: SatisfactionClass | None = None
    labels: LabelNames | None = Field(None, description="The right emotion labels (of the model's 28).")
    intents: ViewNames | None = Field(None, description="The intents the message states ([]: none).")
    topics: ViewNames | None = Field(None, description="What the message is about (docs/topics.md; []: none).")
    corrected_by: ActorName = Field(description="Who corrects the reading (a person's or a queue's name).")
    note: Note | None = None

    @field_validator("labels", "intents", "topics")
    @classmethod
    def _once_each(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else list(dict.fromkeys(value))

    @model_validator(mode="after")
    def _something_corrected(self) -> Self:
        if all(getattr(self, name) is None for name in ("satisfaction_class", "labels", "intents", "topics")):
            raise ValueError("give at least one of satisfaction_class, labels, intents and topics")
        return self


class CorrectionOut(FromStore):
    """A stored correction of a message's reading (null: that part not corrected)."""

    id: int
    message_id: int
    customer_id: str
    satisfaction_class: SatisfactionClass | None
    labels: list[str] | None
    intents: list[str] | None
    topics: list[str] | None
    corrected_by: str
    note: str | None
    created_at: StoredTime


class StoredMessageOut(FromStore):
    """A stored message with its reading (text redacted per settings)."""

    id: int
    customer_id: str
    conversation_id: str
    channel: str
    speaker: str
    agent_id: str | None = Field(None, description="The agent who wrote an agent turn, where known.")
    timestamp: StoredTime
    text: str | None
    labels: list[str]
    ekman_labels: list[str] | None = Field(description="Ekman groups that fire (null for rows stored before this "
                                           "field existed)")
    ekman_probabilities: dict[str, float] = Field(description="Ekman group probabilities")
    sentiment_labels: list[str] = Field(description="Sentiment groups that fire")
    sentiment_probabilities: dict[str, float] | None = Field(
        description="Sentiment group probabilities (null for rows stored before this field existed)")
    valence: float
    arousal: float
    satisfaction: float
    satisfaction_class: str
    intent_labels: list[str] | None = Field(None, description="Intents that fire: churn_threat, escalation_request, "
                                            "refund_request, legal_threat (null for rows stored before intents "
                                            "existed)")
    intent_probabilities: dict[str, float] | None = Field(None, description="Intent probabilities (null for rows "
                                                          "stored before intents existed)")
    topic_labels: list[str] | None = Field(None, description="What the message is about: the topics that fire "
                                           "(docs/topics.md; null for rows stored before topics existed)")
    topic_probabilities: dict[str, float] | None = Field(None, description="Topic probabilities (null for rows "
                                                         "stored before topics existed)")
    aspects: list[AspectOut] | None = Field(None, description="Each topic's own satisfaction (null for rows stored "
                                            "before topics existed)")
    language: str | None = Field(None, description="The text's language, ISO 639-1 (null for rows stored before "
                                 "this field existed)")
    warnings: list[str] | None = Field(None, description="The reading's warnings, e.g. W001 non_english: the model "
                                       "reads English, so this reading is unreliable (null for rows stored before "
                                       "this field existed)")
    corrections: list[CorrectionOut] = Field(default_factory=list, description="People's corrections of this "
                                             "reading, oldest first (in a customer's timeline).")


class RecordedOut(BaseModel):
    """What a write stored, and the customers' new summaries."""

    messages: list[StoredMessageOut]
    customers: list[CustomerOut]


class WindowOut(BaseModel):
    """Aggregate of a customer's own messages over one day or week."""

    start: datetime
    messages: int
    mean_valence: float
    mean_arousal: float
    mean_satisfaction: float
    top_emotion: str | None


class TimelineOut(BaseModel):
    """A customer's raw readings, windowed aggregates and score history."""

    customer_id: str
    window: str
    messages: list[StoredMessageOut]
    windows: list[WindowOut]
    history: list[StateOut]
    alerts: list[AlertOut]


class ModelOut(BaseModel):
    """The loaded model: name, its names (emotion labels, groupings, intents, topics, satisfaction classes: the
    names readings and corrections use), figures."""

    name: str
    labels: list[str]
    groupings: dict[str, list[str]]
    intents: list[str]
    topics: list[str]
    satisfaction_classes: list[str]
    metrics: dict[str, object]


class OutcomesIn(Strict):
    """Outcomes to record (all or none: a bad or unknown row refuses the request and names the row)."""

    outcomes: list[OutcomeIn] = Field(min_length=1, max_length=10_000, description="Up to 10,000, within the request "
                                      "body limit (EMOTRACE_MAX_BODY_BYTES, 1 MB: about 8,500 rating rows).")


class OutcomesStoredOut(BaseModel):
    """How many outcomes were new, and how many were kept once instead (recorded before, or repeated in the request)."""

    stored: int
    already_stored: int = Field(description="Outcomes not stored again: recorded by an earlier request, or a copy of "
                                "one earlier in this request.")


class OutreachOut(BaseModel):
    """The outreach guard's decision for one customer: ok, or hold with the reasons and until when."""

    customer_id: str
    decision: Literal["ok", "hold"]
    reasons: list[str]
    hold_until: datetime | None


class AudienceIn(Strict):
    """A campaign audience to check (for millions of ids, use ``emotrace outreach``)."""

    customer_ids: list[Identifier] = Field(
        min_length=1, max_length=100_000, description="Customer ids as given to emotrace (exact: no trimming or "
        "case folding).")


class DistinguishingOut(BaseModel):
    """A feature that sets a segment apart: its members' mean, in standard deviations from all customers'."""

    feature: str
    z: float


class AttributeFiguresOut(BaseModel):
    """A numeric attribute over a segment's members who have one."""

    customers: int
    mean: float
    median: float
    min: float
    max: float


class SegmentOut(BaseModel):
    """One emotional segment."""

    name: str
    size: int
    distinguishing: list[DistinguishingOut]
    means: dict[str, float] = Field(description="The members' mean profile features.")
    attributes: dict[str, dict[str, int]] = Field(description="Your customer attributes (emotrace customers "
                                                  "import): members per value.")
    attribute_figures: dict[str, AttributeFiguresOut] = Field(
        description="Your numeric attributes (every value a number, more than 10 distinct: spend, tenure): the "
        "members who have one, their mean, median, min and max.")


class SegmentsOut(BaseModel):
    """Customers clustered by emotional profile (Gaussian mixture; the count chosen by BIC)."""

    customers: int
    inactive: int = Field(description="Customers left out: no message in the last 90 days.")
    segments: list[SegmentOut]
    bic: dict[int, float] = Field(description="BIC per number of segments tried (lowest chosen).")
    silhouette: float


class FromObject(BaseModel):
    """Wire forms read from the scoring layer's dataclasses (``model_validate(obj)``)."""

    model_config = ConfigDict(from_attributes=True)


class EstimateOut(FromObject):
    """A mean over conversations with its 95 % confidence interval."""

    mean: float
    low: float | None = Field(description="null from a single conversation")
    high: float | None
    n: int


class AgentProfileOut(FromObject):
    """An agent's empathy profile from their stored conversations."""

    agent_id: str
    conversations: int
    measured: int = Field(description="Conversations with customer turns before and after the agent's first turn.")
    enough_data: bool = Field(description="False: too few measured conversations to rank this agent.")
    de_escalation: EstimateOut | None = Field(description="Customer mood after minus before the agent's first turn.")
    de_escalation_distressed: EstimateOut | None = Field(description="The same, where the customer started distressed.")
    empathy_rate: float | None = Field(description="Answers to a distressed customer turn that read caring, remorse "
                                       "or gratitude.")
    ended_better: float | None = Field(description="Share of the conversations with two or more customer turns "
                                       "whose customer mood ended higher than it began; null when none had two.")
    ended_worse: float | None = Field(description="The same, ended lower.")
    by_channel: dict[str, EstimateOut]
    by_segment: dict[str, EstimateOut]


class AgentConversationOut(FromObject):
    """One conversation of an agent and what it did to the customer's mood."""

    conversation_id: str
    customer_id: str
    started_at: StoredTime
    channel: str
    segment: str
    started_distressed: bool
    de_escalation: float | None
    distress_answers: int
    empathic_answers: int
    ended: str = Field(description="better, worse or same (the customer's last turn against their first); "
                                   "unmeasured with fewer than two customer turns.")


class AgentDetailOut(AgentProfileOut):
    """An agent's profile and the conversations it is measured on."""

    conversation_effects: list[AgentConversationOut]


class RankedAgentOut(FromObject):
    """An available agent, placed for this customer, and why."""

    agent_id: str
    score: float | None
    enough_data: bool
    reason: str



@dataclass(frozen=True)
class WebhookLogOut(EndpointLog):
    """How one webhook endpoint's deliveries stand, and the events it is sent."""

    events: list[str] = field(default_factory=list)


class ChannelDayOut(BaseModel):
    """One channel's share of a day on the floor."""

    model_config = ConfigDict(from_attributes=True)

    messages: int
    mean_satisfaction: float


class FloorDayOut(BaseModel):
    """One UTC day across the floor."""

    model_config = ConfigDict(from_attributes=True)

    day: str = Field(description="YYYY-MM-DD (UTC).")
    messages: int = Field(description="Customers' own messages (agent turns are not counted).")
    mean_satisfaction: float | None = Field(description="Their mean satisfaction reading, -1..1 (null: no messages).")
    dissatisfied_share: float | None = Field(description="The share of them read dissatisfied.")
    alerts: int = Field(description="Alerts the scoring rules raised that day.")
    by_channel: dict[str, ChannelDayOut]


class AffectedOut(FromObject):
    """A customer whose messages about a topic carried dissatisfaction."""

    customer_id: str
    messages: int = Field(description="Their messages about the topic in the period.")
    carried: float = Field(description="The dissatisfaction those carried.")


class TopicDriverOut(FromObject):
    """One topic over the period: how much it was raised, how much dissatisfaction it carried, and against the
    period before."""

    topic: str = Field(description="The topic (docs/topics.md).")
    name: str = Field(description="The topic as it reads in a sentence.")
    messages: int = Field(description="Customer messages about it.")
    carried: float = Field(description="Dissatisfaction carried: the sum over those messages of max(0, "
                           "-satisfaction), the topic's own (aspect) satisfaction or else the message's.")
    mean_negativity: float = Field(description="carried / messages, 0..1.")
    dissatisfied_share: float = Field(description="The share of those messages read dissatisfied about it.")
    previous_messages: int = Field(description="Messages about it in the period before (same length).")
    previous_carried: float = Field(description="Dissatisfaction it carried in the period before.")
    messages_change: int = Field(description="messages - previous_messages.")
    carried_change: float = Field(description="carried - previous_carried.")
    messages_change_relative: float | None = Field(description="messages_change / previous_messages (null: new).")
    carried_change_relative: float | None = Field(description="carried_change / previous_carried (null: it carried "
                                                  "nothing before).")
    new: bool = Field(description="Absent from the period before.")
    examples: list[str] = Field(description="Up to 3 of its most dissatisfied messages, redacted (empty when no text "
                                "is stored).")
    customers: list[AffectedOut] = Field(description="The 5 customers whose messages carried most of it.")


class DriversOut(FromObject):
    """What drives customers' dissatisfaction: topics ranked by the dissatisfaction they carried in the period."""

    since: datetime
    until: datetime
    previous_since: datetime = Field(description="The period before runs from here to since.")
    segment: str | None
    channel: str | None
    messages: int = Field(description="Customer messages with topics in the period.")
    without_topics: int = Field(description="Customer messages skipped: read before topics existed.")
    previous_messages: int = Field(description="Customer messages with topics in the period before.")
    drivers: list[TopicDriverOut]
    reason: str | None = Field(description="Why there are no drivers (null when there are).")
