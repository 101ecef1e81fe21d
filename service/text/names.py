"""Person names in support messages, found without a named-entity model: a gazetteer of given names and surnames
(the person-name lists Faker ships for its Latin-script locales, about 19,000 given names and 16,000 surnames),
read with the cues customers and agents write around names.

A name is found
- after a cue that introduces one ("my name is", "this is", "I'm", "speak to", "ask for", "your agent", "my
  husband", "Hi"/"Dear", a title such as "Mr."), in any case, when its first word is in the gazetteer or written in
  Title case after an explicit cue ("my name is Xochitl");
- after a cue that can only introduce a name ("my name is", "name is", "name:", "Full name:"), one to three words:
  the first a name of the gazetteer in any case ("MY NAME IS JOHN"), a Title-case word ("my name is Xochitl") or a
  lower-case word that closes the phrase ("my name is xochitl."); the next ones names of the gazetteer, Title case
  after a Title-case first, or a lower-case word closing a lower-case name ("my name is john doe lol"); never a
  function word, a word said of a name ("my name is broken", "name: see below"), a chat contraction ("im") or a
  field label ("Name: john smith Email: ...");
- after a role label ("Customer:", "Caller:"; a transcript's turn starts with any word there), a given name of the
  gazetteer, a given name and surname, two or three Title-case words ("Haruto Sato called"), or one closing the
  phrase ("Customer: Haruto."); not one Title-case word a lower-case sentence goes on from ("Customer: Absolutely
  useless service.");
- after a self-introduction ("this is", "I'm"), a given name of the gazetteer and a surname, both in lower case or
  both in capitals, that end the phrase ("this is mark evans from billing"; not "i am john lewis customer"), the
  surname no everyday word when the given name is one ("I hope this is crystal clear");
- on the line after a sign-off ("Regards,", "Thanks,", ...), one to three Title-case words; after a sign-off that
  starts a line or a sentence, one to three Title-case words ending the line ("... my refund? Regards, Olusegun
  Adeyemi"), the first a given name or the last a surname, none an ordinary word ("Thanks, Amazon Prime");
- anywhere else as a Title-case given name followed by a Title-case surname ("Will Smith", "David Okafor"), or a
  given name alone that is not also an ordinary English word ("Maria was rude", but not "Will you", "Grace period")
  and not the first word of a sentence; a hyphenated given name is one whose parts all are ("Anne-Marie Dupont").

Precision and recall on the hand-written set: ``python -m emotrace.evaluation.pii --written``.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator
from functools import cache
from typing import Literal

_UPPER, _LOWER = "A-ZÀ-ÖØ-ÞĀ-ſ", "a-zß-öø-ÿĀ-ſ"  # with Latin Extended-A (ı, ł, ś, ž, ...)
_TITLE_PART = rf"(?:[{_UPPER}][{_LOWER}]?['’]|Mc|Mac)?[{_UPPER}][{_LOWER}'’]+"  # also O'Connor, McDonald
_TITLE_WORD = rf"{_TITLE_PART}(?:-{_TITLE_PART})*"  # also Warren-Hale
_TITLE_WORD_RE = re.compile(rf"(?<![\w@#]){_TITLE_WORD}(?!\w)")
_NEXT_WORD_RE = re.compile(rf"[ \t]+([{_UPPER}{_LOWER}][{_UPPER}{_LOWER}'’-]*)")
# Cues after which a Title-case word is a name, in the gazetteer or not (a lower-case one only when it is).
_EXPLICIT_CUE_RE = re.compile(
    r"(?:\b(?:my name is|my name's|name is|name's|named|called|call me|signed|on behalf of|estate of|account of|"
    r"in the name of|ask(?:ed)? for|speak(?:ing)? (?:to|with)|spoke (?:to|with)|talk(?:ed)? (?:to|with)|"
    r"(?:your|the|an?|my|our) (?:agent|rep|representative|advisor|adviser|associate|colleague|technician|engineer|"
    r"driver|courier|manager|supervisor|cashier|clerk|teller|nurse|doctor|pharmacist|landlord|tenant|concierge|"
    r"receptionist|host|waiter|waitress|installer|plumber|electrician|officer|guard|steward|stewardess|pilot|"
    r"attendant|consultant)|"
    r"my (?:husband|wife|partner|son|daughter|mother|mum|mom|father|dad|brother|sister|friend|boss|neighbou?r)|"
    r"(?:hi|hello|hey|dear)|name[^:\n]{0,24}\s*:)[ \t]*,?[ \t]*)",
    re.IGNORECASE)
# Role labels: on a form the name follows them, in a transcript the speaker's turn ("Customer: Absolutely useless").
_ROLE_LABEL_RE = re.compile(
    r"\b(?:applicant|patient|policyholder|policy holder|account holder|cardholder|employee|customer|caller|insured|"
    r"beneficiary|deceased)\s*:[ \t]*,?[ \t]*", re.IGNORECASE)
# Cues that introduce oneself ("this is", "I'm"): the word after is a name when it is in the gazetteer.
_INTRO_CUE_RE = re.compile(r"\b(?:this is|i am|i'm|im|it's|its)[ \t]+", re.IGNORECASE)
# What follows a name when someone introduces themselves ("This is Hope at Clearwave", "i'm raj here").
_INTRO_END_RE = re.compile(r"[ \t]*(?:,|\.|!|$|\n|(?:from|at|here|with|speaking|and|calling|i|i'm|im|my)\b)",
                           re.IGNORECASE)  # also "this is priya i need help"
# Cues after which only a name can follow: the words after them are one in any case, in the gazetteer or not.
_STRONG_CUE_RE = re.compile(
    r"(?<![\w'’-])(?:name(?:[ \t]+is(?:[ \t]*:)?|['’]s)|(?:(?:full|first|last|given|family|middle|maiden|legal|sur)[ \t]*)?"
    r"name(?:[ \t]*\([^)\n]{0,20}\))?[ \t]*:)[ \t]*",
    re.IGNORECASE)
# Words before "name is" / "name:" that make it the name of a thing ("the company name is acme").
_THING_BEFORE_NAME_RE = re.compile(
    r"\b(?:company|business|product|brand|store|shop|device|network|wifi|wi-fi|plan|app|file|folder|domain|model|"
    r"item|pet|dog|cat|street|road|band|project|event|course|school|hotel|restaurant|ship|team|package)"
    r"['’]?s?[ \t]*$", re.IGNORECASE)
# A word after a strong cue: letters, apostrophes and hyphens inside, ending at a space, punctuation or the text's end
# (not at a digit, "/", "@" or another word character: "name: n/a", "name: jdoe88").
_CUED_WORD_RE = re.compile(rf"[{_UPPER}{_LOWER}](?:[{_UPPER}{_LOWER}'’-]*[{_UPPER}{_LOWER}])?(?![\w/@+&])")
_CUED_GAP_RE = re.compile(r"[ \t]+")
# What closes a lower-case name after a strong cue ("my name is xochitl.", "... xochitl and my parcel is late").
_CUED_END_RE = re.compile(r"[ \t]*(?:[,.;!?)\n]|$|(?:and|but|from|at|here|with|speaking|calling|lol|haha|btw|tbh)\b)",
                          re.IGNORECASE)
# A word followed by a colon is the label of the next field ("Name: john smith Email: ...").
_LABEL_COLON_RE = re.compile(r"[ \t]*:")
# Labels of the fields that follow a name on a form or in a chat ("name: dave phone 07700 900123").
FIELD_WORDS = frozenset(["phone", "email", "e-mail", "tel", "mobile", "cell", "fax", "address", "account", "order",
                         "dob", "ssn", "postcode", "zip"])
# Words that end a name after a strong cue: function words, what "my name is" is said of when no name follows
# ("my name is spelled wrong", "name: unknown") and chat words ("my name is john doe lol").
NAME_STOP_WORDS = frozenset([
    "a", "an", "the", "and", "or", "but", "nor", "so", "yet", "if", "as", "because", "though", "although", "than",
    "i", "me", "my", "mine", "you", "your", "he", "him", "his", "she", "her", "we", "us", "our", "they", "them",
    "their", "it", "its", "it's", "i'm", "i've", "i'd", "i'll", "this", "that", "these", "those", "who", "which",
    "on", "in", "at", "of", "for", "from", "to", "with", "by", "about", "under", "over", "into", "onto", "off", "up",
    "down", "out", "via", "per", "after", "before", "since", "until", "till", "regarding", "re",
    "is", "are", "was", "were", "be", "been", "being", "am", "has", "have", "had", "do", "does", "did",
    "would", "shall", "should", "could", "might", "must", "not", "no", "never",
    "also", "still", "already", "now", "then", "here", "there", "too", "again", "even", "only", "just",
    "less", "more", "most", "least", "quite", "rather", "pretty", "fairly", "much", "bit", "lot", "kind", "sort",
    "all", "both", "each", "every", "few", "many", "some", "such", "own", "else", "ever", "almost", "nearly",
    "spelled", "spelt", "misspelled", "misspelt", "wrong", "incorrect", "correct", "right", "missing", "listed",
    "printed", "written", "shown", "showing", "displayed", "different", "changed", "same", "blank", "empty",
    "lol", "haha", "btw", "pls", "plz", "thx", "fyi", "tbh", "idk", "omg", "yes", "yeah", "ok", "okay",
    "calling", "writing", "speaking", "account", "order", "customer", "ref", "reference", "unknown", "none",
    "tbd", "tba", "unusual", "important", "common", "unique", "short", "simple", "easy", "difficult", "rare", "weird",
    "strange", "foreign", "private", "personal", "confidential", "irrelevant", "invalid", "valid", "new", "old",
    "legal", "full", "actual", "real", "true", "false", "known", "hidden", "public", "fine", "other", "something",
    "nothing", "anything", "unclear", "illegible", "unreadable", "visible", "optional", "mandatory",
    # what a name is said to be, and where ("my name is cut off", "name: see below", "the name is fake")
    "above", "below", "attached", "enclosed", "see", "gone", "broken", "incomplete", "complete", "fake", "withheld",
    "cut", "prefer", "way", "hard", "impossible", "unpronounceable", "ridiculous",
    # chat contractions without their apostrophe ("my name is mark im angry", "my name is jo cant log in")
    "im", "ive", "cant", "dont", "wont", "didnt", "doesnt", "isnt", "wasnt", "arent", "havent", "hasnt", "couldnt",
    "wouldnt", "shouldnt", "thats", "whats", "theres", "youre", "theyre",
])
_WEEKDAYS = frozenset(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
# Surnames of the gazetteer that are also everyday words: no surname after a self-introduction ("it's may day").
_EVERYDAY_SURNAMES = frozenset(["day", "back", "good", "way", "man", "power", "field", "best", "well", "bad", "hard",
                                "little", "young", "long", "love", "more", "most", "now", "early", "late", "soon"])
# A title: the words after it are a name (the title itself is not redacted).
_TITLE_RE = re.compile(r"\b(?:mr|mrs|ms|miss|mx|dr|prof)\.?[ \t]+(?=[A-Z])", re.IGNORECASE)
_SIGN_OFF = (r"(?:kind |best |warm |many )?(?:regards|thanks|thank you|cheers|best|sincerely|yours(?: truly| sincerely)?|"
             r"br|rgds|thx|obrigad[oa]|gracias|merci|danke|grüße|mit freundlichen grüßen|cordialement|saludos|love)")
_SIGNATURE = rf"(?P<name>{_TITLE_WORD}(?:[ \t]+{_TITLE_WORD}){{0,2}})[ \t]*$"  # one to three Title-case words
_SIGN_OFF_RE = re.compile(rf"(?im)^[ \t]*{_SIGN_OFF}[,.!]?[ \t]*\n\s*{_SIGNATURE}")
# A sign-off starting a line or a sentence with the name after it on the same line ("... refund? Regards, Ada Obi").
_SAME_LINE_SIGN_OFF_RE = re.compile(rf"(?m)(?:^|(?<=[.!?]))[ \t]*(?i:{_SIGN_OFF})(?:[,.!][ \t]*|[ \t]+){_SIGNATURE}")
# A line holding only a name (a signature, a list of details): its first word a given name or its last a surname.
_NAME_LINE_RE = re.compile(rf"(?m)^[ \t]*(?:[-–•*][ \t]*)?(?P<name>{_TITLE_WORD}(?:[ \t]+{_TITLE_WORD}){{0,2}})[ \t]*,?$")
# Given names that are also ordinary English words (or brands and places): never a name on their own.
ORDINARY_WORDS = frozenset([
    "will", "may", "june", "april", "august", "mark", "bill", "grace", "hope", "joy", "faith", "rose", "lily",
    "iris", "ivy", "holly", "dawn", "summer", "autumn", "amber", "ruby", "pearl", "crystal", "destiny",
    "harmony", "melody", "patience", "prudence", "chance", "chase", "hunter", "mason", "cash", "price", "king",
    "rich", "sunny", "sky", "river", "storm", "art", "bob", "don", "drew", "frank", "gene", "guy", "jack",
    "jay", "jean", "lane", "miles", "nick", "pat", "penny", "ray", "rob", "rusty", "sandy", "sue", "terry",
    "wade", "warren", "wood", "young", "lee", "rice", "brown", "white", "black", "green", "gray", "grey",
    "long", "little", "hall", "wall", "page", "case", "post", "can", "deniz", "paris", "florence", "georgia",
    "austin", "dallas", "jordan", "chelsea", "sydney", "victoria", "madison", "virginia", "carolina", "israel",
    "india", "china", "london", "berlin", "delta", "virgin", "apple", "amazon", "alexa", "siri", "mercedes",
    "tesla", "prime", "jet", "star", "sun", "moon", "angel", "baby", "honey", "sugar", "love", "happy", "lucky",
    "rocky", "buddy", "champ", "my", "ever", "valid", "sie", "york", "texas", "kent", "sol", "urban", "florida",
    "ireland", "france", "phoenix", "denver", "boston", "memphis", "houston", "orlando", "alberta", "regina",
    "justice", "dell",
    # languages and nationalities, holidays, continents, plan tiers and brands (found by a review: "I speak French",
    # "Happy Easter", "the Max plan", "Bank of America", "via Royal Mail" were redacted as names)
    "french", "german", "english", "spanish", "italian", "dutch", "polish", "russian", "chinese", "japanese",
    "korean", "portuguese", "greek", "turkish", "arabic", "irish", "scottish", "welsh", "american", "british",
    "canadian", "australian", "mexican", "brazilian", "easter", "christmas", "xmas", "halloween", "thanksgiving",
    "hanukkah", "diwali", "ramadan", "eid", "asia", "africa", "europe", "america", "australia", "max", "silver",
    "gold", "platinum", "bronze", "premium", "ultra", "royal", "mail", "orange", "vodafone"
])
CALENDAR_WORDS = frozenset([
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
    "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"
])
# Words a greeting or reference cue may be followed by that are no names.
GENERIC_WORDS = frozenset([
    "someone", "somebody", "anyone", "anybody", "everyone", "everybody", "nobody", "team", "all", "there", "support",
    "sir", "madam", "folks", "guys", "manager", "supervisor", "customer", "customers", "service", "services",
    "billing", "sales", "care", "hr", "the", "a", "an", "your", "our", "my", "friends", "people", "again",
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "hi", "hello", "hey", "dear", "yes", "no", "yeah", "ok", "okay",
    "thanks", "sure", "well", "so", "it's", "i'm", "it", "this", "i", "we", "they", "he", "she", "that", "you",
    # what follows "Hi," or starts the line after "Thanks," when no name does ("Hi, Good morning", "Best,\nVery Angry")
    "good", "morning", "afternoon", "evening", "thank", "please", "valued", "not", "very", "really",
    "happy", "unhappy", "angry", "upset", "sorry", "just", "still", "again", "quick", "urgent", "help", "what", "why",
    "how", "where", "when", "who", "is", "are", "was", "can", "could", "would", "do", "does", "did", "have", "has",
    "any", "one", "another", "disappointed", "frustrated", "fed", "sick", "tired", "fellow", "loyal", "long",
])
_MAX_NAME_WORDS = 3
Cue = Literal["explicit", "label", "intro"]  # what introduces a name: see _name_at


@cache
def gazetteer() -> tuple[frozenset[str], frozenset[str]]:
    """(given names, surnames), lower case, from Faker's person providers written in Latin script."""
    import faker.providers.person as person_providers  # a data-only import, done once

    given: set[str] = set()
    surnames: set[str] = set()
    latin = re.compile(rf"[{_UPPER}][{_LOWER}'’-]+")
    for module in pkgutil.iter_modules(person_providers.__path__):
        provider = importlib.import_module(f"{person_providers.__name__}.{module.name}").Provider
        for attribute, names in (("first_names", given), ("last_names", surnames)):
            values = provider.__dict__.get(attribute, ())
            if isinstance(values, property):
                continue
            names.update(n.lower() for n in values if latin.fullmatch(n))
    return frozenset(given), frozenset(surnames)


