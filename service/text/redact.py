"""Redaction of personal data before text is stored: e-mail addresses (also spelled ``name(at)example.com``,
``jane at example dot com``), phone numbers, payment cards (Luhn-checked, with their expiry dates and security
codes), IBANs (checksum-checked), US social security numbers, IP addresses, dates of birth, postal addresses
(:mod:`emotrace.text.addresses`) and person names (:mod:`emotrace.text.names`).

Each finder yields spans; overlapping spans keep the one found first, in the order of :data:`FINDERS` (a dotted
card number is a card, not a phone). The finders of numbers read no-break and thin spaces (U+00A0, U+202F, ...) as
spaces and Unicode hyphens and dashes (U+2011, en dash, ...) as "-"; the tags replace the text as written. Recall
and precision per kind: ``python -m emotrace.evaluation.pii`` (built set) and ``--written`` (hand-written messages).
"""

from __future__ import annotations

import bisect
import ipaddress
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from emotrace.text.addresses import find_addresses
from emotrace.text.names import find_names

_BRACKETED_DOT = r"\s*[(\[{<]\s*dot\s*[)\]}>]\s*"
_DOT = rf"(?:\.|{_BRACKETED_DOT}|\s+dot\s+)"
_SPELLED_DOT_RE = re.compile(rf"{_BRACKETED_DOT}|\s+dot\s+", re.IGNORECASE)
# E-mail addresses are found from their "@" or spelled "at" outwards, each side read within a bounded window (a
# run of "a.a.a..." or "a dot a dot ..." without an "@" must not cost quadratic time).
# (each whitespace-led form starts only where a run of whitespace starts: linear in a long run of spaces)
_AT_RE = re.compile(r"@|(?P<bracketed>(?<!\s)\s*[(\[{<]\s*at\s*[)\]}>]\s*)|(?P<bare>(?<!\s)\s+at\s+)", re.IGNORECASE)
_USER_BEFORE_RE = re.compile(rf"(?<![\w.+-])[\w+-]+(?:(?:{_DOT}|\s+underscore\s+|_)[\w+-]+){{0,4}}$", re.IGNORECASE)
_PLAIN_USER_BEFORE_RE = re.compile(r"(?<![\w.+'-])[\w.+'-]+$")  # also O'Brien
_DOMAIN_AFTER_RE = re.compile(rf"[\w-]+(?:{_DOT}[\w-]+){{0,4}}{_DOT}[a-z]{{2,24}}\b", re.IGNORECASE)
_PLAIN_DOMAIN_AFTER_RE = re.compile(r"[\w-]+(?:\.[\w-]+){1,6}\b")
EMAIL_PART_WINDOW = 64
_SSN_RE = re.compile(r"(?<![\w-])(?!000|666|9\d\d)\d{3}(?P<sep>[- ])(?!00)\d{2}(?P=sep)(?!0000)\d{4}(?![\w-])")
_CUED_SSN_RE = re.compile(r"\b(?:ssn|social(?: security)?)\b\D{0,60}?(?<![\d-])(?P<value>\d{9})\b", re.IGNORECASE)
_IPV4_RE = re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w]|\.\d)")
_IPV6_RE = re.compile(r"(?<![\w:.])[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?![\w:])", re.IGNORECASE)
_IP_CUE_RE = re.compile(r"\b(?:ip|ipv4|ipv6|address|addr|from|server|router|host|ping|gateway|dns|vpn)\b[^.!?\n]{0,30}$",
                        re.IGNORECASE)
_VERSION_CUE_RE = re.compile(r"\b(?:version|ver|v|build|release|firmware|update|updated to)\.?\s*$", re.IGNORECASE)
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
          r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DATE_VALUE = (rf"(?:\d{{4}}-\d{{1,2}}-\d{{1,2}}|\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}|"
               rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\.?,?\s+\d{{4}}|"
               rf"{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})")
_BIRTH = (r"(?:dob|d\.o\.b\.?|date of birth|birth\s*date|birthday|born|geburtsdatum|geboren|fecha de nacimiento|"
          r"date de naissance|né|née|data de nascimento)")
# A date after a birth cue: next to it, or further on (up to 120 characters: "date of birth? -- It's 3 March
# 1988") when its year is at least 12 years back.
_DOB_RES = (re.compile(rf"\b{_BIRTH}(?:\s*(?:is|was|on|:|-|=))*\s*(?P<value>{_DATE_VALUE})", re.IGNORECASE),
            re.compile(rf"(?P<value>{_DATE_VALUE})\s*(?:\(|,|-)?\s*(?:is|as|=)?\s*(?:my|his|her|their|the)?\s*"
                       rf"{_BIRTH}\b", re.IGNORECASE))
_IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{4}){2,7}(?:[ -]?[A-Z0-9]{1,4})?\b", re.IGNORECASE)
_DIGIT_RUN_RE = re.compile(r"(?<![\d.-])\d+(?:(?: {1,2}|[.-])\d+)*")  # groups of digits: "4111  1111 ..." too
_DIGIT_GROUP_RE = re.compile(r"\d+")
CARD_DIGITS = range(13, 20)
CARD_GROUP_DIGITS = 3  # the least a card's group holds where it is written in groups
_EXPIRY_RE = re.compile(r"\b(?:exp(?:iry|ires|iration)?(?:\s+date)?|valid\s+(?:thru|through|until))\b\.?\s*[:\-]?\s*"
                        r"(?P<value>(?:0[1-9]|1[0-2])\s?[/-]\s?(?:\d{4}|\d{2}))\b", re.IGNORECASE)
_SECURITY_CODE_RE = re.compile(r"\b(?:cvv2?|cvc2?|csc|cid|security\s+code)\b\s*(?:is|:|#|-)?\s*(?P<value>\d{3,4})\b",
                               re.IGNORECASE)
# A number starts after a space or punctuation, or glued to a phone word ("tel.+44 20 ...", "ph.0770...", "on+44").
_GLUED_PHONE_CUE = r"(?<![\w.])(?:tel(?:ephone)?|phone|ph|mob(?:ile)?|cell|fax|whatsapp|on|at)[.:]?"
_PHONE_RE = re.compile(rf"(?:(?<![\w+#/.-])|{_GLUED_PHONE_CUE})"
                       r"(?P<value>\+?\(?\d[\d ()./-]{6,}\d\b)", re.IGNORECASE)  # "0171/1234567" as Germans write it
# Between two numbers written as one run: a spaced slash or dash ("07700 900123 / 07700 900456"), then a bare slash.
_PHONE_JOINERS = (re.compile(r" +[/-] *| *[/-] +"), re.compile(r"/"))
LOCAL_PHONE_DIGITS = 7
_LOCAL_PHONE_RE = re.compile(rf"(?:(?<![\w#/.:-])|{_GLUED_PHONE_CUE})(?P<value>\d{{3}}[-. ]\d{{4}}\b(?![.-]\d))",
                             re.IGNORECASE)
_NOT_A_PHONE_BEFORE = re.compile(r"\b(?:order|ref|reference|serial|invoice|ticket|case|tracking|account|iban|transaction|"
                                 r"txn|ids?|confirmation|booking|pnr|reservation|member(?:ship)?|policy|claim|receipt|"
                                 r"build|version)s?\b"  # right before the number: "order no. 4411", "case #12"
                                 r"(?:[\s#:.-]{0,3}(?:no|nr|num|number|id)\b)?(?:\s+(?:is|was|=))?[\s#:.-]{0,4}$",
                                 re.IGNORECASE)
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}.*)?|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")
_DATE_AND_HOUR_RE = re.compile(r"(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4})[ T]\d{1,2}")  # + ":30"
E164_MAX_DIGITS = 15
_SPACES = "\u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u205f\u3000"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_PLAIN_SEPARATORS = str.maketrans({**dict.fromkeys(_SPACES, " "), **dict.fromkeys(_DASHES, "-")})  # one for one
TAGS = {"email": "[EMAIL]", "iban": "[IBAN]", "card": "[CARD]", "card_expiry": "[CARD_EXPIRY]",
        "card_security_code": "[CARD_CVV]", "ssn": "[SSN]", "ip": "[IP]", "dob": "[DOB]", "address": "[ADDRESS]",
        "phone": "[PHONE]", "name": "[NAME]"}


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
    compact = re.sub(r"[\s-]", "", value).upper()
    rearranged = compact[4:] + compact[:4]
    return 15 <= len(compact) <= 34 and int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def _emails(text: str) -> Iterator[PiiSpan]:
    """name@example.com; name(at)example.com, jane [at] example [dot] com; with a bare " at " (tom dot baker at
    gmail dot com), a dot spelled out in the domain or a dot or underscore in the name (fatima.zahra at gmail.com),
    so that "I looked at amazon.com" is not an address."""
    for at in _AT_RE.finditer(text):
        before = text[max(0, at.start() - EMAIL_PART_WINDOW) : at.start()]
        after = text[at.end() : at.end() + EMAIL_PART_WINDOW]
        plain = not at.group("bracketed") and not at.group("bare")
        user = (_PLAIN_USER_BEFORE_RE if plain else _USER_BEFORE_RE).search(before)
        domain = (_PLAIN_DOMAIN_AFTER_RE if plain else _DOMAIN_AFTER_RE).match(after)
        if user is None or domain is None:
            continue
        if at.group("bare") and not (_SPELLED_DOT_RE.search(domain.group(0)) or re.search(r"[._]", user.group(0))):
            continue
        yield PiiSpan(at.start() - len(before) + user.start(), at.end() + domain.end(), "email")


