"""From a request item and its reading to a storable message (redacting text per settings)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from service.api.schemas import MessageIn
from service.model.reading import Reading
from service.settings import Settings, pseudonym
from service.store.database import NewMessage, RequestKey, Store
from service.store.tables import Customer, Message
from service.text.redact import redact


def stored_text(text: str, settings: Settings) -> str | None:
    """The text as the settings allow it to be stored."""
    if settings.store_text == "none":
        return None
    return redact(text) if settings.store_text == "redacted" else text


def new_message(item: MessageIn, reading: Reading, settings: Settings, now: datetime) -> NewMessage:
    """A storable message from a request item and its reading."""
    return NewMessage(
        customer_id=pseudonym(item.customer_id, settings), conversation_id=pseudonym(item.conversation_id, settings),
        channel=item.channel.value,
        speaker=item.speaker.value, timestamp=item.timestamp or now, text=stored_text(item.text, settings),
        labels=reading.labels, ekman={k: round(v, 4) for k, v in reading.views["ekman"].probabilities.items()},
        sentiment=reading.views["sentiment"].labels, valence=reading.valence or 0.0, arousal=reading.arousal or 0.0,
        satisfaction=reading.satisfaction_score or 0.0,
        satisfaction_class=reading.satisfaction_class or "neutral", ekman_labels=reading.views["ekman"].labels,
        sentiment_probabilities={k: round(v, 4) for k, v in reading.views["sentiment"].probabilities.items()})


@dataclass(frozen=True)
class Recorded:
    """A stored message and its customer's summary as the storing transaction left it."""

    message: Message
    customer: Customer


@dataclass(frozen=True)
class Write:
    """One request's messages, with the client's Idempotency-Key (and the request's hash) when it gave one."""

    messages: list[NewMessage]
    key: str | None = None
    request_sha: str = ""


def write_messages(store: Store, writes: list[Write]) -> list[list[Recorded]]:
    """Store the messages of ``writes`` in one transaction (the writer's batch function: concurrent requests
    share it), each keyed write's key with them."""
    items: list[NewMessage] = []
    keys: list[RequestKey] = []
    for write in writes:
        if write.key is not None:
            keys.append(RequestKey(write.key, write.request_sha, len(items), len(items) + len(write.messages)))
        items.extend(write.messages)
    rows, customers = store.add_messages(items, request_keys=keys)
    by_id = {c.id: c for c in customers}
    recorded = iter([Recorded(row, by_id[row.customer_id]) for row in rows])
    return [[next(recorded) for _ in write.messages] for write in writes]
