"""Labelled sets of personal data in support messages, for measuring redaction (``python -m emotrace.evaluation.pii``):
a built one (below) and the hand-written messages of ``data/pii`` (:func:`written_cases`).

Built, not collected: support-message templates filled with generated values in the many spellings customers
use (spaced, dashed and dotted card numbers, lower-case IBANs, ``name(at)example.com``, local phone numbers,
expiry dates and security codes, social security numbers, IPv4 and IPv6 addresses, dates of birth), each with its
labelled span, plus messages full of numbers that are not personal data (order and ticket numbers, amounts, dates,
times, versions) to measure precision. Deterministic for a seed. Names and street addresses are labelled too, a few
and from short lists: the hand-written set (``data/pii``) measures them.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from emotrace.paths import PII_MESSAGES

FIRST = ["jane", "omar", "li", "maria", "tom", "aisha", "pierre", "sven", "yuki", "carlos"]
LAST = ["doe", "haddad", "wei", "garcia", "baker", "khan", "martin", "larsen", "sato", "silva"]
DOMAINS = ["example.com", "mail.example.org", "example.co.uk", "corp.example.net", "example.de"]
PHONES = ["+1 415 555 2671", "(415) 555-2671", "415-555-2671", "415.555.2671", "+44 20 7946 0958", "020 7946 0958",
          "+49 30 901820 44", "+33 1 42 68 53 00", "555-1234", "555 1234", "+61 2 9374 4000", "07700 900123"]
IBAN_BANKS = {"GB": "WEST12345698765432", "DE": "370400440532013000", "FR": "20041010050500013M02606",
              "NL": "ABNA0417164300", "ES": "21000418450200051332"}
CARD_PREFIXES = {16: ["4111", "4532", "5500", "5105", "6011"], 15: ["3782", "3714"]}
TEMPLATES = {
    "email": ["You can reach me at {}.", "Please send the invoice to {} asap", "my email is {} not the old one",
              "Contact {} about the refund!!", "I wrote to you from {} twice already"],
    "phone": ["Call me back on {} please.", "My number is {}", "phone: {} (after 6pm)", "text me at {} when it ships",
              "reach me on {}, I'm waiting"],
    "card": ["You charged my card {} twice.", "card number {} was declined", "please refund to {}",
             "I used {} for the order"],
    "card_expiry": ["it expires {}", "exp {}", "expiry date: {}", "valid thru {}"],
    "card_security_code": ["cvv {}", "the CVC is {}", "security code {}", "CVV2: {}"],
    "iban": ["My IBAN is {}, please refund there.", "send it to {}", "account {} is the right one",
             "refund to iban {} thanks"],
    "ssn": ["my SSN is {}", "social security number: {}", "they asked for {} on the form", "SSN {} - please update"],
    "ip": ["I log in from {} every day", "your site blocks my IP {}", "the router at {} drops out",
           "error: connection refused by {}"],
    "dob": ["my date of birth is {}", "DOB: {}", "I was born on {} and I'm still waiting", "birthday {} is on file"],
    "name": ["This is {} from accounting.", "My name is {} and I am upset."],
    "address": ["Ship it to {} instead.", "I live at {}."],
}
NOT_PII = [
    "order 4411 still not here after 3 weeks", "ticket #5551234 was closed without an answer",
    "I paid $1,234.56 on 2024-03-05 and nothing arrived", "call me at 5 pm tomorrow", "it took 45 minutes on hold",
    "the app version 2.13.0 keeps crashing", "case 12345678 has been open for a month",
    "order #555-1234 is missing two items", "back on 12/05/2024 I asked the same thing",
    "I was charged 4111 dollars instead of 41.11", "reference 2024-0001-7788 in your letter",
    "flight BA 2490 left at 10:45", "my order number is 1001-2002-3003", "room 101, floor 3",
    "the parcel weighs 2.5 kg and costs 19.99", "tracking 1Z999AA10123456784 says delivered",
    "between 9:00 and 17:30 every weekday", "I have been a customer since 1998", "invoice INV-2024-00042 is wrong",
    "the 3 of us waited 2 hours", "XXXX XXXX bank charged me XX/XX/2019", "we spent 150.000 points last year",
    "postcode 10115 is in Berlin", "ETA 14/12 at the latest", "model SM-G991B runs Android 14",
    "the total was 1 299,00 EUR", "you owe me 250 euros", "I rated you 1/5 stars", "batch 2023.11.07 was bad",
    "serial 12345-67890-ABCDE", "promo code SAVE20 did not work", "page 4 of 12 of the contract",
]


@dataclass(frozen=True)
class PiiCase:
    """A text and its labelled personal data: (start, end, kind) spans."""

    text: str
    spans: tuple[tuple[int, int, str], ...]


def _luhn_complete(body: str) -> str:
    for check in "0123456789":
        digits = body + check
        total = sum((d * 2 - 9 if d * 2 > 9 else d * 2) if i % 2 else d
                    for i, d in enumerate(int(c) for c in reversed(digits)))
        if total % 10 == 0:
            return digits
    raise AssertionError("unreachable")


def _card(rng: random.Random) -> str:
    length = rng.choice([16, 16, 16, 15])
    digits = _luhn_complete(rng.choice(CARD_PREFIXES[length]) + "".join(rng.choices("0123456789", k=length - 5)))
    groups = [digits[:4], digits[4:10], digits[10:]] if length == 15 else [digits[i : i + 4] for i in range(0, 16, 4)]
    return rng.choice([" ", "-", ".", ""]).join(groups)


def _iban(rng: random.Random) -> str:
    country, bban = rng.choice(list(IBAN_BANKS.items()))
    rearranged = bban + country + "00"
    check = 98 - int("".join(str(int(ch, 36)) for ch in rearranged)) % 97
    compact = f"{country}{check:02d}{bban}"
    spaced = " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
    return rng.choice([compact, spaced, spaced.lower(), compact.lower()])


def _email(rng: random.Random) -> str:
    user = rng.choice([f"{rng.choice(FIRST)}.{rng.choice(LAST)}", f"{rng.choice(FIRST)}{rng.randint(1, 99)}",
                       f"{rng.choice(FIRST)}+orders"])
    domain = rng.choice(DOMAINS)
    spelled = rng.random() < 0.35
    if not spelled:
        return f"{user}@{domain}".upper() if rng.random() < 0.1 else f"{user}@{domain}"
    at = rng.choice(["(at)", " (at) ", "[at]", " [at] "])
    dot = rng.choice([".", " (dot) ", "[dot]"])
    return f"{user}{at}{domain.replace('.', dot)}"


def _value(kind: str, rng: random.Random) -> str:
    if kind == "email":
        return _email(rng)
    if kind == "phone":
        return rng.choice(PHONES)
    if kind == "card":
        return _card(rng)
    if kind == "card_expiry":
        return f"{rng.randint(1, 12):02d}/{rng.choice([str(rng.randint(25, 31)), str(rng.randint(2025, 2031))])}"
    if kind == "card_security_code":
        return str(rng.randint(100, 9999)) if rng.random() < 0.2 else str(rng.randint(100, 999))
    if kind == "iban":
        return _iban(rng)
    if kind == "ssn":
        area, group, serial = rng.randint(1, 665), rng.randint(1, 99), rng.randint(1, 9999)
        return rng.choice([f"{area:03d}-{group:02d}-{serial:04d}", f"{area:03d} {group:02d} {serial:04d}"])
    if kind == "ip":
        if rng.random() < 0.25:
            return f"2001:db8:{rng.randint(1, 0xFFFF):x}::{rng.randint(1, 0xFFFF):x}"
        return ".".join(str(rng.randint(0, 255)) for _ in range(4))
    if kind == "dob":
        year, month, day = rng.randint(1940, 2006), rng.randint(1, 12), rng.randint(1, 28)
        months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                  "November", "December"]
        return rng.choice([f"{day:02d}/{month:02d}/{year}", f"{year}-{month:02d}-{day:02d}",
                           f"{months[month - 1]} {day}, {year}", f"{day} {months[month - 1]} {year}"])
    if kind == "name":
        return f"{rng.choice(FIRST).title()} {rng.choice(LAST).title()}"
    return f"{rng.randint(1, 250)} {rng.choice(['Baker Street', 'Elm Road', 'Hauptstrasse', 'Rue de Rivoli'])}"


def pii_cases(per_kind: int = 36, seed: int = 0) -> list[PiiCase]:
    """``per_kind`` labelled messages per kind of personal data, then the messages without any."""
    rng = random.Random(seed)
    cases = []
    for kind, templates in TEMPLATES.items():
        for i in range(per_kind if kind not in {"name", "address"} else per_kind // 3):
            template, value = templates[i % len(templates)], _value(kind, rng)
            start = template.index("{}")
            cases.append(PiiCase(template.format(value), ((start, start + len(value), kind),)))
    return [*cases, *(PiiCase(text, ()) for text in NOT_PII)]


def written_split(text: str) -> Literal["dev", "test"]:
    """A hand-written message's half, by a hash of its text: rules are tuned on ``dev``, reported on ``test``."""
    return "dev" if hashlib.sha256(text.encode()).digest()[0] % 2 == 0 else "test"


def written_cases(split: Literal["dev", "test", "all"] = "test", path: Path = PII_MESSAGES) -> list[PiiCase]:
    """The hand-written messages of ``data/pii`` (their datasheet: ``data/pii/README.md``) in ``split``."""
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if split in ("all", written_split(row["text"])):
            cases.append(PiiCase(row["text"], tuple((s["start"], s["end"], s["kind"]) for s in row["spans"])))
    return cases
