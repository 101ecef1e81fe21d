"""Messages as they are stored: who said it, where, and the fields of its reading (one mapping for the HTTP API,
batch ingestion and the demo data)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, TypedDict

from pydantic import StringConstraints, TypeAdapter, ValidationError

from emotrace.model.labels import INTENT_VIEW, TOPIC_VIEW
from emotrace.model.reading import GroupedView, Reading
from emotrace.settings import Settings, stored_id
from emotrace.store.messages import NewMessage
from emotrace.text.redact import redact

# The ids clients give customers and agents, wherever one is accepted (HTTP bodies, paths, queries and forms;
# outcome files): 1 to 128 letters, digits and _ . : @ -, not dots alone ("." and ".." are dot segments, which
# browsers, the dashboard and curl remove from a path: /v1/customers/.. could be neither read nor erased)
ID_PATTERN = r"^[A-Za-z0-9_.:@-]*[A-Za-z0-9_:@-][A-Za-z0-9_.:@-]*$"
# An id as releases before stored them (dots alone too): such a customer can still be erased, the path sent
# percent-encoded (DELETE /v1/customers/%2E%2E)
STORED_ID_PATTERN = r"^[A-Za-z0-9_.:@-]+$"
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=ID_PATTERN)]
MAX_CONVERSATION_ID = 128  # characters of a conversation's id, however it is given (body, form, ingested row)
_IDENTIFIER = TypeAdapter(Identifier)


def is_identifier(value: str) -> bool:
    """Whether ``value`` is an id as every route takes one (:data:`Identifier`), for ids read outside a request."""
    try:
        _IDENTIFIER.validate_python(value)
    except ValidationError:
        return False
    return True


class Channel(StrEnum):
    """Where a text came from."""

    chat = "chat"
    email = "email"
    review = "review"
    call = "call"


class Speaker(StrEnum):
    """Who said it: only the customer's own words count towards the customer."""

    customer = "customer"
    agent = "agent"


class ReadingRecord(TypedDict):
    """A reading's fields as batch output rows carry them and the store keeps them (the store has no
    ``top_label``): per view (Ekman, sentiment, intent, topic) the groups that fire and their probabilities, and each
    topic's own satisfaction (``aspects``: topic, satisfaction_class, satisfaction)."""

    labels: list[str]
    top_label: str
    ekman_labels: list[str]
    ekman_probabilities: dict[str, float]
    sentiment_labels: list[str]
    sentiment_probabilities: dict[str, float]
    intent_labels: list[str]
    intent_probabilities: dict[str, float]
    topic_labels: list[str]
    topic_probabilities: dict[str, float]
    aspects: list[dict[str, object]]
    valence: float | None
    arousal: float | None
    satisfaction: float | None
    satisfaction_class: str | None
    language: str  # ISO 639-1 (emotrace.text.language)
    warnings: list[str]  # e.g. W001 non_english: the reading is unreliable


READING_FIELDS = tuple(ReadingRecord.__annotations__)  # the batch output columns of a reading, in order


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _view_fields(view: GroupedView | None) -> tuple[list[str], dict[str, float]]:
    """A view's labels and its probabilities to 4 places (empty where the model lacks the view)."""
    if view is None:
        return [], {}
    return list(view.labels), {k: round(v, 4) for k, v in view.probabilities.items()}


def reading_record(reading: Reading) -> ReadingRecord:
    """The reading's :class:`ReadingRecord` (probabilities to 4 places)."""
    ekman_labels, ekman_probabilities = _view_fields(reading.views.get("ekman"))
    sentiment_labels, sentiment_probabilities = _view_fields(reading.views.get("sentiment"))
    intent_labels, intent_probabilities = _view_fields(reading.views.get(INTENT_VIEW))
    topic_labels, topic_probabilities = _view_fields(reading.views.get(TOPIC_VIEW))
    return ReadingRecord(
        labels=list(reading.labels), top_label=reading.top_label, ekman_labels=ekman_labels,
        ekman_probabilities=ekman_probabilities, sentiment_labels=sentiment_labels,
        sentiment_probabilities=sentiment_probabilities, intent_labels=intent_labels,
        intent_probabilities=intent_probabilities, topic_labels=topic_labels, topic_probabilities=topic_probabilities,
        aspects=[{k: v for k, v in aspect.to_dict().items() if k != "clause"} for aspect in reading.aspects],
        valence=_rounded(reading.valence),
        arousal=_rounded(reading.arousal), satisfaction=_rounded(reading.satisfaction_score),
        satisfaction_class=reading.satisfaction_class, language=reading.language, warnings=list(reading.warnings))


def stored_text(text: str, settings: Settings) -> str | None:
    """The text as the settings allow it to be stored."""
    if settings.store_text == "none":
        return None
    return redact(text) if settings.store_text == "redacted" else text


def new_message(*, customer_id: str, conversation_id: str, channel: Channel, speaker: Speaker, timestamp: datetime,
                text: str, record: ReadingRecord, settings: Settings, agent_id: str | None = None) -> NewMessage:
    """A storable message: ids as stored (:func:`~emotrace.settings.stored_id`: a listed ``p-…`` id is taken as it is)
    and text kept or redacted per ``settings`` (heads the model lacks
    are stored as 0 and "neutral"). ``record`` may come back from a Parquet/JSONL file, so lists and maps are
    copied into plain ones."""
    return NewMessage(
        customer_id=stored_id(customer_id, settings), conversation_id=stored_id(conversation_id, settings),
        channel=channel.value, speaker=speaker.value, timestamp=timestamp, text=stored_text(text, settings),
        labels=list(record["labels"]), ekman_labels=list(record["ekman_labels"]),
        ekman_probabilities=dict(record["ekman_probabilities"]), sentiment_labels=list(record["sentiment_labels"]),
        sentiment_probabilities=dict(record["sentiment_probabilities"]),
        valence=float(record["valence"] or 0.0), arousal=float(record["arousal"] or 0.0),
        satisfaction=float(record["satisfaction"] or 0.0), satisfaction_class=record["satisfaction_class"] or "neutral",
        agent_id=agent_id if speaker is Speaker.agent else None,
        intent_labels=list(record.get("intent_labels") or []),  # batch files written before intents have none
        intent_probabilities=dict(record.get("intent_probabilities") or {}),
        topic_labels=list(record.get("topic_labels") or []),  # nor have those written before topics
        topic_probabilities=dict(record.get("topic_probabilities") or {}),
        aspects=[dict(aspect) for aspect in record.get("aspects") or []],
        language=record.get("language"), warnings=list(record.get("warnings") or []))  # nor before languages