@cache
def everyday_words() -> frozenset[str]:
    """About a thousand common English words (Faker's English lorem list: "clear", "street", "house")."""
    from faker.providers.lorem.en_US import Provider  # a data-only import, done once

    return frozenset(word.lower() for word in Provider.word_list)


def _title_case(word: str) -> bool:
    return _TITLE_WORD_RE.fullmatch(word) is not None


def _not_a_name(word: str) -> bool:
    return word.lower() in GENERIC_WORDS or word.lower() in CALENDAR_WORDS


def _extend(text: str, end: int, title_case: bool) -> int:
    """Where a name ending at ``end`` ends with the words that join it: Title-case words after a Title-case name,
    surnames of the gazetteer after a lower-case one (not an ordinary or function word: "jo cant log in"); never a
    field label ("Email:", "Phone")."""
    surnames = gazetteer()[1]
    for _ in range(_MAX_NAME_WORDS - 1):
        m = _NEXT_WORD_RE.match(text, end)
        if m is None or _not_a_name(m.group(1)) or _field_label(text, m.group(1), m.end()):
            break
        word, lower = m.group(1), m.group(1).lower()
        if title_case and not _title_case(word):
            break
        if not title_case and (lower not in surnames or lower in ORDINARY_WORDS or lower in NAME_STOP_WORDS):
            break
        end = m.end()
    return end


