"""Access logs without keys: the live feed takes ``?api_key=`` (a browser's EventSource cannot send headers), and
an access log line would otherwise carry the key to wherever logs go."""

from __future__ import annotations

import logging
import re

_KEY_IN_QUERY = re.compile(r"([?&]api_key=)[^&\s]*", re.IGNORECASE)


class HideQueryKeys(logging.Filter):
    """Replaces the value of every ``api_key`` query parameter in a log record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Scrub the record (always keeps it)."""
        if isinstance(record.args, tuple):
            record.args = tuple(_KEY_IN_QUERY.sub(r"\1***", a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = _KEY_IN_QUERY.sub(r"\1***", record.msg)
        return True


def hide_query_keys(logger_name: str = "uvicorn.access") -> None:
    """Install :class:`HideQueryKeys` on the access logger once (uvicorn's, whoever runs the app)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, HideQueryKeys) for f in logger.filters):
        logger.addFilter(HideQueryKeys())
