"""Counts and lists in words, for messages, reasons and reports: "1 row", "3 rows", "2 turns overlap", "a, b and c"."""

from __future__ import annotations

from collections.abc import Sequence


def counted(count: int, noun: str) -> str:
    """``count`` and ``noun``, plural unless one ("1 row", "3 bad rows", "-1 message", "+2 messages")."""
    return f"{count} {noun}{'' if abs(count) == 1 else 's'}"


def counted_doing(count: int, noun: str, one: str, many: str) -> str:
    """:func:`counted` with a verb that agrees ("1 turn overlaps", "3 turns overlap" for "overlaps", "overlap")."""
    return f"{counted(count, noun)} {one if count == 1 else many}"


def and_more(total: int, limit: int) -> str:
    """" and N more" after the first ``limit`` of ``total`` items named in a message ("" when all are named)."""
    return f" and {total - limit} more" if total > limit else ""


def listed(items: Sequence[object]) -> str:
    """``items`` in words: "a", "a and b", "a, b and c"."""
    words = [str(item) for item in items]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def clock(seconds: float) -> str:
    """A time into a conversation as minutes and seconds to a tenth (59.97 s is "01:00.0", never "00:60.0")."""
    minutes, tenths = divmod(round(seconds * 10), 600)
    return f"{minutes:02d}:{tenths / 10:04.1f}"
