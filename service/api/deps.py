"""Shared dependencies: the runtime objects of the app, API-key checking, conversions."""

from __future__ import annotations

import hmac
import ipaddress
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Annotated, get_args, get_origin
from urllib.parse import urlsplit

from fastapi import Depends, Request, params
from fastapi.dependencies.utils import get_flat_params
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from emotrace.admission import Admission
from emotrace.api.access_log import KEY_PARAMETER
from emotrace.api.events import EventBus
from emotrace.api.metrics import Metrics
from emotrace.api.recording import Recorded, Write
from emotrace.api.schemas import CustomerIdPath, ErasableCustomerIdPath, ExplanationOut, ReadingOut
from emotrace.batching import MicroBatcher
from emotrace.errors import EmotraceError
from emotrace.model.classifier import EmotionClassifier
from emotrace.model.explain import explanation, occlusions
from emotrace.model.reading import Reading
from emotrace.outcomes.learn import OutcomeModel
from emotrace.services.webhooks import WebhookSender
from emotrace.settings import Settings, stored_id
from emotrace.store import Store


@dataclass
class Runtime:
    """Everything a request handler may need, built once at start-up."""

    settings: Settings
    classifier: EmotionClassifier
    batcher: MicroBatcher[str, Reading]  # the light lane
    heavy: MicroBatcher[str, Reading]  # the heavy lane: long texts, big batches, explanations (its own thread)
    writer: MicroBatcher[Write, list[Recorded]]
    store: Store
    bus: EventBus
    metrics: Metrics
    admission: Admission  # how many writes are inside at once (the rest wait, then are shed)
    feed_listening: threading.Event | None = None  # set while other replicas' changes are heard (PostgreSQL)
    outcome_models: dict[str, OutcomeModel] = field(default_factory=dict)  # EMOTRACE_OUTCOME_MODEL_DIR
    webhooks: WebhookSender | None = None  # EMOTRACE_WEBHOOKS

    def written(self) -> None:
        """A write committed: its outbox events (new or changed alerts) go out to the webhooks at once."""
        if self.webhooks is not None:
            self.webhooks.wake.set()

    async def read(self, texts: list[str], heavy: bool = False) -> list[Reading]:
        """Readings of ``texts`` from the model, in the heavy lane when ``heavy`` or when the request is heavy
        (more than ``heavy_request_items`` texts or ``heavy_request_chars`` characters), else in the light one."""
        settings = self.settings
        heavy = (heavy or len(texts) > settings.heavy_request_items
                 or sum(map(len, texts)) > settings.heavy_request_chars)
        return await (self.heavy if heavy else self.batcher).submit(texts)


async def get_runtime(request: Request) -> Runtime:
    """The app's runtime (async: FastAPI would run a plain function in a worker thread)."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
LIVE_FEED_PATH = "/v1/stream"  # the one route a key may come in the query string (EventSource)


def _takes_several(annotation: object) -> bool:
    """Whether a query parameter's type is a list (``list[X] | None`` too): it may be given more than once."""
    return any(get_origin(kind) in (list, set, tuple, frozenset) for kind in (annotation, *get_args(annotation)))


async def refuse_unread_query(request: Request) -> None:
    """422 (E901) naming each query parameter an API path does not read (``?staus=open`` would list every alert, as
    if filtered) and each one-value parameter given more than once (the last value would be read silently). Pages
    (the dashboard, whose address carries its own state) are left alone."""
    given = Counter(name for name, _ in request.query_params.multi_items())
    route = request.scope.get("route")
    if not given or not isinstance(route, APIRoute) or not route.include_in_schema:
        return  # most requests (every write) carry no query string: nothing to walk
    declared = {field.alias: field for field in get_flat_params(route.dependant)
                if isinstance(field.field_info, params.Query)}
    problems = []
    for name, count in given.items():
        if name not in declared and name != KEY_PARAMETER:
            reads = ", ".join(sorted(declared)) or "no query parameters"
            problems.append((name, f"Unknown query parameter (this path reads {reads})"))
        elif count > 1 and name in declared and not _takes_several(declared[name].field_info.annotation):
            problems.append((name, f"Given {count} times; this parameter takes one value"))
    if problems:
        raise RequestValidationError([{"type": "extra_forbidden", "loc": ("query", name), "input": None, "msg": msg}
                                      for name, msg in problems])


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (127.0.0.0/8, ::1); False for a name or anything else."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name, not an address we can vouch for
        return False