def _name_at(text: str, at: int, cue: Cue) -> tuple[int, int] | None:
    """The name starting at ``at`` after a cue, or None. After an ``explicit`` cue ("my name is", "your agent",
    "Hi") any Title-case word starts one, a lower-case one when it is a given name; after a self-introduction ("this
    is", "I'm") a given name of the gazetteer does (an ordinary word only in Title case and ending the phrase:
    "This is Hope at ..."); after a role ``label`` ("Customer:", where a transcript's turn starts with any word) a
    given name of the gazetteer or what a self-introduction takes."""
    given, surnames = gazetteer()
    m = re.compile(rf"[{_UPPER}{_LOWER}][{_UPPER}{_LOWER}'’-]*").match(text, at)
    if m is None or _not_a_name(m.group(0)):
        return None
    word, lower = m.group(0), m.group(0).lower()
    title_case = _title_case(word)
    in_gazetteer = lower in given and lower not in ORDINARY_WORDS
    if cue == "explicit":
        found = title_case or in_gazetteer
    else:
        ends_phrase = _INTRO_END_RE.match(text, m.end()) is not None
        nxt = _NEXT_WORD_RE.match(text, m.end())
        before_surname = title_case and nxt is not None and _title_case(nxt.group(1)) and nxt.group(1).lower() in surnames
        if nxt is not None and _one_case_pair(text, word, nxt, given, surnames):  # "mark evans": the surname ends it
            return m.start(), nxt.end()
        # not in Title case, a given name alone ends the phrase and is no everyday word ("this is true.", "its early")
        alone = ends_phrase and lower not in everyday_words()
        found = ((in_gazetteer and (title_case or alone or cue == "label"))
                 or (lower in given and title_case and ends_phrase) or before_surname
                 or (cue == "label" and _titled_name_after_label(text, m)))
    return (m.start(), _extend(text, m.end(), title_case)) if found else None


