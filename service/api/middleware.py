"""Request-size limits and Prometheus request metrics, as a plain ASGI middleware.

Starlette's ``@app.middleware("http")`` wraps every request and response in extra objects and tasks;
at hundreds of requests a second on two cores that overhead shows in the latency tail, so this one
reads the headers straight from the ASGI scope.
"""

from __future__ import annotations

import time

from fastapi import status
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.settings import Settings


class LimitAndMeasure:
    """Answer 413 to bodies over the size limit; count requests and time them per route."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        limit = self.settings.max_upload_bytes if path.endswith("/conversations") else self.settings.max_body_bytes
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            response = JSONResponse({"detail": f"Request body is over the limit of {limit} bytes."},
                                    status_code=status.HTTP_413_CONTENT_TOO_LARGE)
            await response(scope, receive, send)
            return
        start = time.perf_counter()
        status_code = 500

        async def send_and_note_status(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
            await send(message)

        await self.app(scope, receive, send_and_note_status)
        runtime = getattr(scope["app"].state, "runtime", None)
        route = scope.get("route")
        if runtime is not None and route is not None:
            route_path = getattr(route, "path", "other")
            runtime.metrics.latency.labels(route_path).observe(time.perf_counter() - start)
            runtime.metrics.requests.labels(scope["method"], route_path, str(status_code)).inc()
