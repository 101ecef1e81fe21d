"""Upload a conversation file (e-mail, transcript, call audio) onto a customer's timeline."""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections import Counter
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Request, UploadFile, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from emotrace.api.deps import GUARDS, RuntimeDep, check_request_size
from emotrace.api.feed import publish_recorded
from emotrace.api.recording import Write, message_from_request
from emotrace.api.schemas import (
    ISO_8601,
    CustomerIdPath,
    CustomerOut,
    MessageIn,
    StoredMessageOut,
)
from emotrace.api.strict_json import StrictJSONRoute
from emotrace.channels.load import CONVERSATION_SUFFIXES, load_conversation
from emotrace.channels.reading import TurnReading, turn_facts, with_readings
from emotrace.channels.transcript import MAX_SPEAKER_CHARS
from emotrace.channels.utterance import Conversation
from emotrace.errors import EmotraceError
from emotrace.messages import MAX_CONVERSATION_ID, Channel, Identifier, Speaker, stored_text
from emotrace.settings import stored_id
from emotrace.store.messages import ConversationStored, NewMessage
from emotrace.text.visible import TEXT_PATTERN
from emotrace.times import utc_timestamp

router = APIRouter(route_class=StrictJSONRoute, prefix="/v1/customers", tags=["conversations"], dependencies=GUARDS)


class ConversationOut(BaseModel):
    """The stored turns, the conversation summary, adapter warnings, the customer's new summary."""

    conversation_id: str
    channel: str
    warnings: list[str]
    summary: dict[str, object]
    turns: list[dict[str, object]] = Field(description="Each turn as read (in the order of messages): speaker, role, "
                                           "start, end, tone, arousal (fused with the voice in a call), contributions, "
                                           "voice cues (null without audio).")
    messages: list[StoredMessageOut]
    customer: CustomerOut


def _turns(conversation: Conversation, customer_id: str, conversation_id: str, started_at: datetime | None,
           agent_id: str | None = None) -> list[MessageIn]:
    """The turns as validated messages, before any is read or stored (a bad turn is refused by number);
    without ``started_at`` the conversation ends now."""
    offsets = _offsets([utterance.start for utterance in conversation.utterances])
    start = started_at or datetime.now(UTC) - timedelta(seconds=max(offsets))
    turns = []
    for number, (utterance, offset) in enumerate(zip(conversation.utterances, offsets, strict=True), 1):
        try:
            turns.append(MessageIn(customer_id=customer_id, conversation_id=conversation_id,
                                   channel=Channel(conversation.channel), speaker=Speaker(utterance.role),
                                   agent_id=agent_id if utterance.role == Speaker.agent else None,
                                   timestamp=start + timedelta(seconds=offset), text=utterance.text))
        except ValidationError as exc:
            problem = "; ".join(str(e["msg"]) for e in exc.errors())
            raise EmotraceError("E901", f"Turn {number}: {problem}.") from None
    return turns


def _as_stored(message: NewMessage, turn: TurnReading, customer: str) -> NewMessage:
    """The message as stored: on the path's customer as the store holds it (a ``p-…`` path, the id the service lists,
    is not keyed again), and a call turn's arousal the one fused with the voice (the answer's turns show it; the
    text's alone was stored, so a shouted turn never raised an intensity alert)."""
    arousal = turn.arousal if turn.arousal is not None else message.arousal
    return replace(message, customer_id=customer, arousal=arousal)


def _offsets(starts: list[float | None]) -> list[float]:
    """Each turn's seconds from the start: its own, or for an untimed turn a second after the turn before it, or
    half-way to the next timed turn when that comes sooner (it was stored after a timed turn listed after it)."""
    offsets: list[float] = []
    for number, start in enumerate(starts):
        if start is None and offsets:
            after = next((s for s in starts[number + 1 :] if s is not None), None)
            start = offsets[-1] + (1.0 if after is None else min(1.0, max(after - offsets[-1], 0.0) / 2))
        offsets.append(0.0 if start is None else start)
    return offsets


