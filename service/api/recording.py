"""From request items and their readings to stored messages: the writer's batch function."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from emotrace.api.schemas import MessageIn
from emotrace.messages import new_message, reading_record
from emotrace.model.reading import Reading
from emotrace.scoring.rules import ScoringRules
from emotrace.services.summaries import record_messages
from emotrace.settings import Settings
from emotrace.store import Store
from emotrace.store.messages import NewMessage, RequestKey
from emotrace.store.tables import Customer, Message


def message_from_request(item: MessageIn, reading: Reading, settings: Settings, now: datetime) -> NewMessage:
    """A storable message from a request item and its reading (untimed items are timed ``now``)."""
    return new_message(customer_id=item.customer_id, conversation_id=item.conversation_id, channel=item.channel,
                       speaker=item.speaker, timestamp=item.timestamp or now, text=item.text,
                       record=reading_record(reading), settings=settings, agent_id=item.agent_id)


@dataclass(frozen=True)
class Recorded:
    """A stored message and its customer's summary as the storing transaction left it."""

    message: Message
    customer: Customer


@dataclass(frozen=True)
class Write:
    """One request's messages, with the client's Idempotency-Key (and the request's hash) when it gave one, and the
    (customer, conversation) it uploads when the request stores a whole conversation (never stored twice)."""

    messages: list[NewMessage]
    key: str | None = None
    request_sha: str = ""
    new_conversation: tuple[str, str] | None = None


def write_messages(store: Store, rules: ScoringRules, writes: list[Write]) -> list[list[Recorded]]:
    """Store the messages of ``writes`` in one transaction (the writer's batch function: concurrent requests
    share it), each keyed write's key with them; an uploaded conversation already stored fails it
    (:class:`~emotrace.store.messages.ConversationStored`)."""
    items: list[NewMessage] = []
    keys: list[RequestKey] = []
    for write in writes:
        if write.key is not None:
            keys.append(RequestKey(write.key, write.request_sha, len(items), len(items) + len(write.messages)))
        items.extend(write.messages)
    uploads = [write.new_conversation for write in writes if write.new_conversation is not None]
    rows, customers = record_messages(store, items, rules, request_keys=keys, new_conversations=uploads)
    by_id = {c.id: c for c in customers}
    recorded = iter([Recorded(row, by_id[row.customer_id]) for row in rows])
    return [[next(recorded) for _ in write.messages] for write in writes]
