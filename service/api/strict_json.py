"""JSON bodies read strictly: an object that names a key twice is refused, not read as its last value.

JSON readers keep the last of two equal keys, so ``{"text": "I love it", "text": "I hate you"}`` was read as the
second text with no word of the first. Every route of the API is a :class:`StrictJSONRoute`, whose request parses
JSON with a hook that raises :class:`json.JSONDecodeError` on a repeated key (:func:`emotrace.tabular.without_repeats`,
which reads JSON Lines rows too); FastAPI answers that as any body that does not parse (``E920``,
:mod:`emotrace.api.problems`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from emotrace.tabular import REPEATED_KEY as REPEATED_KEY  # the end of the decode error's message (problems.py)
from emotrace.tabular import without_repeats


class StrictJSONRequest(Request):
    """A request whose JSON body refuses repeated keys."""

    async def json(self) -> Any:
        """The body parsed as JSON, each object's keys unique."""
        if not hasattr(self, "_json"):
            self._json = json.loads(await self.body(), object_pairs_hook=without_repeats)
        return self._json


class StrictJSONRoute(APIRoute):
    """An API route that reads its JSON body with :class:`StrictJSONRequest`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """FastAPI's handler, handed a strict request."""
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict
