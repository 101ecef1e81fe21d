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
    """The error for ``path`` not being valid ``encoding``: where it first fails (line and column counted in the text
    decoded before it, whatever the encoding), and how to read it. Every command reads UTF-8 unless --encoding says
    otherwise, so --encoding is suggested only for UTF-8."""
    if codecs.lookup(encoding).name != "utf-8":
        fix = (f"Correct or remove the text there; if the file is not {encoding}, read it in its own encoding or "
               "re-encode it as UTF-8.")
    elif (marked := _byte_order_mark(path)) is not None:
        fix = f"The file starts with a {marked.upper()} byte-order mark: pass --encoding {marked}."
    else:
        fix = ("Pass --encoding with the file's encoding (a Windows export is mostly --encoding cp1252; latin-1 reads "
               "any byte but turns its € and curly quotes into control characters), or re-encode it as UTF-8.")
    decoder = codecs.getincrementaldecoder(encoding)()
    line, column = 1, 1
    with path.open("rb") as handle:
        try:
            while True:
                block = handle.read(1 << 20)
                before = decoder.getstate()  # its first item: the bytes held back from the last block
                line, column = _advanced(line, column, decoder.decode(block, final=not block))
                if not block:
                    break
        except UnicodeDecodeError as exc:  # exc.start counts from the bytes held back, then the block
            decoder = codecs.getincrementaldecoder(encoding)()
            decoder.setstate(before)
            line, column = _advanced(line, column, decoder.decode(block[:max(exc.start - len(before[0]), 0)]))
            bad = exc.object[exc.start:exc.end]
            named = f"byte{'s' if len(bad) > 1 else ''} {' '.join(f'0x{byte:02x}' for byte in bad)}"
            return EmotraceError("E004", f"{path} is not valid {encoding}: line {line}, {named} at column {column} "
                                 f"({exc.reason}).", fix)
        except UnicodeError as exc:  # no byte to name: UTF-16 or UTF-32 without a byte-order mark
            return EmotraceError("E004", f"{path} is not valid {encoding}: {exc}.",
                                 "Pass --encoding with the file's encoding (utf-16-le or utf-16-be for UTF-16 "
                                 "without a byte-order mark), or re-encode it as UTF-8.")
    return EmotraceError("E004", f"{path} is not valid {encoding}.", fix)


BYTE_ORDER_MARKS = {"utf-32": (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE),  # before UTF-16's: FF FE starts both
                    "utf-16": (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)}


def _byte_order_mark(path: Path) -> str | None:
    """``utf-16`` or ``utf-32`` where ``path`` starts with that encoding's byte-order mark, else None."""
    with path.open("rb") as handle:
        head = handle.read(4)
    return next((name for name, marks in BYTE_ORDER_MARKS.items() if head.startswith(marks)), None)


def _advanced(line: int, column: int, text: str) -> tuple[int, int]:
    """The line and column (from 1) just after ``text``, read from ``line`` and ``column``."""
    if (last_break := text.rfind("\n")) < 0:
        return line, column + len(text)
    return line + text.count("\n"), len(text) - last_break
