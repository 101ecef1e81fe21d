"""Text files in a user's encoding: a clear error naming the first line that does not decode, and the fix."""

from __future__ import annotations

import codecs
from pathlib import Path

from emotrace.errors import EmotraceError


def checked_encoding(encoding: str) -> str:
    """``encoding`` if Python knows it as a text encoding (E021 otherwise: unknown, or a bytes codec such as
    base64 or zlib)."""
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        raise EmotraceError("E021", f"Unknown encoding '{encoding}'.",
                            "Use e.g. utf-8 (the default), latin-1, cp1252 or utf-16.") from None
    if not codec._is_text_encoding:  # the codec registry's own mark of bytes-to-bytes and str-to-str codecs
        raise EmotraceError("E021", f"'{encoding}' is not a text encoding.",
                            "Use e.g. utf-8 (the default), latin-1, cp1252 or utf-16.")
    return codec.name


def decode_error(path: Path, encoding: str) -> EmotraceError:
    """The error for ``path`` not being valid ``encoding``: where it first fails, and how to read it."""
    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            try:
                line.decode(encoding)
            except UnicodeDecodeError as exc:
                return EmotraceError("E004", f"{path} is not valid {encoding}: line {number}, byte "
                                     f"0x{line[exc.start]:02x} at column {exc.start + 1}.",
                                     "Pass --encoding with the file's encoding (a Windows export is mostly "
                                     "--encoding cp1252; latin-1 reads any byte but turns its € and curly quotes "
                                     "into control characters), or re-encode it as UTF-8.")
            except UnicodeError as exc:  # no byte to name: UTF-16 or UTF-32 without a byte-order mark
                return EmotraceError("E004", f"{path} is not valid {encoding}: {exc}.",
                                     "Pass --encoding with the file's encoding (utf-16-le or utf-16-be for UTF-16 "
                                     "without a byte-order mark), or re-encode it as UTF-8.")
    return EmotraceError("E004", f"{path} is not valid {encoding}.", "Pass --encoding with the file's encoding.")
