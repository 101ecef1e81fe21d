"""Access logs without keys: the live feed takes ``?api_key=`` (a browser's EventSource cannot send headers), and
an access log line would otherwise carry the key to wherever logs go."""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote_plus

KEY_PARAMETER = "api_key"  # the query parameter of a key (the live feed's: an EventSource sends no headers)
_QUERY_PARAMETER = re.compile(r"(?P<start>[?&](?P<name>[^=&\s]*)=)[^&\s]*")


def _hidden(text: str) -> str:
    """``text`` with the value of every query parameter whose name, decoded as the app decodes it, is ``api_key``
    (any case: "api%5Fkey" and "%61pi_key" too) shown as ``***``."""
    return _QUERY_PARAMETER.sub(lambda m: f"{m['start']}***" if unquote_plus(m["name"]).lower() == KEY_PARAMETER
                                else m[0], text)


class HideQueryKeys(logging.Filter):
    """Replaces the value of every ``api_key`` query parameter in a log record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Scrub the record (always keeps it)."""
        if isinstance(record.args, tuple):
            record.args = tuple(_hidden(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = _hidden(record.msg)
        return True


def hide_query_keys(logger_name: str = "uvicorn.access") -> None:
    """Install :class:`HideQueryKeys` on the access logger once (uvicorn's, whoever runs the app)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, HideQueryKeys) for f in logger.filters):
        logger.addFilter(HideQueryKeys())
