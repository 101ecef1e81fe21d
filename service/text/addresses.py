"""Postal addresses in support messages, found by their shape: a house number and a street name ending in a street
type ("221B Baker Street", "1600 Pennsylvania Ave NW", "12 elm rd"), the continental forms ("Hauptstraße 5",
"10 rue de Rivoli", "Calle de Alcalá 42"), and P.O. boxes; each extended over the unit, city, region and postcode
that follow in the same run ("…, London NW1 6XE", "…, 10115 Berlin", "…, Washington, DC 20500").

A street named without a number ("the store on Main Street") is not an address. Precision and recall on the
hand-written set: ``python -m emotrace.evaluation.pii --written``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_NAME = r"[A-ZÀ-Þ][\wÀ-ÿ'’.-]*"
# Street types written in Title case or abbreviated; only the unambiguous ones are taken in lower case too.
_STREET_TYPE = (r"(?:Street|St|Road|Rd|Avenue|Ave|Av|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Way|Terrace|"
                r"Ter|Close|Crescent|Cres|Square|Sq|Highway|Hwy|Parkway|Pkwy|Circle|Cir|Row|Grove|Gardens|Mews|Walk|"
                r"Hill|Park|Trail|Plaza|Alley|Quay|Parade)")
_LOWER_STREET_TYPE = r"(?:street|st|road|rd|avenue|ave|blvd|boulevard|lane|ln|drive|dr|crescent|terrace|parkway)"
_UNIT = r"(?:(?i:apt|apartment|unit|flat|suite|ste|floor|fl)\.?\s*#?\s*[\w/-]{1,5})"
_DIRECTION = r"(?:\s+(?:NW|NE|SW|SE|N|S|E|W)\b\.?)?"
_CITY_WORD = r"[A-ZÀ-Þ][a-zß-ÿ'’-]+"
_CITY = rf"{_CITY_WORD}(?:\s+(?:(?:am|an|upon|on|de|del|sur|le|la|en|di)\s+)?{_CITY_WORD}){{0,2}}(?!\w)"
_POSTCODE = (r"(?:\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}|[A-Z]\d[A-Z]\s?\d[A-Z]\d|\d{4})")
# What may follow a street line: ", Apt 4", ", Springfield, IL 62704", " London NW1 6XE", ", 10115 Berlin".
_TAIL = (rf"(?:,?\s*{_UNIT})?"
         rf"(?:,\s*(?:{_POSTCODE}\s+)?{_CITY}){{0,2}}"
         rf"(?:,?\s+(?:[A-Z]{{2,3}}\b,?\s*)?{_POSTCODE}\b)?")
# Street-name words: Title case, ordinals ("118th"), compass letters, and the small words of Spanish and French names.
_STREET_WORD = rf"(?:{_NAME}|\d{{1,4}}(?:st|nd|rd|th)|(?:del|de|la|las|los|du|des|of|the)(?=\s+[A-Z]))"
_ADDRESS_RES = (
    # Any street form when a city and a postcode follow: "88 Peckham Rye, London SE15 4JR", "905 Camino del Sol, ..."
    re.compile(rf"(?:{_UNIT},?\s+)?\b\d{{1,5}}[A-Za-z]?,?\s+(?:{_STREET_WORD}\s+){{0,4}}{_NAME},\s*"
               rf"(?:{_CITY},\s*){{0,2}}{_CITY},?\s+(?:[A-Z]{{2,3}}\s+)?{_POSTCODE}\b"),
    # English forms: [unit,] number street-name type [direction]
    re.compile(rf"(?:{_UNIT},?\s+)?\b\d{{1,5}}[A-Za-z]?(?:[-/]\d{{1,5}})?,?\s+(?:{_STREET_WORD}\s+){{1,4}}"
               rf"{_STREET_TYPE}\b\.?"
               rf"{_DIRECTION}{_TAIL}"),
    re.compile(rf"(?:{_UNIT},?\s+)?\b\d{{1,5}}[a-z]?\s+(?:[a-z][a-z'-]+\s+){{1,3}}{_LOWER_STREET_TYPE}\b\.?{_TAIL}"),
    # German forms: Name-straße 5 [, 10115 Berlin]
    # (a street name's word is bounded, 40 letters: a run of "A-A-A-..." must not cost quadratic time)
    re.compile(rf"\b[A-ZÄÖÜ][\wäöüß-]{{0,40}}(?:straße|strasse|str\.|weg|gasse|platz|allee|damm|ring|ufer)"
               rf"\s+\d{{1,4}}[a-z]?{_TAIL}"),
    re.compile(rf"\b\d{{1,4}}[a-z]?\s+[A-ZÄÖÜ][\wäöüß-]{{0,40}}(?:straße|strasse|weg|gasse|platz|allee)\b{_TAIL}"),
    re.compile(rf"\b(?:[A-ZÄÖÜ][\wäöüß-]{{1,40}}\s+)(?:Straße|Strasse|Weg|Platz|Allee)\s+\d{{1,4}}[a-z]?{_TAIL}"),
    # French forms: 10 [bis] rue de la Paix [, 75002 Paris]
    re.compile(rf"\b\d{{1,4}}(?:\s?(?:bis|ter))?,?\s+(?i:rue|avenue|av\.|boulevard|bd|place|chemin|allée|impasse|"
               rf"quai|route)\s+(?:(?:de|du|des|la|le|l'|d')\s*)*{_NAME}(?:\s+{_NAME}){{0,2}}{_TAIL}"),
    # Spanish and Italian forms: Calle de Alcalá 42 [, 3º B] [, 28014 Madrid]
    re.compile(rf"\b(?i:calle|c/|avenida|avda\.?|plaza|paseo|via|viale|piazza|corso)\s+(?:(?:de|del|la|los|las|di|"
               rf"della)\s+)*{_NAME}(?:\s+{_NAME}){{0,2}},?\s*(?:n[ºo°]\.?\s*)?\d{{1,4}}(?:,?\s*\d{{1,2}}[º°ª]\s*[A-Z]?\b)?"
               rf"{_TAIL}"),
    re.compile(rf"\b(?i:p\.?\s?o\.?\s+box)\s+\d{{1,6}}{_TAIL}"),
)


def find_addresses(text: str) -> Iterator[tuple[int, int]]:
    """Spans of postal addresses in ``text``: of overlapping matches, the one starting first, then the longest."""
    matches = sorted(((m.start(), m.end()) for pattern in _ADDRESS_RES for m in pattern.finditer(text)),
                     key=lambda span: (span[0], -span[1]))
    end = -1
    for start, stop in matches:
        if start >= end:
            yield start, stop
            end = stop