def _titled_name_after_label(text: str, first: re.Match[str]) -> bool:
    """Whether ``first`` starts Title-case words that read as a name on a form: two or three of them ("Customer: Haruto
    Sato called", "Insured: Tanaka Hiroshi (policy 55)"), or one that closes the phrase ("Customer: Haruto",
    "Patient: Okonkwo, Chidi"); one Title-case word that a lower-case sentence goes on from is a transcript turn's
    first word ("Customer: Absolutely useless service.", "CALLER: I've been charged")."""
    end = _extend(text, first.end(), title_case=True)
    return _title_case(first.group(0)) and (end > first.end() or _CUED_END_RE.match(text, end) is not None)


def _one_case_pair(text: str, word: str, nxt: re.Match[str], given: frozenset[str], surnames: frozenset[str]) -> bool:
    """Whether ``word`` and the next word after a self-introduction are a given name and a surname both in lower case
    or both in capitals that end the phrase ("this is mark evans from billing", "THIS IS MARK EVANS AND ..."): not
    before more words ("i am john lewis customer"), the surname no everyday word ("it's may day"), nor a common
    English word when the given name is an ordinary word too ("I AM CRYSTAL CLEAR", but "i am mark evans")."""
    surname = nxt.group(1)
    first_lower, lower = word.lower(), surname.lower()
    one_case = (word.islower() and surname.islower()) or (word.isupper() and surname.isupper())
    if not (one_case and first_lower in given and lower in surnames):
        return False
    if lower in ORDINARY_WORDS or lower in _EVERYDAY_SURNAMES or _INTRO_END_RE.match(text, nxt.end()) is None:
        return False
    if first_lower in ORDINARY_WORDS and lower in everyday_words():
        return False
    return not _ends_cued_name(word, given, surnames) and not _ends_cued_name(surname, given, surnames)


