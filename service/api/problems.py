"""How errors leave the service: one JSON shape per kind, safe to serialize, never echoing large input."""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Mapping
from functools import cache
from typing import Any

from fastapi import FastAPI, Request, Response, params, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from emotrace.api.schemas import NAME_PATTERN, SEGMENT_PATTERN
from emotrace.api.strict_json import REPEATED_KEY
from emotrace.batching import Overloaded
from emotrace.errors import EmotraceError
from emotrace.messages import ID_PATTERN, STORED_ID_PATTERN
from emotrace.text.visible import TEXT_PATTERN

INPUT_PREVIEW_CHARS = 80
# RFC 9110's methods and PATCH (RFC 5789): the ones a 405's Allow may name and the metrics label by name
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"})
STATIC_METHODS = frozenset({"GET", "HEAD"})  # what Starlette's StaticFiles serves (405 to others)
PROBLEM_TEXT_CHARS = 1_500  # an error's detail or fix may repeat what was sent; this much is kept


class FieldProblem(BaseModel):
    """One invalid field of a request: where, what, and a short preview of the value given."""

    loc: list[str | int]
    msg: str
    type: str
    input: str | int | bool | None = None


class ProblemOut(BaseModel):
    """An error as ``application/problem+json`` (RFC 9457): the registry's code, title and status, what is wrong
    in this request (``detail``) and how to fix it; invalid fields (E901) listed one by one under ``errors``."""

    type: str
    title: str
    status: int
    code: str
    detail: str
    fix: str
    errors: list[FieldProblem] | None = None


PROBLEM_MEDIA_TYPE = "application/problem+json"
# statuses Starlette itself answers (no route, wrong method): their registry codes
STARLETTE_CODES = {status.HTTP_404_NOT_FOUND: "E913", status.HTTP_405_METHOD_NOT_ALLOWED: "E912",
                   status.HTTP_413_CONTENT_TOO_LARGE: "E904", status.HTTP_503_SERVICE_UNAVAILABLE: "E909"}

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ProblemOut, "description": description,
           "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemOut"}}}}
    for code, description in {
        400: "Malformed request", 401: "Missing or wrong API key", 403: "Not a local client (no API keys set)",
        404: "Not found", 409: "Already stored, or conflicts with what is stored",
        410: "A keyed retry whose customer was erased after the write", 413: "Request too large",
        415: "Unsupported file type", 422: "Invalid input: which field and why",
        499: "The client closed the request before the answer; nothing was stored",
        500: "The service failed (the server's log has the traceback)",
        503: "Overloaded or not ready; retry after Retry-After seconds",
    }.items()}


def problem_response(error: EmotraceError, headers: dict[str, str] | None = None,
                     errors: list[dict[str, object]] | None = None) -> JSONResponse:
    """``error`` as problem+json, with the status its code has in the registry."""
    kind = error.kind
    body = {"type": f"urn:emotrace:error:{error.code}", "title": kind.title, "status": kind.status,
            "code": error.code, "detail": clipped(error.problem, PROBLEM_TEXT_CHARS),
            "fix": clipped(error.fix, PROBLEM_TEXT_CHARS)}
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=kind.status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def preview(value: object) -> str | int | bool | None:
    """A JSON-safe, short rendering of an input value (no NaN, no lone surrogates, no megabytes echoed)."""
    if value is None or (isinstance(value, bool | int) and abs(value) < 2**53):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return clipped(value if isinstance(value, str) else repr(value), INPUT_PREVIEW_CHARS)


