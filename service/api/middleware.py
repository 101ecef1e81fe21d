"""Request-size limits, uncoded bodies, whole multipart uploads and Prometheus request metrics, as a plain ASGI
middleware.

Starlette's ``@app.middleware("http")`` wraps every request and response in extra objects and tasks;
at hundreds of requests a second on two cores that overhead shows in the latency tail, so this one
reads the headers straight from the ASGI scope.
"""

from __future__ import annotations

import re
import time
from urllib.parse import unquote

from fastapi import HTTPException, status
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emotrace.admission import Admission
from emotrace.api.problems import HTTP_METHODS, documented_template, overloaded_response, problem_response
from emotrace.errors import EmotraceError
from emotrace.settings import Settings

UNROUTED = "unrouted"  # the metrics' route label of a request no route matches (one label, whatever the path)
OTHER_METHOD = "OTHER"  # the metrics' method label of a request whose method is none of HTTP_METHODS
ENCODED_SLASH = re.compile(r"%2F", re.IGNORECASE)


class LimitAndMeasure:
    """Let writes in through the runtime's admission once their body has arrived (503 to one that found no place in
    time), answer 413 to bodies over the size limit (declared or streamed) and 415 to bodies sent with a content
    coding (gzip: none is decoded); count requests and time them per route
    (refusals answered here too, under the route the path would have reached).

    A streamed body is cut off when its running size passes the limit: the request handler reading it gets
    the 413 as an HTTP error, so it is never buffered whole. An upload whose multipart body ends before its closing
    boundary gets a 400 the same way (the form parser would drop the unfinished part without a word)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope["path"] = path = path_keeping_encoded_slashes(scope)
        upload = path.endswith("/conversations")
        limit = self.settings.max_upload_bytes if upload else self.settings.max_body_bytes
        length = dict(scope["headers"]).get(b"content-length")
        too_large = EmotraceError("E904", f"Request body is over the limit of {limit:,} bytes.")
        runtime = getattr(scope["app"].state, "runtime", None)
        closing = ClosingBoundary.of(scope) if upload else None
        start = time.perf_counter()

        def measure(status_code: int) -> None:
            if runtime is not None:
                route = route_label(scope)
                runtime.metrics.latency.labels(route).observe(time.perf_counter() - start)
                runtime.metrics.requests.labels(method_label(scope), route, str(status_code)).inc()

        if (codings := content_codings(scope)) and has_body(scope):  # RFC 9110 15.5.16: 415, saying which coding it takes
            coded = EmotraceError("E924", f"The body is sent with Content-Encoding: {', '.join(codings)}, which the "
                                  "service does not decode.")
            await problem_response(coded, {"Accept-Encoding": "identity"})(scope, receive, send)
            measure(coded.kind.status)
            return
        if length is not None and (not length.isdigit() or int(length) > limit):
            await problem_response(too_large)(scope, receive, send)
            measure(too_large.kind.status)
            return
        admission = runtime.admission if scope["method"] == "POST" and runtime is not None else None
        status_code = 500
        received = 0
        inside = False
        arrived: list[Message] = []
        if admission is not None and not upload:
            # The whole body first (within the limit): a client that stalls mid-body holds no place, one that has
            # gone costs nothing more, and a refusal is answered here, before any parsing.
            while not arrived or arrived[-1].get("more_body", False):
                message = await receive()
                if message["type"] != "http.request":
                    return  # the client has gone
                received += len(message.get("body", b""))
                if received > limit:
                    await problem_response(too_large)(scope, receive, send)
                    measure(too_large.kind.status)
                    return
                arrived.append(message)
            if not await admission.enter():
                await overloaded_response(admission_refusal(admission), close_connection=True)(scope, receive, send)
                measure(status.HTTP_503_SERVICE_UNAVAILABLE)
                return
            inside = True

        async def receive_within_limit() -> Message:
            # Content-Length may be absent (chunked transfer): count what actually arrives
            nonlocal received, inside
            if arrived:
                return arrived.pop(0)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # an HTTPException, which FastAPI's body parsing lets through (answered as E904)
                    raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, too_large.problem)
                if closing is not None and not closing.seen_in(message):
                    raise HTTPException(status.HTTP_400_BAD_REQUEST, closing.missing)  # answered as E914
                if admission is not None and not inside and not message.get("more_body", False):
                    # an upload takes its place once the whole file has arrived (not buffered here)
                    if not await admission.enter():
                        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE,
                                            f"Service overloaded ({admission_refusal(admission)})",
                                            headers={"Retry-After": "1", "Connection": "close"})
                    inside = True
            return message

        async def send_and_note_status(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
            await send(message)

        try:
            await self.app(scope, receive_within_limit, send_and_note_status)
        finally:  # a request that raised was answered 500 outside this middleware: counted as such
            if inside and admission is not None:
                admission.leave()
            measure(status_code)


class ClosingBoundary:
    """Watches a multipart body as it streams for its closing boundary (``--BOUNDARY--``), which only a whole body
    holds: a boundary never occurs inside a part, so one search over each chunk and the tail of the last suffices."""

    missing = ("The multipart body ended before its closing boundary (--BOUNDARY--): the upload was cut short or is "
               "not a whole form")

    def __init__(self, boundary: bytes) -> None:
        self.delimiter = b"--" + boundary + b"--"
        self.tail = b""
        self.found = False

    @classmethod
    def of(cls, scope: Scope) -> ClosingBoundary | None:
        """The watcher for a request sent as ``multipart/form-data`` with a boundary (None for anything else)."""
        content_type = dict(scope["headers"]).get(b"content-type", b"").decode("latin-1")
        media_type, _, parameters = content_type.partition(";")
        if media_type.strip().lower() != "multipart/form-data":
            return None
        for parameter in parameters.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name.lower() == "boundary" and value.strip('"'):
                return cls(value.strip('"').encode("latin-1"))
        return None

    def seen_in(self, message: Message) -> bool:
        """Whether the closing boundary has arrived by this message, or more of the body is still to come."""
        if not self.found:
            window = self.tail + message.get("body", b"")
            self.found = self.delimiter in window
            self.tail = window[-len(self.delimiter):]
        return self.found or message.get("more_body", False)


def path_keeping_encoded_slashes(scope: Scope) -> str:
    """The request's path as routing reads it, with each encoded slash (``%2F``) kept as sent: it is part of a
    segment, not a separator, so an id holding one reaches its route and is refused there naming it (decoded, the
    servers' way, ``/v1/customers/a%2Fb`` reached no route, and ``/v1/customers/%2F`` was redirected to the list)."""
    path: str = scope["path"]
    sent = (scope.get("raw_path") or b"").decode("latin-1")
    decoded = unquote(sent)
    if not ENCODED_SLASH.search(sent) or not path.endswith(decoded):  # none, or not the path the server decoded
        return path
    return path.removesuffix(decoded) + "%2F".join(unquote(part) for part in ENCODED_SLASH.split(sent))


def content_codings(scope: Scope) -> list[str]:
    """The content codings a request's body is sent with (``Content-Encoding``, every header of it), other than
    ``identity``: none is decoded, so a compressed body would be read as broken JSON or form data."""
    values = [value.decode("latin-1") for name, value in scope["headers"] if name == b"content-encoding"]
    return [coding for coding in (part.strip().lower() for value in values for part in value.split(","))
            if coding and coding != "identity"]


def has_body(scope: Scope) -> bool:
    """Whether a request sends content: a Content-Length above 0 (or not a number: refused as too large after this)
    or a Transfer-Encoding (chunked)."""
    headers = dict(scope["headers"])
    length = headers.get(b"content-length")
    return b"transfer-encoding" in headers or (length is not None and length.strip() not in (b"", b"0"))


def method_label(scope: Scope) -> str:
    """The request's method as the metrics label it: one of :data:`HTTP_METHODS`, or ``OTHER`` (a client may send any
    token as a method, and each would add label sets to every scrape)."""
    method: str = scope["method"]
    return method if method in HTTP_METHODS else OTHER_METHOD


def route_label(scope: Scope) -> str:
    """The path template of the route a request reached or, refused before routing, the documented one its path
    falls under (one label per route, never the raw path: ids stay out of the metrics); else :data:`UNROUTED`."""
    route = scope.get("route")
    if route is not None:
        return str(getattr(route, "path", UNROUTED))
    path, root = scope["path"], scope.get("root_path", "")
    return documented_template(scope["app"], path.removeprefix(root) if root else path) or UNROUTED


def admission_refusal(admission: Admission) -> str:
    """Why a write was refused: no place came free in time."""
    return f"no place came free in {admission.wait * 1000:.0f} ms; {admission.places} requests inside"