def _field_label(text: str, word: str, end: int) -> bool:
    """Whether ``word`` (ending at ``end``) labels the next field ("Email:", "phone"): no part of a name."""
    return word.lower() in FIELD_WORDS or _LABEL_COLON_RE.match(text, end) is not None


def _ends_cued_name(word: str, given: frozenset[str], surnames: frozenset[str]) -> bool:
    """Whether ``word`` after a strong cue is no part of a name: a function word, a word said of a name, a chat
    contraction, a greeting word, a weekday, or an "-ed", "-ing" or "-ly" word of neither list, in lower case or in
    capitals ("my name is attached", "MY NAME IS DUPLICATED")."""
    lower = word.lower().replace("’", "'")
    if lower in NAME_STOP_WORDS or lower in GENERIC_WORDS or lower in _WEEKDAYS:
        return True
    return (not _title_case(word) and lower.endswith(("ed", "ing", "ly")) and lower not in given
            and lower not in surnames)


def _known_name(word: str, given: frozenset[str], surnames: frozenset[str]) -> bool:
    """Whether ``word`` is a name of the gazetteer, also by its parts ("mary-jane", "o'neill-smith")."""
    for part in word.lower().replace("’", "'").split("-"):
        bare = part[2:] if part[1:2] == "'" else part  # "o'neill", "d'angelo"
        if not (part in given or part in surnames or bare in given or bare in surnames):
            return False
    return True