def clipped(text: str, limit: int) -> str:
    """``text`` safe to write as UTF-8 (a lone surrogate shown escaped) and at most ``limit`` characters, saying how
    long it was: an error that repeats what a client sent neither fails to encode nor echoes megabytes."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def overloaded_response(reason: object, close_connection: bool = False) -> JSONResponse:
    """503 (E909) with Retry-After for a request refused under overload; ``close_connection`` when it is refused
    before it is parsed, so a client that ignores Retry-After must reconnect first."""
    headers = {"Retry-After": "1", **({"Connection": "close"} if close_connection else {})}
    return problem_response(EmotraceError("E909", f"Service overloaded ({reason})."), headers)


# The patterns the schemas use, said in words instead of their regex (a name's is ~300 characters).
PATTERN_MESSAGES = {ID_PATTERN: "should be 1 to 128 ASCII letters (a-z, A-Z), digits and _ . : @ -, not dots alone",
                    STORED_ID_PATTERN: "should be 1 to 128 ASCII letters (a-z, A-Z), digits and _ . : @ -",
                    NAME_PATTERN: "should hold a visible character and no control character",
                    TEXT_PATTERN: "should hold a visible character and no NUL character",
                    SEGMENT_PATTERN: "should be a segment's name (lowercase letters, digits, _ and -)"}


def field_message(error: Mapping[str, Any]) -> str:
    """What a validation error says of its field (a pattern in words)."""
    if error.get("type") == "string_pattern_mismatch":
        return PATTERN_MESSAGES.get(str((error.get("ctx") or {}).get("pattern")), str(error.get("msg", "")))
    return str(error.get("msg", ""))


def field_problems(exc: RequestValidationError) -> list[dict[str, object]]:
    """The validation errors of a request, each with a safe preview of its input."""
    return [{"loc": list(error.get("loc", ())), "msg": field_message(error), "type": str(error.get("type", "")),
             "input": preview(error.get("input"))} for error in exc.errors()]


def not_sent_as_json(request: Request, exc: RequestValidationError) -> bool:
    """Whether a JSON body was refused because it came with another content type (FastAPI then reads it as raw
    bytes and says only that it is not an object)."""
    media_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    return (not (media_type == "application/json" or media_type.endswith("+json"))
            and any(tuple(error.get("loc", ())) == ("body",) and error.get("type") == "model_attributes_type"
                    for error in exc.errors()))


def file_sent_as_text(exc: RequestValidationError) -> bool:
    """Whether a form's file part came as a text field (``-F file=text`` instead of ``-F file=@path``): FastAPI's
    message names its own classes."""
    return any(error.get("loc", ())[-1:] == ("file",) and "UploadFile" in str(error.get("msg", ""))
               for error in exc.errors())


def not_valid_json(exc: RequestValidationError) -> EmotraceError | None:
    """E920 naming where and why, when a body sent as JSON did not parse (FastAPI chains the parser's error)."""
    cause = exc.__cause__
    if not isinstance(cause, json.JSONDecodeError):
        return None
    if cause.msg.endswith(REPEATED_KEY):  # raised by the strict reader, which knows the key but not where it is
        return EmotraceError("E920", f"The body is not read: {cause.msg}.", "Send each key once in each object.")
    return EmotraceError("E920", f"The body is not valid JSON: {cause.msg} at line {cause.lineno}, column "
                                 f"{cause.colno}.")


def not_valid_text(exc: StarletteHTTPException) -> EmotraceError | None:
    """E920 saying why, when FastAPI could not parse a JSON body (it answers only "There was an error parsing the
    body", the cause chained): a byte its encoding does not allow (named), arrays or objects nested too deeply, or a
    number with more digits than Python converts."""
    cause = exc.__cause__
    if isinstance(cause, UnicodeDecodeError):
        return EmotraceError("E920", f"The body is not valid {cause.encoding.upper()}: byte "
                                     f"0x{cause.object[cause.start]:02x} at position {cause.start}.")
    if isinstance(cause, RecursionError):
        return EmotraceError("E920", "The body cannot be read as JSON: arrays or objects nested too deeply.")
    if isinstance(cause, ValueError) and "digits" in str(cause):
        return EmotraceError("E920", f"The body cannot be read as JSON: a number with too many digits "
                                     f"(more than {sys.get_int_max_str_digits():,}).")
    return None


def not_sent_as_form(request: Request) -> bool:
    """Whether a route that reads a multipart form (a file upload) was sent something else (JSON, text, nothing)."""
    route = request.scope.get("route")
    reads_form = isinstance(route, APIRoute) and any(isinstance(p.field_info, params.Form)
                                                      for p in route.dependant.body_params)
    media_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    return reads_form and media_type != "multipart/form-data"


@cache
def _template_pattern(template: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)))


