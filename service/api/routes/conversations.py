"""Upload a conversation file (e-mail, transcript, call audio) onto a customer's timeline."""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, UploadFile, status
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from service.api.deps import AccessDep, Runtime, RuntimeDep, customer_out, message_out
from service.api.feed import publish_recorded
from service.api.recording import new_message, stored_text
from service.api.schemas import (
    TEXT_PATTERN,
    Channel,
    CustomerIdPath,
    CustomerOut,
    MessageIn,
    Speaker,
    StoredMessageOut,
    utc_timestamp,
)
from service.channels.load import CONVERSATION_SUFFIXES, load_conversation
from service.channels.reading import ConversationSummary, read_conversation
from service.channels.utterance import Conversation
from service.errors import EmotraceError
from service.settings import pseudonym
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


def _store(runtime: Runtime, path: Path, customer_id: str, conversation_id: str, started_at: datetime | None,
           agent: str | None) -> Stored:
    if runtime.store.count_conversation_messages(pseudonym(customer_id, runtime.settings),
                                                 pseudonym(conversation_id, runtime.settings)):
        raise HTTPException(status.HTTP_409_CONFLICT,
                            f"Conversation '{conversation_id}' of customer '{customer_id}' is already stored. "
                            "To store this file again, pass another conversation_id.")
    conversation = load_conversation(path, agent, runtime.settings)
    if not conversation.utterances:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            "No speech or text found: " + ("; ".join(conversation.warnings) or "empty conversation."))
    offsets = [u.start if u.start is not None else float(i) for i, u in enumerate(conversation.utterances)]
    now = datetime.now(UTC)
    start = started_at or now - timedelta(seconds=max(offsets))  # without started_at, the conversation ends now
    turns, summary = read_conversation(runtime.classifier, conversation)
    items = []
    for number, (turn, offset) in enumerate(zip(turns, offsets, strict=True), 1):
        try:
            message = MessageIn(customer_id=customer_id, conversation_id=conversation_id,
                                channel=Channel(conversation.channel), speaker=Speaker(turn.utterance.role),
                                timestamp=start + timedelta(seconds=offset), text=turn.utterance.text)
        except ValidationError as exc:
            problem = "; ".join(str(e["msg"]) for e in exc.errors())
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"Turn {number}: {problem}.") from None
        items.append(new_message(message, turn.reading, runtime.settings, now))
    rows, customers = runtime.store.add_messages(items)
    return Stored(conversation, summary, rows, customers[0])


def _without_paths(exc: EmotraceError, path: Path, name: str) -> EmotraceError:
    """``exc`` with the server's temporary file named as the client named it."""
    return EmotraceError(exc.code, exc.problem.replace(str(path), name), exc.fix.replace(str(path), name))


@router.post("/{customer_id}/conversations", response_model=ConversationOut, status_code=status.HTTP_201_CREATED)
async def upload_conversation(
    customer_id: CustomerIdPath, runtime: RuntimeDep,
    file: Annotated[UploadFile, File(description=".eml, .vtt, .srt, .json transcript, or .wav/.flac/.mp3/.ogg")],
    conversation_id: Annotated[str | None, Form(max_length=128, pattern=TEXT_PATTERN, description="Default: the "
                                                "customer id and a hash of the file: one file is stored once.")] = None,
    started_at: Annotated[datetime | None, Form(description="When the conversation began (ISO 8601; default: "
                                                "so that its last turn is now).")] = None,
    agent: Annotated[str | None, Form(max_length=64, description="Transcripts: the agent's speaker name.")] = None,
) -> ConversationOut:
    """Read a conversation file turn by turn and store it on the customer's timeline (one transaction).

    A conversation already stored for the customer (same conversation_id) is refused with 409."""
    name = Path(file.filename or "").name
    suffix = Path(name).suffix.lower()
    if suffix not in CONVERSATION_SUFFIXES:
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                            f"Unsupported file type '{suffix or name}'. Use {sorted(CONVERSATION_SUFFIXES)}.")
    try:
        start = utc_timestamp(started_at, "started_at") if started_at is not None else None
    except ValueError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"{exc}.") from None
    data = await file.read()
    conversation_id = conversation_id or f"{customer_id}-{hashlib.sha256(data).hexdigest()[:16]}"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            stored = await run_in_threadpool(_store, runtime, path, customer_id, conversation_id, start, agent)
        except EmotraceError as exc:
            raise _without_paths(exc, path, name) from None
    summary = asdict(stored.summary)
    if summary["peak_negative"] is not None:  # the same text as the stored turns: redacted per settings
        summary["peak_negative"]["text"] = stored_text(summary["peak_negative"]["text"], runtime.settings)
    out = ConversationOut(conversation_id=pseudonym(conversation_id, runtime.settings),
                          channel=stored.conversation.channel,
                          warnings=stored.conversation.warnings, summary=summary,
                          messages=[message_out(r) for r in stored.messages], customer=customer_out(stored.customer))
    publish_recorded(runtime.bus, out.messages, [stored.customer])
    return out