def _cued_name_word(text: str, m: re.Match[str], first: str | None, given: frozenset[str],
                    surnames: frozenset[str]) -> bool:
    """Whether the word of ``m`` after a strong cue belongs to the name, ``first`` its first word if one is taken: a
    name of the gazetteer in any case; a first word in Title case, or in lower case closing the phrase ("my name is
    xochitl."); a later word in Title case after a Title-case first, or in lower case closing a lower-case name ("my
    name is john doe lol"); never a word of :func:`_ends_cued_name` or a field label."""
    word = m.group(0)
    if _ends_cued_name(word, given, surnames) or _field_label(text, word, m.end()):
        return False
    if _known_name(word, given, surnames):
        return True
    closes = word.islower() and _CUED_END_RE.match(text, m.end()) is not None
    if first is None:
        return _title_case(word) or closes
    return (_title_case(first) and _title_case(word)) or (first.islower() and closes)


def _strong_cue_name(text: str, cue: re.Match[str]) -> tuple[int, int] | None:
    """The one to three words of a name after a strong cue ("my name is mark evans and ..."), or None (the name of
    a thing, "the company name is acme"; no name-like word next: "my name is cut off")."""
    if _THING_BEFORE_NAME_RE.search(text, max(0, cue.start() - 24), cue.start()):
        return None
    given, surnames = gazetteer()
    start = end = at = cue.end()
    first: str | None = None
    for _ in range(_MAX_NAME_WORDS):
        m = _CUED_WORD_RE.match(text, at)
        if m is None or not _cued_name_word(text, m, first, given, surnames):
            break
        first = first or m.group(0)
        end = m.end()
        gap = _CUED_GAP_RE.match(text, end)
        if gap is None:
            break
        at = gap.end()
    return (start, end) if end > start else None


