"""Counts in words, for messages, reasons and reports: "1 row", "3 rows", "2 turns overlap"."""

from __future__ import annotations


def counted(count: int, noun: str) -> str:
    """``count`` and ``noun``, plural unless one ("1 row", "3 bad rows", "-1 message", "+2 messages")."""
    return f"{count} {noun}{'' if abs(count) == 1 else 's'}"


def counted_doing(count: int, noun: str, one: str, many: str) -> str:
    """:func:`counted` with a verb that agrees ("1 turn overlaps", "3 turns overlap" for "overlaps", "overlap")."""
    return f"{counted(count, noun)} {one if count == 1 else many}"