def host_named(header: str) -> str:
    """The host a Host header names, without its port ("" when it cannot be read, e.g. "[::1")."""
    try:
        return urlsplit(f"//{header}").hostname or ""
    except ValueError:
        return ""


async def require_access(request: Request, runtime: RuntimeDep) -> None:
    """With API keys configured, require a matching X-API-Key header (or, on GET of the live feed only, an
    ``api_key`` query parameter: EventSource cannot send headers); without keys, accept loopback clients only."""
    keys = runtime.settings.api_keys
    if keys:
        in_query = request.query_params.get(KEY_PARAMETER)
        if in_query and (request.method != "GET" or request.url.path != LIVE_FEED_PATH):  # a header beside it or not
            raise EmotraceError("E902", f"?api_key= is accepted only on GET {LIVE_FEED_PATH} (the live feed, which "
                                "a browser's EventSource opens without headers); query strings reach access logs.",
                                "Send the key in the X-API-Key header.")
        given = request.headers.get("x-api-key") or in_query or ""
        if not any(hmac.compare_digest(given.encode(), key.encode()) for key in keys):
            raise EmotraceError("E902", "Missing or wrong X-API-Key header.")
        return
    if request.client is None:  # a Unix socket: only processes on this machine can connect
        return
    if not is_loopback(request.client.host):
        raise EmotraceError("E903", "No API keys are configured, so only local clients are served.")
    named = host_named(request.headers.get("host", ""))
    if not (named == "localhost" or is_loopback(named)):
        # a page of another site whose name was re-bound to 127.0.0.1 (DNS rebinding) reaches this service from the
        # user's own browser, as a loopback client: without keys, only requests naming this machine are served
        raise EmotraceError("E903", f"No API keys are configured, so only requests to this machine's own name "
                            f"(127.0.0.1, localhost) are served; this one named '{named}'.")


AccessDep = Depends(require_access)
UnreadQueryDep = Depends(refuse_unread_query)
# A path's guards in order: the key first, so a caller without one learns nothing of the path's parameters.
GUARDS = [AccessDep, UnreadQueryDep]


async def stored_customer_id(customer_id: CustomerIdPath, runtime: RuntimeDep) -> str:
    """The path's customer id as the store holds it (its keyed pseudonym when EMOTRACE_ID_KEY is set, or the
    pseudonym itself as the service lists it)."""
    return stored_id(customer_id, runtime.settings)


StoredCustomerId = Annotated[str, Depends(stored_customer_id)]


async def erasable_customer_id(customer_id: ErasableCustomerIdPath, runtime: RuntimeDep) -> str:
    """As :func:`stored_customer_id`, also taking an id of dots alone, which releases before stored: such a customer
    can still be erased."""
    return stored_id(customer_id, runtime.settings)


ErasableCustomerId = Annotated[str, Depends(erasable_customer_id)]


def check_request_size(field: str, texts: list[str], settings: Settings, max_items: int | None = None,
                       unit: str = "items") -> None:
    """Refuse (413) a request holding more ``unit`` than ``max_items`` (default ``max_batch_items``) or more text
    than ``max_request_chars``."""
    limit = settings.max_batch_items if max_items is None else max_items
    if len(texts) > limit:
        raise EmotraceError("E904", f"{field} holds {len(texts)} {unit}; the limit is {limit} per request.")
    if (chars := sum(map(len, texts))) > settings.max_request_chars:
        raise EmotraceError("E904", f"{field}: {chars:,} characters of text; the "
                            f"limit is {settings.max_request_chars:,} per request. Send them in several requests.")


async def read_explained(runtime: Runtime, text: str) -> tuple[Reading, ExplanationOut]:
    """The reading of ``text`` and the words that drove it, all occlusions read in the heavy lane."""
    spans, variants = occlusions(text)
    readings = await runtime.read(variants, heavy=True)
    return readings[0], ExplanationOut.model_validate(explanation(text, spans, readings))


def reading_out(reading: Reading, channel: str = "chat") -> ReadingOut:
    """Wire form of a reading."""
    return ReadingOut.model_validate({**reading.to_dict(), "channel": channel})

