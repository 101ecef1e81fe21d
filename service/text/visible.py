"""What counts as text with something to read: one rule for the HTTP API's fields, ingested ids and conversation
files."""

from __future__ import annotations

import re

# Whitespace and control characters (C0, DEL, C1), invisible format characters (zero-width space and joiners, BOM,
# bidi marks), blank-looking letters (Hangul fillers, the Braille blank, Khmer's invisible inherent vowels), combining
# marks and variation selectors (Mongolian's too: nothing to combine with when alone) and private-use characters (no
# meaning to read): a value of only these is blank. One character class serves the check and the OpenAPI patterns,
# so the two agree (the body of a regular-expression character class).
BLANK_CLASS = (r"\x01-\x20\x7f-\xa0\u00ad\u0300-\u036f\u061c\u115f\u1160\u1680\u17b4\u17b5\u180b-\u180f\u1ab0-\u1aff"
               r"\u1dc0-\u1dff\u2000-\u200f\u2028-\u202f\u205f-\u2064\u2066-\u206f\u20d0-\u20ff\u2800\u3000\u3164"
               r"\ue000-\uf8ff\ufe00-\ufe0f\ufe20-\ufe2f\ufeff\uffa0\ufff9-\ufffb")
# Invisible characters beyond the first plane (tag characters, variation selectors 17-256): the check refuses a value
# of only these; the OpenAPI patterns cannot name them (ECMA-262 patterns without the "u" flag read UTF-16 code
# units), so there such a value matches and the 422 comes from the check. The supplementary private use planes stay
# text, as the published schema says: refusing them too would refuse many values a client's schema check accepts.
ASTRAL_BLANK_CLASS = r"\U000e0000-\U000e007f\U000e0100-\U000e01ef"
_VISIBLE = re.compile(f"[^{BLANK_CLASS}{ASTRAL_BLANK_CLASS}\\x00]")
TEXT_PATTERN = f"^[^\\x00]*[^{BLANK_CLASS}\\x00][^\\x00]*$"  # the same rule as a pattern (documented in the API schema)


def is_blank(value: str) -> bool:
    """Whether ``value`` holds nothing to read: only whitespace, invisible and blank-looking characters."""
    return _VISIBLE.search(value) is None


def character_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored or written as UTF-8 text (a NUL, a lone UTF-16 surrogate), or None."""
    if "\x00" in value:
        return "holds a NUL character (\\u0000)"
    surrogate = next((i for i, ch in enumerate(value) if "\ud800" <= ch <= "\udfff"), None)
    if surrogate is not None:
        return f"holds a lone UTF-16 surrogate at character {surrogate}: not valid Unicode"
    return None


def text_problem(value: str) -> str | None:
    """Why ``value`` is not storable text with something to read (:func:`character_problem`, or nothing visible),
    or None when it is."""
    if (problem := character_problem(value)) is not None:
        return problem
    if is_blank(value):
        return "is empty or only whitespace / invisible characters"
    return None
