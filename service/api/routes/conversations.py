"""Upload a conversation file (e-mail, transcript, call audio) onto a customer's timeline."""

from __future__ import annotations

import re
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, UploadFile, status
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from service.api.deps import AccessDep, Runtime, RuntimeDep, customer_out, message_out
from service.api.recording import new_message
from service.api.schemas import CUSTOMER_ID_PATTERN, Channel, CustomerOut, MessageIn, Speaker, StoredMessageOut
from service.channels.load import CONVERSATION_SUFFIXES, load_conversation
from service.channels.reading import ConversationSummary, read_conversation
from service.channels.utterance import Conversation
from service.store.tables import Customer, Message

router = APIRouter(prefix="/v1/customers", tags=["conversations"], dependencies=[AccessDep])


class ConversationOut(BaseModel):
    """The stored turns, the conversation summary, adapter warnings, the customer's new summary."""

    conversation_id: str
    channel: str
    warnings: list[str]
    summary: dict[str, object]
    messages: list[StoredMessageOut]
    customer: CustomerOut


@dataclass
class Stored:
    """What storing a conversation produced."""

    conversation: Conversation
    summary: ConversationSummary
    messages: list[Message]
    customer: Customer


def _store(runtime: Runtime, path: Path, customer_id: str, conversation_id: str, started_at: datetime,
           agent: str | None) -> Stored:
    conversation = load_conversation(path, agent, runtime.settings)
    if not conversation.utterances:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            "No speech or text found: " + ("; ".join(conversation.warnings) or "empty conversation."))
    turns, summary = read_conversation(runtime.classifier, conversation)
    items = []
    for i, turn in enumerate(turns):
        offset = turn.utterance.start if turn.utterance.start is not None else float(i)
        message = MessageIn(customer_id=customer_id, conversation_id=conversation_id,
                            channel=Channel(conversation.channel), speaker=Speaker(turn.utterance.role),
                            timestamp=started_at + timedelta(seconds=offset), text=turn.utterance.text)
        items.append(new_message(message, turn.reading, runtime.settings, started_at))
    rows, customers = runtime.store.add_messages(items)
    return Stored(conversation, summary, rows, customers[0])


@router.post("/{customer_id}/conversations", response_model=ConversationOut, status_code=status.HTTP_201_CREATED)
async def upload_conversation(
    customer_id: str, runtime: RuntimeDep,
    file: Annotated[UploadFile, File(description=".eml, .vtt, .srt, .json transcript, or .wav/.flac/.mp3/.ogg")],
    conversation_id: Annotated[str | None, Form(max_length=128)] = None,
    started_at: Annotated[datetime | None, Form(description="When the conversation began (ISO 8601).")] = None,
    agent: Annotated[str | None, Form(max_length=64, description="Transcripts: the agent's speaker name.")] = None,
) -> ConversationOut:
    """Read a conversation file turn by turn and store it on the customer's timeline (one transaction)."""
    if not re.match(CUSTOMER_ID_PATTERN, customer_id):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "customer_id may hold letters, digits and _.:@- only.")
    suffix = Path(file.filename or "").suffix.lower()
    if suffix not in CONVERSATION_SUFFIXES:
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                            f"Unsupported file type '{suffix or file.filename}'. Use {sorted(CONVERSATION_SUFFIXES)}.")
    start = started_at or datetime.now(UTC)
    start = start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)
    if start > datetime.now(UTC) + timedelta(minutes=5):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "started_at is in the future.")
    conversation_id = conversation_id or f"{customer_id}-{int(start.timestamp())}"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(await file.read())
        stored = await run_in_threadpool(_store, runtime, path, customer_id, conversation_id, start, agent)
    out = ConversationOut(conversation_id=conversation_id, channel=stored.conversation.channel,
                          warnings=stored.conversation.warnings, summary=asdict(stored.summary),
                          messages=[message_out(r) for r in stored.messages], customer=customer_out(stored.customer))
    runtime.bus.publish({"type": "customer", "customer_id": customer_id,
                         "data": {**out.customer.model_dump(mode="json"), "alerts": stored.customer.alerts}})
    return out