def _ibans(text: str) -> Iterator[PiiSpan]:
    for m in _IBAN_RE.finditer(text):  # the pattern may run on into the next word: the longest valid prefix
        value = m.group(0)
        ends = [i for i in range(len(value), 14, -1) if i == len(value) or value[i] in " -"]
        if (end := next((i for i in ends if _iban_ok(value[:i])), None)) is not None:
            yield PiiSpan(m.start(), m.start() + end, "iban")


def _cards(text: str) -> Iterator[PiiSpan]:
    """Luhn-valid runs of 13 to 19 digits, also at the start of a longer run of digit groups ("4111 1111 1111 1111
    12/26 123": a card and the number after it): from the run's first group, the longest valid run of whole groups,
    then on from the group after it (or after the longest candidate when none is valid)."""
    for run in _DIGIT_RUN_RE.finditer(text):
        groups = list(_DIGIT_GROUP_RE.finditer(text, run.start(), run.end()))
        first = 0
        while first < len(groups):
            ends = _card_ends(groups, first)
            last = next((last for last in ends if _luhn_ok("".join(g.group() for g in groups[first : last + 1]))), None)
            if last is not None:
                yield PiiSpan(groups[first].start(), groups[last].end(), "card")
                first = last + 1
            else:
                first = (ends[0] if ends else first) + 1


def _card_ends(groups: list[re.Match[str]], first: int) -> list[int]:
    """The groups from ``groups[first]`` on that a card's digits could end with, the furthest first; a nearer one (a
    number after the card in the same run) only where each group up to it has a card group's digits ("4111 1111 ...",
    not "1 2 3 ...")."""
    ends, digits = [], 0
    for last in range(first, len(groups)):
        digits += len(groups[last].group())
        if digits > CARD_DIGITS[-1]:
            break
        if digits in CARD_DIGITS:
            ends.append(last)
    nearer = [last for last in ends[:-1] if all(len(g.group()) >= CARD_GROUP_DIGITS for g in groups[first : last + 1])]
    return ends[-1:] + nearer[::-1]


def _card_details(text: str) -> Iterator[PiiSpan]:
    for pattern, kind in ((_EXPIRY_RE, "card_expiry"), (_SECURITY_CODE_RE, "card_security_code")):
        yield from (PiiSpan(m.start("value"), m.end("value"), kind) for m in pattern.finditer(text))


def _not_another_number(text: str, at: int) -> bool:
    return not _NOT_A_PHONE_BEFORE.search(text[max(0, at - 40) : at])


def _ssns(text: str) -> Iterator[PiiSpan]:
    """123-45-6789 or 123 45 6789 (not an order or ticket number), or nine digits after "SSN"."""
    yield from (PiiSpan(m.start(), m.end(), "ssn") for m in _SSN_RE.finditer(text) if _not_another_number(text, m.start()))
    yield from (PiiSpan(m.start("value"), m.end("value"), "ssn") for m in _CUED_SSN_RE.finditer(text))


def _ips(text: str) -> Iterator[PiiSpan]:
    """IPv4 addresses (not a version number; with all parts under 32, only after a word such as "IP" or "from")
    and IPv6 addresses (with "::" or all eight groups)."""
    for m in _IPV4_RE.finditer(text):
        before = text[max(0, m.start() - 40) : m.start()]
        try:
            parts = ipaddress.IPv4Address(m.group(0)).packed
        except ValueError:
            continue
        if not _VERSION_CUE_RE.search(before) and (max(parts) >= 32 or _IP_CUE_RE.search(before)):
            yield PiiSpan(m.start(), m.end(), "ip")
    for m in _IPV6_RE.finditer(text):
        value = m.group(0)
        if (("::" in value and len(value) >= 6) or value.count(":") == 7) and _valid_ipv6(value):
            yield PiiSpan(m.start(), m.end(), "ip")


def _valid_ipv6(value: str) -> bool:
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return True


_LATER_DOB_RE = re.compile(rf"\b{_BIRTH}\b.{{0,120}}?(?P<value>{_DATE_VALUE})", re.IGNORECASE | re.DOTALL)
_YEAR_RE = re.compile(r"(\d{4}|\d{2})\D*$")
MIN_AGE_YEARS = 12