def _refuse_unencodable(**parts: object) -> None:
    """422 when a part of the answer cannot be written as UTF-8 JSON (a lone surrogate from the file): checked
    before the transaction, so a conversation is never stored with an answer that then fails."""
    for name, part in parts.items():
        try:
            json.dumps(part, ensure_ascii=False, default=str).encode("utf-8")
        except UnicodeEncodeError:
            raise EmotraceError("E617", f"Reading the file gave {name} with a lone UTF-16 surrogate, which is not "
                                "valid Unicode (nothing was stored).") from None


def _default_conversation_id(customer_id: str, data: bytes) -> str:
    """An upload's conversation id when none is given: the customer id (cut to fit) and a hash of the file, so one
    file is stored once per customer."""
    digest = hashlib.sha256(data).hexdigest()[:16]
    return f"{customer_id[:MAX_CONVERSATION_ID - len(digest) - 1]}-{digest}"


def _already_stored(customer_id: str, conversation_id: str) -> EmotraceError:
    return EmotraceError("E906", f"Conversation '{conversation_id}' of customer '{customer_id}' is already stored. "
                                 "To store this file again, pass another conversation_id.")


def _client_named(text: str, path: Path, name: str) -> str:
    """``text`` with the server's temporary file (its path or its name) named as the client named it."""
    return text.replace(str(path), name).replace(path.name, name)


async def _refuse_unknown_fields(request: Request) -> None:
    """422 (E901) naming each form field the upload does not read, or that is given twice: a misspelt one ('form'
    for 'format') is refused, not ignored (the file would be read as another format than the one asked for), and a
    second file is not dropped."""
    known = sorted(field.alias for field in request.scope["route"].dependant.body_params)
    given = Counter(name for name, _ in (await request.form()).multi_items())
    unknown = sorted(set(given) - set(known))
    twice = sorted(name for name, count in given.items() if count > 1 and name not in unknown)
    if unknown or twice:
        raise RequestValidationError([{"type": "extra_forbidden", "loc": ("body", name), "input": None,
                                       "msg": f"Unknown form field (the upload reads {', '.join(known)})"}
                                      for name in unknown] +
                                     [{"type": "value_error", "loc": ("body", name), "input": None,
                                       "msg": "Form field given twice (one file and one value per field)"}
                                      for name in twice])


