"""Redaction of personal data before text is stored: e-mail addresses (also spelled ``name(at)example.com``),
phone numbers, payment cards (Luhn-checked, with their expiry dates and security codes) and IBANs (checksum-checked).

Each finder yields spans; overlapping spans keep the one found first, in the order of :data:`FINDERS` (a dotted
card number is a card, not a phone). Names and street addresses are not found: that needs a named-entity model
(see the README, "Privacy"). Recall and precision per kind: ``python -m emotrace.evaluation.pii``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

_EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_SPELLED_EMAIL_RE = re.compile(
    r"\b[\w.+-]+\s*[(\[{<]\s*at\s*[)\]}>]\s*[\w-]+(?:\s*(?:[(\[{<]\s*dot\s*[)\]}>]|\.)\s*[\w-]+)+\b", re.IGNORECASE)
_IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b", re.IGNORECASE)
_CARD_RE = re.compile(r"(?<![\d.-])\d(?:[ .-]?\d){12,18}(?![\d])")
_EXPIRY_RE = re.compile(r"\b(?:exp(?:iry|ires|iration)?(?:\s+date)?|valid\s+(?:thru|through|until))\b\.?\s*[:\-]?\s*"
                        r"(?P<value>(?:0[1-9]|1[0-2])\s?[/-]\s?(?:\d{4}|\d{2}))\b", re.IGNORECASE)
_SECURITY_CODE_RE = re.compile(r"\b(?:cvv2?|cvc2?|csc|cid|security\s+code)\b\s*(?:is|:|#|-)?\s*(?P<value>\d{3,4})\b",
                               re.IGNORECASE)
_PHONE_RE = re.compile(r"(?<![\w+#/.-])\+?\(?\d[\d ().-]{6,}\d\b")
_LOCAL_PHONE_RE = re.compile(r"(?<![\w#/.:-])\d{3}[-. ]\d{4}\b(?![.-]\d)")
_NOT_A_PHONE_BEFORE = re.compile(r"\b(?:order|ref|reference|serial|invoice|ticket|case|tracking|account|iban)\b"
                                 r"[\w\s#:.-]{0,12}$", re.IGNORECASE)
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}.*)?|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")
E164_MAX_DIGITS = 15
TAGS = {"email": "[EMAIL]", "iban": "[IBAN]", "card": "[CARD]", "card_expiry": "[CARD_EXPIRY]",
        "card_security_code": "[CARD_CVV]", "phone": "[PHONE]"}


@dataclass(frozen=True)
class PiiSpan:
    """Personal data found in a text: ``text[start:end]`` is of ``kind`` (a key of :data:`TAGS`)."""

    start: int
    end: int
    kind: str


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _iban_ok(value: str) -> bool:
    """ISO 13616 check digits: the rearranged IBAN, letters as numbers, is 1 modulo 97."""
    compact = re.sub(r"\s", "", value).upper()
    rearranged = compact[4:] + compact[:4]
    return 15 <= len(compact) <= 34 and int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def _emails(text: str) -> Iterator[PiiSpan]:
    for pattern in (_EMAIL_RE, _SPELLED_EMAIL_RE):
        yield from (PiiSpan(m.start(), m.end(), "email") for m in pattern.finditer(text))


def _ibans(text: str) -> Iterator[PiiSpan]:
    for m in _IBAN_RE.finditer(text):  # the pattern may run on into the next word: the longest valid prefix
        value = m.group(0)
        ends = [i for i in range(len(value), 14, -1) if i == len(value) or value[i] == " "]
        if (end := next((i for i in ends if _iban_ok(value[:i])), None)) is not None:
            yield PiiSpan(m.start(), m.start() + end, "iban")


def _cards(text: str) -> Iterator[PiiSpan]:
    for m in _CARD_RE.finditer(text):
        digits = _digits(m.group(0))
        if 13 <= len(digits) <= 19 and _luhn_ok(digits):
            yield PiiSpan(m.start(), m.end(), "card")


def _card_details(text: str) -> Iterator[PiiSpan]:
    for pattern, kind in ((_EXPIRY_RE, "card_expiry"), (_SECURITY_CODE_RE, "card_security_code")):
        yield from (PiiSpan(m.start("value"), m.end("value"), kind) for m in pattern.finditer(text))


def _phones(text: str) -> Iterator[PiiSpan]:
    """Runs of 9 to 15 digits (or 7 in the local ``555-1234`` form), unless a date or named as another number
    ("order 1001-2002-3003", "ticket #555-1234")."""
    candidates = [m for m in _PHONE_RE.finditer(text)
                  if 9 <= len(_digits(m.group(0))) <= E164_MAX_DIGITS and not _DATE_RE.fullmatch(m.group(0))]
    for m in [*candidates, *_LOCAL_PHONE_RE.finditer(text)]:
        if not _NOT_A_PHONE_BEFORE.search(text[max(0, m.start() - 40) : m.start()]):
            yield PiiSpan(m.start(), m.end(), "phone")


FINDERS: tuple[Callable[[str], Iterator[PiiSpan]], ...] = (_emails, _ibans, _cards, _card_details, _phones)


def find_pii(text: str) -> list[PiiSpan]:
    """The personal data in ``text``, in text order, without overlaps."""
    kept: list[PiiSpan] = []
    for finder in FINDERS:
        for span in finder(text):
            if all(span.end <= k.start or span.start >= k.end for k in kept):
                kept.append(span)
    return sorted(kept, key=lambda s: s.start)


def redact(text: str) -> str:
    """``text`` with every span of :func:`find_pii` replaced by its tag (``[EMAIL]``, ``[CARD]``, ...)."""
    out, at = [], 0
    for span in find_pii(text):
        out += [text[at : span.start], TAGS[span.kind]]
        at = span.end
    return "".join([*out, text[at:]])
