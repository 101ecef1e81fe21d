"""Redaction of personal data before text is stored: e-mail addresses, phone numbers, card numbers, IBANs."""

from __future__ import annotations

import re

_IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b")
_CARD_RE = re.compile(r"\b(?:\d[ -]?){12,18}\d\b")
_EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE_RE = re.compile(r"(?<![\w+])\+?\d[\d ().-]{6,}\d\b")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}.*)?")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return "[CARD]" if 13 <= len(digits) <= 19 and _luhn_ok(digits) else match.group(0)


def _phone(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return "[PHONE]" if len(digits) >= 9 and not _DATE_RE.fullmatch(match.group(0)) else match.group(0)


def redact(text: str) -> str:
    """``text`` with e-mails, IBANs, card numbers (Luhn-valid) and phone numbers replaced by tags."""
    text = _EMAIL_RE.sub("[EMAIL]", text)
    text = _IBAN_RE.sub("[IBAN]", text)
    text = _CARD_RE.sub(_card, text)
    return _PHONE_RE.sub(_phone, text)