@router.post("/{customer_id}/conversations", response_model=ConversationOut, status_code=status.HTTP_201_CREATED)
async def upload_conversation(
    request: Request, customer_id: CustomerIdPath, runtime: RuntimeDep,
    file: Annotated[UploadFile, File(description=".eml, .txt (e-mail or chat), .vtt, .srt, .json transcript, or "
                                     ".wav/.flac/.mp3/.ogg")],
    conversation_id: Annotated[str | None, Form(max_length=MAX_CONVERSATION_ID, pattern=TEXT_PATTERN, description="Default: the "
                                                "customer id and a hash of the file: one file is stored once.")] = None,
    started_at: Annotated[datetime | None, ISO_8601, Form(description="When the conversation began (ISO 8601; default: "
                                                "so that its last turn is now).")] = None,
    agent: Annotated[str | None, Form(max_length=MAX_SPEAKER_CHARS, description="Transcripts: the agent's speaker name.")] = None,
    agent_id: Annotated[Identifier | None, Form(description="The agent's id, stored with their turns (agents' "
                                                "profiles and routing).")] = None,
    form: Annotated[Literal["email", "chat", "vtt", "srt", "json"] | None, Form(
        alias="format", description="What the file is (default: from its extension, or a .txt file's content).")] = None,
) -> ConversationOut:
    """Read a conversation file turn by turn and store it on the customer's timeline (one transaction).

    The turns are read through the model's queue and stored through the store writer, as messages are
    (bounded, shed with 503 under overload). A conversation already stored for the customer (same
    conversation_id) is refused with 409; a form field it does not read, with 422."""
    await _refuse_unknown_fields(request)
    name = Path(file.filename or "").name
    suffix = Path(name).suffix.lower()
    if suffix not in CONVERSATION_SUFFIXES:
        said = f"Unsupported file type '{suffix}'" if suffix else f"'{name}' has no file suffix to tell its type by"
        raise EmotraceError("E611", f"{said}. Use {sorted(CONVERSATION_SUFFIXES)}.")
    try:
        start = utc_timestamp(started_at, "started_at") if started_at is not None else None
    except ValueError as exc:
        raise EmotraceError("E901", f"{exc}.", "Give started_at as an ISO 8601 time from 1970 to now.") from None
    data = await file.read()
    settings = runtime.settings
    stored_customer = stored_id(customer_id, settings)  # the path takes the listed pseudonym, as other paths do
    # by the stored id: one file sent to the customer's own id and to its listed pseudonym is one conversation
    conversation_id = conversation_id or _default_conversation_id(stored_customer, data)
    stored_as = (stored_customer, stored_id(conversation_id, settings))
    if await run_in_threadpool(runtime.store.messages.count_in_conversation, *stored_as):
        raise _already_stored(customer_id, conversation_id)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        try:  # decoding and speech recognition in a worker thread; reading and storing through the shared queues
            conversation = await run_in_threadpool(load_conversation, path, settings, agent, form)
        except EmotraceError as exc:
            raise EmotraceError(exc.code, _client_named(exc.problem, path, name),
                                _client_named(exc.fix, path, name)) from None
        conversation.warnings = [_client_named(warning, path, name) for warning in conversation.warnings]
    if not conversation.utterances:
        raise EmotraceError("E602", "No speech or text found: " + ("; ".join(conversation.warnings) or "empty conversation."))
    sent_at = conversation.metadata.get("sent_at")
    if start is None and isinstance(sent_at, datetime):  # an e-mail's Date header
        try:
            start = utc_timestamp(sent_at, "the e-mail's Date header")
        except ValueError as exc:
            conversation.warnings.append(f"{exc}: the e-mail is dated by its upload.")
    turns = _turns(conversation, customer_id, conversation_id, start, agent_id)
    if agent_id is not None and all(t.speaker != Speaker.agent for t in turns):
        conversation.warnings.append(f"agent_id '{agent_id}' not stored: no turn is the agent's.")
    texts = [t.text for t in turns]
    check_request_size("The file", texts, settings, settings.max_conversation_turns, "turns")
    readings = await runtime.read(texts)
    if await request.is_disconnected():
        raise EmotraceError("E911", "The client closed the request; nothing was stored.")
    read_turns, summary = with_readings(conversation, readings)
    summary_out = asdict(summary)
    if summary_out["peak_negative"] is not None:  # the same text as the stored turns: redacted per settings
        summary_out["peak_negative"]["text"] = stored_text(summary_out["peak_negative"]["text"], settings)
    _refuse_unencodable(warnings=conversation.warnings, summary=summary_out)
    now = datetime.now(UTC)
    items = [_as_stored(message_from_request(t, r, settings, now), read, stored_customer)
             for t, r, read in zip(turns, readings, read_turns, strict=True)]
    try:
        (recorded,) = await runtime.writer.submit([Write(items, new_conversation=stored_as)])
    except ConversationStored:  # uploaded by a concurrent request (or on another replica) since the check above
        raise _already_stored(customer_id, conversation_id) from None
    customer = recorded[-1].customer
    out = ConversationOut(conversation_id=stored_as[1], channel=conversation.channel,
                          warnings=conversation.warnings, summary=summary_out,
                          turns=[turn_facts(t) for t in read_turns],
                          messages=[StoredMessageOut.model_validate(r.message) for r in recorded],
                          customer=CustomerOut.model_validate(customer))
    publish_recorded(runtime.bus, out.messages, [customer])
    runtime.written()
    return out