def _years_back(date: str) -> int:
    """How many years before this one ``date`` (its last number read as its year; two digits: 19xx/20xx) lies."""
    this_year = datetime.now(UTC).year
    match = _YEAR_RE.search(date)
    year = int(match.group(1)) if match else this_year
    if year < 100:
        year += 2000 if year <= this_year % 100 else 1900
    return this_year - year


def _dates_of_birth(text: str) -> Iterator[PiiSpan]:
    for pattern in _DOB_RES:
        yield from (PiiSpan(m.start("value"), m.end("value"), "dob") for m in pattern.finditer(text))
    for m in _LATER_DOB_RE.finditer(text):
        if _years_back(m.group("value")) >= MIN_AGE_YEARS:
            yield PiiSpan(m.start("value"), m.end("value"), "dob")


def _addresses(text: str) -> Iterator[PiiSpan]:
    yield from (PiiSpan(start, end, "address") for start, end in find_addresses(text))


def _names(text: str) -> Iterator[PiiSpan]:
    yield from (PiiSpan(start, end, "name") for start, end in find_names(text))


def _date_and_time(text: str, start: int, end: int) -> bool:
    """Whether a phone candidate is a date and the hour of a time after it ("on 12/05/2024 10:30")."""
    return _DATE_AND_HOUR_RE.fullmatch(text, start, end) is not None and text.startswith(":", end)


def _joined_numbers(text: str, start: int, end: int,
                    joiners: tuple[re.Pattern[str], ...] = _PHONE_JOINERS) -> Iterator[tuple[int, int]]:
    """The numbers in the run ``text[start:end]``: split at each joiner in turn where every part has a local number's
    digits ("07700 900123 / 07700 900456"), else kept whole ("0171 / 1234567")."""
    if not joiners:
        yield start, end
        return
    cuts = [start, *(at for m in joiners[0].finditer(text, start, end) for at in m.span()), end]
    parts = list(zip(cuts[::2], cuts[1::2], strict=True))
    if len(parts) == 1 or any(len(_digits(text[a:b])) < LOCAL_PHONE_DIGITS for a, b in parts):
        parts = [(start, end)]
    for a, b in parts:
        yield from _joined_numbers(text, a, b, joiners[1:])


def _phones(text: str) -> Iterator[PiiSpan]:
    """Runs of 9 to 15 digits (or 7 in the local ``555-1234`` form), also glued to "tel." or "on", unless a date or
    named as another number ("order 1001-2002-3003", "ticket #555-1234"); two numbers joined by a slash or a spaced
    dash are two."""
    candidates = [(start, end) for m in _PHONE_RE.finditer(text) for start, end in _joined_numbers(text, *m.span("value"))
                  if 9 <= len(_digits(text[start:end])) <= E164_MAX_DIGITS
                  and not _DATE_RE.fullmatch(text, start, end) and not _date_and_time(text, start, end)]
    for start, end in [*candidates, *(m.span("value") for m in _LOCAL_PHONE_RE.finditer(text))]:
        if _not_another_number(text, start):
            yield PiiSpan(start, end, "phone")


FINDERS: tuple[Callable[[str], Iterator[PiiSpan]], ...] = (_emails, _ibans, _cards, _card_details, _ssns, _ips,
                                                          _dates_of_birth, _addresses, _phones, _names)
# Finders that read the text with its no-break spaces and Unicode dashes as " " and "-" (names and e-mail addresses are
# read as written: "Thanks—Maria" is no hyphenated word).
_NUMBER_FINDERS = frozenset({_ibans, _cards, _card_details, _ssns, _dates_of_birth, _phones})


def find_pii(text: str) -> list[PiiSpan]:
    """The personal data in ``text``, in text order, without overlaps (a span overlapping one found before it, by an
    earlier finder of :data:`FINDERS`, is dropped)."""
    kept: list[PiiSpan] = []  # sorted by start, never overlapping
    plain = text.translate(_PLAIN_SEPARATORS)  # the same length: its spans are the text's
    for finder in FINDERS:
        for span in finder(plain if finder in _NUMBER_FINDERS else text):
            at = bisect.bisect_left(kept, span.start, key=lambda k: k.start)
            if (at == 0 or kept[at - 1].end <= span.start) and (at == len(kept) or span.end <= kept[at].start):
                kept.insert(at, span)
    return kept


def redact(text: str) -> str:
    """``text`` with every span of :func:`find_pii` replaced by its tag (``[EMAIL]``, ``[CARD]``, ...)."""
    out, at = [], 0
    for span in find_pii(text):
        out += [text[at : span.start], TAGS[span.kind]]
        at = span.end
    return "".join([*out, text[at:]])
