"""How errors leave the service: one JSON shape per kind, safe to serialize, never echoing large input."""

from __future__ import annotations

import math
import re
from typing import Any

from fastapi import FastAPI, Request, Response, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from emotrace.batching import Overloaded
from emotrace.errors import EmotraceError

INPUT_PREVIEW_CHARS = 80


class FieldProblem(BaseModel):
    """One invalid field of a request: where, what, and a short preview of the value given."""

    loc: list[str | int]
    msg: str
    type: str
    input: str | int | bool | None = None


class ProblemOut(BaseModel):
    """An error: a message saying what is wrong and how to fix it (or, for invalid fields, one entry each)."""

    detail: str | list[FieldProblem]


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ProblemOut, "description": description} for code, description in {
        400: "Malformed request", 401: "Missing or wrong API key", 403: "Not a local client (no API keys set)",
        404: "Not found", 409: "Already stored", 413: "Request too large", 415: "Unsupported file type",
        422: "Invalid input: which field and why", 503: "Overloaded or not ready; retry after Retry-After seconds",
    }.items()}


def preview(value: object) -> str | int | bool | None:
    """A JSON-safe, short rendering of an input value (no NaN, no lone surrogates, no megabytes echoed)."""
    if value is None or (isinstance(value, bool | int) and abs(value) < 2**53):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    text = value if isinstance(value, str) else repr(value)
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= INPUT_PREVIEW_CHARS else f"{text[:INPUT_PREVIEW_CHARS]}… ({len(text):,} characters)"


def overloaded_response(reason: object, close_connection: bool = False) -> JSONResponse:
    """503 with Retry-After for a request refused under overload; ``close_connection`` when it is refused before
    its body is read, so a client that ignores Retry-After must reconnect first, which slows it down."""
    headers = {"Retry-After": "1", **({"Connection": "close"} if close_connection else {})}
    return JSONResponse({"detail": f"Service overloaded ({reason}); retry shortly."},
                        status_code=status.HTTP_503_SERVICE_UNAVAILABLE, headers=headers)


def field_problems(exc: RequestValidationError) -> list[dict[str, object]]:
    """The validation errors of a request, each with a safe preview of its input."""
    return [{"loc": list(error.get("loc", ())), "msg": str(error.get("msg", "")), "type": str(error.get("type", "")),
             "input": preview(error.get("input"))} for error in exc.errors()]


def allowed_methods(request: Request) -> list[str]:
    """Every method the API documents at this request's path (Starlette's 405 names only the first route's)."""
    path = request.url.path
    return sorted({method.upper() for template, operations in request.app.openapi()["paths"].items()
                   if re.fullmatch(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)), path)
                   for method in operations})


def install_error_handlers(app: FastAPI) -> None:
    """Answer invalid fields (422), user errors (422) and overload (503 + Retry-After) in the documented shape,
    and a wrong method (405) with every method the path allows."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
            exc.headers = {**(exc.headers or {}), "Allow": ", ".join(allowed_methods(request))}
        return await http_exception_handler(request, exc)

    @app.exception_handler(RequestValidationError)
    async def invalid_fields(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": field_problems(exc)}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)

    @app.exception_handler(Overloaded)
    async def overloaded(_: Request, exc: Overloaded) -> JSONResponse:
        return overloaded_response(exc)

    @app.exception_handler(EmotraceError)
    async def bad_input(_: Request, exc: EmotraceError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
