"""From a request item and its reading to a storable message (redacting text per settings)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from service.api.schemas import MessageIn
from service.model.reading import Reading
from service.settings import Settings
from service.store.database import NewMessage, Store
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
        customer_id=item.customer_id, conversation_id=item.conversation_id, channel=item.channel.value,
        speaker=item.speaker.value, timestamp=item.timestamp or now, text=stored_text(item.text, settings),
        labels=reading.labels, ekman={k: round(v, 4) for k, v in reading.views["ekman"].probabilities.items()},
        sentiment=reading.views["sentiment"].labels, valence=reading.valence or 0.0, arousal=reading.arousal or 0.0,
        satisfaction=reading.satisfaction_score or 0.0,
        satisfaction_class=reading.satisfaction_class or "neutral")


@dataclass(frozen=True)
class Recorded:
    """A stored message and its customer's summary as the storing transaction left it."""

    message: Message
    customer: Customer


def write_messages(store: Store, items: list[NewMessage]) -> list[Recorded]:
    """Store ``items`` in one transaction (the writer's batch function: concurrent requests share it)."""
    rows, customers = store.add_messages(items)
    by_id = {c.id: c for c in customers}
    return [Recorded(row, by_id[row.customer_id]) for row in rows]