def _fits(template: str, path: str) -> bool:
    """Whether ``path`` is an instance of the path ``template`` (``/v1/customers/{customer_id}``)."""
    return _template_pattern(template).fullmatch(path) is not None


def allowed_methods(request: Request) -> list[str]:
    """Every method the app serves at this request's path, HEAD where a route serves it (Starlette's 405 names only
    the first route's, and the OpenAPI schema leaves out HEAD and the dashboard's routes): the path is matched with
    each of :data:`HTTP_METHODS` as routing matches it."""
    scope = request.scope
    root = scope.get("app_root_path", scope.get("root_path", ""))
    return sorted(method for method in HTTP_METHODS if _served(request.app, {
        "type": "http", "method": method, "path": scope["path"], "root_path": root, "headers": []}))


def _served(app: FastAPI, probe: Scope) -> bool:
    """Whether the route that routing picks for ``probe`` serves its method (a mounted static folder: GET and HEAD)."""
    for route in app.router.routes:
        match, _ = route.matches(probe)
        if match is Match.FULL:
            static = isinstance(route, Mount) and isinstance(route.app, StaticFiles)
            return not static or probe["method"] in STATIC_METHODS
    return False


def documented_template(app: FastAPI, path: str) -> str | None:
    """The documented path template ``path`` falls under (a literal path before one with parameters), if any."""
    templates = sorted(app.openapi()["paths"], key=lambda template: template.count("{"))
    return next((template for template in templates if _fits(template, path)), None)


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error as problem+json with its registry code: user errors at their code's status, invalid
    fields (E901, each listed), overload (E909, 503 + Retry-After), Starlette's own 404 and 405 (with every
    method the path allows), and anything unforeseen (E922, 500, no internals shown)."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(exc.headers or {})
        if exc.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
            headers["Allow"] = ", ".join(allowed_methods(request))
        if (unreadable := not_valid_text(exc)) is not None:
            return problem_response(unreadable)
        code = STARLETTE_CODES.get(exc.status_code, "E914")
        return problem_response(EmotraceError(code, f"{exc.detail} ({request.method} {request.url.path})."), headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_fields(request: Request, exc: RequestValidationError) -> JSONResponse:
        if not_sent_as_form(request):
            sent = request.headers.get("content-type") or "no content type"
            return problem_response(EmotraceError("E921", f"The body was sent as {sent}, not as a multipart form."))
        if file_sent_as_text(exc):
            return problem_response(EmotraceError("E921", "The form's `file` was sent as a text field, not as a "
                                                          "file."))
        if not_sent_as_json(request, exc):
            sent = request.headers.get("content-type") or "no content type"
            return problem_response(EmotraceError("E919", f"The body was sent as {sent}, not as JSON."))
        if (malformed := not_valid_json(exc)) is not None:
            return problem_response(malformed)
        problems = field_problems(exc)
        where = "; ".join(f"{'.'.join(str(part) for part in error.get('loc', ()))}: {field_message(error)}"
                          for error in exc.errors()[:3])
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        return problem_response(EmotraceError("E901", f"{where}{more}."), errors=problems)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, _: Exception) -> JSONResponse:
        # the traceback goes to the server's log (Starlette re-raises after this answer), never to the client
        return problem_response(EmotraceError("E922", f"The service failed on {request.method} {request.url.path}."))

    @app.exception_handler(Overloaded)
    async def overloaded(_: Request, exc: Overloaded) -> JSONResponse:
        return overloaded_response(exc)

    @app.exception_handler(EmotraceError)
    async def user_error(_: Request, exc: EmotraceError) -> JSONResponse:
        headers = {"WWW-Authenticate": "ApiKey"} if exc.code == "E902" else None
        return problem_response(exc, headers)
