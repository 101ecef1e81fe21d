"""Record: store customers' messages with their readings (summaries are refreshed in the same transaction), and
people's corrections of those readings."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response, status
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from emotrace.api.deps import GUARDS, Runtime, RuntimeDep, check_request_size
from emotrace.api.feed import publish_correction, publish_recorded
from emotrace.api.recording import Write, message_from_request
from emotrace.api.schemas import (
    CorrectionIn,
    CorrectionOut,
    CustomerOut,
    MessageIdPath,
    MessagesIn,
    RecordedOut,
    StoredMessageOut,
)
from emotrace.api.strict_json import StrictJSONRoute
from emotrace.errors import EmotraceError
from emotrace.services.corrections import correct_message
from emotrace.store.corrections import CorrectionKey, KeyReused, NewCorrection
from emotrace.store.messages import WriteErased

router = APIRouter(route_class=StrictJSONRoute, prefix="/v1/messages", tags=["messages"], dependencies=GUARDS)

IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{8,200}$")


ERASED_KEY = ("E923", "The write made under this Idempotency-Key was erased with its customer "
                      "(DELETE /v1/customers/{id}); it is not stored again.")
KEY_REUSED = ("E908", "This Idempotency-Key was used for a different request.", "Use a new key per request.")


def _checked_key(request: Request, key: str | None) -> str | None:
    """The request's Idempotency-Key as given (None: none), checked: E908 when the header is given more than once
    (FastAPI reads the first alone) or the key is not 8 to 200 printable ASCII characters."""
    if key is None:
        return None
    if (given := len(request.headers.getlist("idempotency-key"))) > 1:
        raise EmotraceError("E908", f"Idempotency-Key is given {given} times; a request has one key.",
                            "Send one Idempotency-Key header.")
    if not IDEMPOTENCY_KEY.match(key):
        raise EmotraceError("E908", "Idempotency-Key must be 8 to 200 printable ASCII characters without spaces.")
    return key


async def _replay(runtime: Runtime, key: str, request_sha: str, response: Response) -> RecordedOut | None:
    """The answer of the write already made under ``key`` (None when the key is new)."""
    found = await run_in_threadpool(runtime.store.writes.under_key, key)
    if found is None:
        if await run_in_threadpool(runtime.store.writes.was_erased, key):
            raise EmotraceError(*ERASED_KEY)
        return None
    stored_sha, messages, customers = found
    if stored_sha != request_sha:
        raise EmotraceError(*KEY_REUSED)
    response.headers["Idempotent-Replayed"] = "true"
    return RecordedOut(messages=[StoredMessageOut.model_validate(m) for m in messages],
                       customers=[CustomerOut.model_validate(c) for c in customers])


@router.post("", response_model=RecordedOut, status_code=status.HTTP_201_CREATED)
async def record_messages(
    body: MessagesIn, runtime: RuntimeDep, request: Request, response: Response,
    idempotency_key: Annotated[str | None, Header(description="A unique key per request (8-200 printable ASCII "
                                                  "characters): a retry with the same key and body is stored once "
                                                  "and answered with the messages the first stored and their "
                                                  "customers' summaries as they stand now.")] = None,
) -> RecordedOut:
    """Read and store messages (one transaction: all are stored or none).

    Requests arriving together share the transaction (group commit); a failed shared write is retried
    request by request, so each request still stores all of its messages or none. A request whose client has
    gone before the write is dropped (nothing stored)."""
    texts = [m.text for m in body.messages]
    check_request_size("messages", texts, runtime.settings)
    request_sha = ""  # the request's hash matters only under a key: computed then, not on every write
    if (key := _checked_key(request, idempotency_key)) is not None:
        request_sha = hashlib.sha256(body.model_dump_json().encode()).hexdigest()
        if (replayed := await _replay(runtime, key, request_sha, response)) is not None:
            return replayed
    readings = await runtime.read(texts)
    if await request.is_disconnected():
        raise EmotraceError("E911", "The client closed the request; nothing was stored.")
    now = datetime.now(UTC)
    items = [message_from_request(m, r, runtime.settings, now) for m, r in zip(body.messages, readings, strict=True)]
    try:
        (recorded,) = await runtime.writer.submit([Write(items, key, request_sha)])
    except WriteErased:  # the customer erased, with the key's first write, since the replay check above
        raise EmotraceError(*ERASED_KEY) from None
    except IntegrityError:  # the same key committed by a concurrent request (or another replica) first
        if key is None or (replayed := await _replay(runtime, key, request_sha, response)) is None:
            raise
        return replayed
    customers = [c for _, c in sorted({r.customer.id: r.customer for r in recorded}.items())]
    out = RecordedOut(messages=[StoredMessageOut.model_validate(r.message) for r in recorded],
                      customers=[CustomerOut.model_validate(c) for c in customers])
    publish_recorded(runtime.bus, out.messages, customers)
    runtime.written()
    return out


@router.post("/{message_id}/corrections", response_model=CorrectionOut, status_code=status.HTTP_201_CREATED)
def correct(
    message_id: MessageIdPath, body: CorrectionIn, runtime: RuntimeDep, request: Request, response: Response,
    idempotency_key: Annotated[str | None, Header(description="A unique key per request (8-200 printable ASCII "
                                                  "characters): a retry with the same key, message and body is "
                                                  "stored once and answered with the correction the first "
                                                  "stored.")] = None,
) -> CorrectionOut:
    """Store a person's correction of a message's reading, with the message (one transaction); it is listed with the
    message in the customer's timeline, sent to the live feed and to webhooks (``correction``), erased with the
    customer, and learnt from by ``emotrace adapt --corrections``. Under an Idempotency-Key a retry is answered with
    the correction the first request stored (``Idempotent-Replayed: true``), which is neither stored nor sent again.
    404 (E905) for a message not stored or erased; 422 for a malformed body (E901, naming the field), names the
    served model does not have (E918, naming them), an agent's turn (E925) or a key malformed, given twice or used
    for another request (E908)."""
    key = None
    if (checked := _checked_key(request, idempotency_key)) is not None:
        key = CorrectionKey(checked, hashlib.sha256(f"{message_id}:{body.model_dump_json()}".encode()).hexdigest())
    try:
        stored, replayed = correct_message(runtime.store, runtime.classifier.schema, message_id,
                                           NewCorrection(**body.model_dump()), key)
    except KeyReused:
        raise EmotraceError(*KEY_REUSED) from None
    out = CorrectionOut.model_validate(stored)
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
        return out
    publish_correction(runtime.bus, out)
    runtime.written()
    return out