def _covering(*spans: tuple[int, int]) -> tuple[int, int]:
    """The span covering the readings found of one name."""
    return min(s for s, _ in spans), max(e for _, e in spans)


def _cued_names(text: str) -> Iterator[tuple[int, int]]:
    for cue in _STRONG_CUE_RE.finditer(text):  # the longer of the two readings ("My name is Anne-Marie O'Neill-Smith")
        spans = [span for span in (_strong_cue_name(text, cue), _name_at(text, cue.end(), "explicit")) if span]
        if spans:
            yield _covering(*spans)
    cued: tuple[tuple[re.Pattern[str], Cue], ...] = (
        (_EXPLICIT_CUE_RE, "explicit"), (_TITLE_RE, "explicit"), (_ROLE_LABEL_RE, "label"), (_INTRO_CUE_RE, "intro"))
    for cues, kind in cued:
        for cue in cues.finditer(text):
            if (span := _name_at(text, cue.end(), kind)) is None:
                continue
            # after a label ("Customer:", "Caller:") the name reads on as after "name:" ("customer: john doe")
            label = cue.group(0).rstrip(" \t,").endswith(":")
            strong = _strong_cue_name(text, cue) if label else None
            yield span if strong is None else _covering(span, strong)
    for m in _SIGN_OFF_RE.finditer(text):
        if not any(_not_a_name(w) for w in m.group("name").split()):
            yield m.start("name"), m.end("name")
    for pattern in (_SAME_LINE_SIGN_OFF_RE, _NAME_LINE_RE):
        yield from (m.span("name") for m in pattern.finditer(text) if _reads_as_name(m.group("name")))


def _reads_as_name(words: str) -> bool:
    """Whether Title-case words standing alone (a line of their own, after a sign-off on its line) read as a name:
    the first a given name or the last of two or more a surname, none an ordinary, generic or calendar word ("Thanks,
    Amazon Prime", "Best, Very Angry Customer")."""
    lower = words.lower().split()
    return ((_given_name(lower[0]) or (len(lower) > 1 and lower[-1] in gazetteer()[1]))
            and not set(lower) & (ORDINARY_WORDS | GENERIC_WORDS | CALENDAR_WORDS))


def _given_name(word: str) -> bool:
    """Whether ``word`` is a given name of the gazetteer that is no ordinary word, also a hyphenated one whose parts
    all are given names, not all of them ordinary words ("Mary-Jane", "Jean-Luc"; not "Rose-Gold")."""
    parts = word.lower().split("-")
    given = gazetteer()[0]
    return all(part in given for part in parts) and any(part not in ORDINARY_WORDS for part in parts)


def _sentence_start(text: str, at: int) -> bool:
    before = text[max(0, at - 16) : at].rstrip(" \t\"'(“‘")
    return not before or before[-1] in ".!?\n:;"


def _free_names(text: str) -> Iterator[tuple[int, int]]:
    """Title-case given names of the gazetteer (see :func:`_given_name`), with the Title-case words after them; at the
    start of a sentence (where brands and ordinary words are Title case too) only before a surname of the gazetteer."""
    surnames = gazetteer()[1]
    for m in _TITLE_WORD_RE.finditer(text):
        if not _given_name(m.group(0)) or _not_a_name(m.group(0)):
            continue
        if _sentence_start(text, m.start()):
            nxt = _NEXT_WORD_RE.match(text, m.end())
            if nxt is None or not _title_case(nxt.group(1)) or nxt.group(1).lower() not in surnames:
                continue
        yield m.start(), _extend(text, m.end(), title_case=True)


def find_names(text: str) -> Iterator[tuple[int, int]]:
    """Spans of person names in ``text`` (cued ones first; the caller drops overlaps)."""
    yield from _cued_names(text)
    yield from _free_names(text)
